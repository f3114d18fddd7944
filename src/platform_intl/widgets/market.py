"""The market funnel explorer: TAM -> SAM -> SOM for a scenario, interactively.

Choose a scenario (:data:`platform_intl.sizing.SCENARIOS`) and its markets, move the
platform-adoption and obtainable-share sliders, and the funnel chart and the table
redraw, with numbers in the chosen locale's compact form (446M, 4.5亿, 446 mio.). The
"Sensitivity" view shows the tornado chart of :func:`platform_intl.sizing.sensitivity`.

    from platform_intl.widgets.market import MarketFunnelExplorer
    MarketFunnelExplorer("weibo_diaspora")          # last line of a cell shows it

Model and view are apart: :meth:`MarketFunnelExplorer.update` reads the controls,
recomputes with :mod:`platform_intl.sizing` and redraws; what does not depend on the
sliders (the markets of each scenario, its defaults) is computed once. The figures are
matplotlib figures made once and updated in place, rendered to PNG and shown as an HTML
``<img>`` with alt text, next to an HTML table.

Benchmark interface
-------------------
:func:`build_for_benchmark` returns ``(explorer, slider)``; setting ``slider.value``
runs ``explorer.update()`` synchronously (ipywidgets observers run in the setter, no
kernel or browser needed). :data:`EXPLORERS` maps a name to that function, for the
benchmark runner::

    explorer, slider = EXPLORERS["market_funnel"]()
    slider.value = 0.31          # one full recompute and redraw
    explorer.last_update_seconds

Chart functions (also for lectures, through :func:`platform_intl.plots.show_figure`):
:func:`funnel_figure`, :func:`tornado_figure`, :func:`funnel_alt_text`,
:func:`tornado_alt_text`, :func:`comparison_figure`, :func:`comparison_alt_text`;
:func:`formatted` and :func:`funnel_table` turn result tables
into locale-formatted text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from platform_intl import plots, sizing
from platform_intl.localization import COURSE_LOCALES, format_percent
from platform_intl.tables import Table
from platform_intl.tables import show as show_table

from . import base
from .base import LiveWidget, compact, slider

#: Where the numbers come from, for figure captions.
SOURCE = (
    "course datasets via platform_intl.data: Unicode CLDR territory data (population, "
    "language shares), ITU via World Bank WDI (internet use), company reports and press "
    "(platform users); course assumptions where labelled"
)


def source_caption() -> str:
    """:data:`SOURCE` with the CLDR version of the datasets in use."""
    from platform_intl import data

    try:
        return SOURCE.replace("Unicode CLDR", f"Unicode CLDR {data.cldr_version()}")
    except (FileNotFoundError, KeyError):
        return SOURCE


FIGURE_SIZE = (7.2, 3.4)
FIGURE_DPI = 96
#: The stages the chart shows: population is context (in the table), not part of the funnel.
CHART_STAGES = ("speakers", "tam", "sam", "som")
_STAGE_COLOURS = ("#0173b2", "#56b4e9", "#029e73", "#de8f05")  # colour-blind safe (Okabe-Ito)


# ----------------------------------------------------------------------- sizing charts


def funnel_alt_text(result: pd.DataFrame, locale: str = "en_US", title: str = "") -> str:
    """One sentence that says what the funnel chart shows, numbers in ``locale``."""
    totals = sizing.funnel_totals(result)
    stages = "; ".join(f"{sizing.STAGE_LABELS[s]} {compact(totals[s], locale)}" for s in CHART_STAGES)
    what = f" for {title}" if title else ""
    return (
        f"Horizontal bar chart of the market funnel{what}: {len(result)} market(s) with a "
        f"population of {compact(totals['population'], locale)}; people at each stage: {stages}."
    )


def tornado_alt_text(table: pd.DataFrame, locale: str = "en_US") -> str:
    if table.empty:
        return "Tornado chart with no uncertainties."
    top = table.iloc[0]
    return (
        f"Tornado chart of the obtainable market (SOM, base {compact(top['som_base'], locale)}): "
        + "; ".join(
            f"{r.label} {r.range} moves it from {compact(r.som_low, locale)} to {compact(r.som_high, locale)}"
            for r in table.itertuples()
        )
        + f". {top['label']} moves it most."
    )


class _BlittedChart:
    """A chart whose static parts are drawn once and kept; moving artists are drawn over them."""

    fig: Any
    ax: Any
    canvas: Any
    _background: Any = None
    _static_key: Any = None
    full_draws: int = 0

    def _blit(self, static_key, moving, *, redraw: bool = False) -> None:
        if redraw or static_key != self._static_key:
            self.canvas.draw()  # everything but the moving artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._static_key = static_key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for artist in moving:
            self.ax.draw_artist(artist)

    def png(self) -> bytes:
        return plots.canvas_png(self.canvas)


class _FunnelArtist(_BlittedChart):
    """A funnel chart updated in place, fast enough to follow a slider.

    Population, speakers and online speakers (the TAM) do not move with the adoption and obtainable-share
    sliders, so the figure is drawn in full only when they (or the locale, or the title)
    change; a slider move redraws just the SAM and SOM bars and labels over a saved
    background (matplotlib blitting) and encodes the result as PNG.
    """

    MOVING = 2  # the last two stages, SAM and SOM, depend on the sliders

    def __init__(self):
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        self.fig, self.ax = plots.new_figure(FIGURE_SIZE, dpi=FIGURE_DPI)
        self.canvas = self.fig.canvas
        # Room on the left for the longest stage label, "Online speakers (TAM)", and the axis title.
        self.fig.subplots_adjust(left=0.33, right=0.95, top=0.86, bottom=0.17)
        with base.font_context():
            labels = [sizing.STAGE_LABELS[s] for s in CHART_STAGES][::-1]
            self.bars = list(self.ax.barh(labels, np.ones(len(labels)), color=_STAGE_COLOURS[::-1], height=0.7))
            self.texts = [self.ax.text(0, i, "", va="center", ha="left", fontsize=9) for i in range(len(labels))]
            self.ax.set_xlabel("People")
            self.ax.set_ylabel("Funnel stage")
            self.ax.grid(axis="x", alpha=0.3)
            self.ax.grid(axis="y", visible=False)
            self.ax.spines[["top", "right"]].set_visible(False)
        # Bars are listed narrowest (SOM) first: the first MOVING ones follow the sliders.
        self.moving = self.bars[: self.MOVING] + self.texts[: self.MOVING]
        for artist in self.moving:
            artist.set_animated(True)
        self.locale = "en_US"
        self.ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: compact(x, self.locale)))
        self.ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        self._background = None
        self._static_key = None
        self.full_draws = 0

    def draw(self, totals: pd.Series, *, locale: str, title: str) -> None:
        values = [float(totals[s]) for s in CHART_STAGES][::-1]
        top = max(values) or 1.0
        static_key = (tuple(values[self.MOVING :]), locale, title)
        for bar, text, value in zip(self.bars, self.texts, values):
            bar.set_width(value)
            text.set_x(value + top * 0.01)
            text.set_text(compact(value, locale))
        if static_key != self._static_key:
            self.locale = locale
            self.ax.set_xlim(0, top * 1.18)
            self.ax.set_title(title, fontsize=11)
            self.ax.set_xlabel(f"People (compact numbers, locale {locale})")
        self._blit(static_key, self.moving)


class _TornadoArtist(_BlittedChart):
    """A tornado chart whose bars are updated in place; rebuilt when the rows change."""

    def __init__(self):
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        self.fig, self.ax = plots.new_figure(FIGURE_SIZE, dpi=FIGURE_DPI)
        self.canvas = self.fig.canvas
        self.fig.subplots_adjust(left=0.27, right=0.95, top=0.82, bottom=0.17)
        self.locale = "en_US"
        self._formatter = FuncFormatter(lambda x, _pos: compact(x, self.locale))
        self._locator = MaxNLocator(nbins=5)
        self._rows_key = self._static_key = self._background = None
        self.low_bars = self.high_bars = self.base_line = None
        self.full_draws = 0

    def _build(self, table: pd.DataFrame) -> None:
        ax = self.ax
        ax.clear()
        rows = table.iloc[::-1]
        y = np.arange(len(rows))
        self.low_bars = list(ax.barh(y, np.zeros(len(y)), color="#0173b2", height=0.6, label="low end of the range"))
        self.high_bars = list(ax.barh(y, np.zeros(len(y)), color="#de8f05", height=0.6, label="high end of the range"))
        self.base_line = ax.axvline(0, color="#333333", linewidth=1)
        for artist in self._moving():
            artist.set_animated(True)
        ax.set_yticks(y, [f"{r.label}\n({r.range})" for r in rows.itertuples()], fontsize=8)
        ax.xaxis.set_major_formatter(self._formatter)
        ax.xaxis.set_major_locator(self._locator)
        ax.set_ylabel("Assumption varied")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.grid(axis="x", alpha=0.3)
        ax.grid(axis="y", visible=False)
        ax.spines[["top", "right"]].set_visible(False)

    def draw(self, table: pd.DataFrame, *, locale: str, title: str) -> None:
        """Update the bars; redraw axes and labels only when the rows, locale, title or scale change.

        The x axis keeps its scale while the bars fit and fill at least half of it, so a
        slider move usually redraws just the bars over a saved background (blitting).
        """
        rows_key = tuple(zip(table["label"], table["range"]))
        if rows_key != self._rows_key:
            self._build(table)
            self._rows_key = rows_key
            self._static_key = None
        rows = table.iloc[::-1]
        som_base = float(table["som_base"].iloc[0]) if len(table) else 0.0
        lows, highs = rows["som_low"].to_numpy(float), rows["som_high"].to_numpy(float)
        for low_bar, high_bar, low, high in zip(self.low_bars, self.high_bars, lows, highs):
            low_bar.set_x(min(som_base, low))
            low_bar.set_width(abs(som_base - low))
            high_bar.set_x(min(som_base, high))
            high_bar.set_width(abs(high - som_base))
        self.base_line.set_xdata([som_base, som_base])
        edge = max([som_base, *lows, *highs]) or 1.0
        right = self.ax.get_xlim()[1]
        rescale = not (0.5 * right <= edge <= right)
        static_key = (rows_key, locale, title)
        if rescale or static_key != self._static_key:
            self.locale = locale
            self.ax.set_xlim(0, edge * 1.25)
            self.ax.set_xlabel(f"Obtainable users, SOM (people, locale {locale})")
            self.ax.set_title(title, fontsize=11)
        self._blit(static_key, self._moving(), redraw=rescale)

    def _moving(self):
        return [*self.low_bars, *self.high_bars, self.base_line]


def _static(fig):
    """Make every artist of ``fig`` draw in a plain savefig (blitted ones are animated)."""
    for artist in fig.findobj(lambda a: a.get_animated()):
        artist.set_animated(False)
    return fig


def funnel_figure(result: pd.DataFrame, *, locale: str = "en_US", title: str = "Market funnel"):
    """A new matplotlib Figure of the funnel totals of ``result`` (from sizing.funnel)."""
    artist = _FunnelArtist()
    with base.font_context():
        artist.draw(sizing.funnel_totals(result), locale=locale, title=title)
    return _static(artist.fig)


def tornado_figure(table: pd.DataFrame, *, locale: str = "en_US", title: str = "Which assumption moves the SOM most?"):
    """A new matplotlib Figure of a sensitivity table (from sizing.sensitivity)."""
    artist = _TornadoArtist()
    with base.font_context():
        artist.draw(table, locale=locale, title=title)
    return _static(artist.fig)


def comparison_figure(
    compared: pd.DataFrame, *, locale: str = "en_US", title: str = "Two ways to count the Chinese diaspora"
):
    """Seaborn bars: top-down speakers against bottom-up counts, territories in both.

    ``compared`` is the table of :func:`platform_intl.sizing.top_down_vs_bottom_up`.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter

    both = compared[compared["where"] == "both"]
    long = both.melt(id_vars="name", value_vars=["top_down", "bottom_up"], var_name="method", value_name="people")
    # Plain strings, not categoricals, for hue (seaborn 0.13 with pandas 3, seaborn#3736).
    long["method"] = (
        long["method"]
        .map({"top_down": "top-down: Chinese speakers (CLDR)", "bottom_up": "bottom-up: diaspora count"})
        .astype(str)
    )
    with base.font_context():
        fig, ax = plt.subplots(figsize=(7.2, 0.35 * len(both) + 1.6))
        sns.barplot(data=long, y="name", x="people", hue="method", orient="h", ax=ax)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: compact(x, locale)))
        ax.set(title=title, xlabel=f"People (locale {locale})", ylabel="Territory")
        ax.legend(title=None, fontsize=8)
    return fig


def comparison_alt_text(compared: pd.DataFrame) -> str:
    both = compared[compared["where"] == "both"]
    more_counted = both.loc[both["bottom_up"] > both["top_down"], "name"].tolist()
    more_speakers = both.loc[both["top_down"] > both["bottom_up"], "name"].tolist()
    return (
        f"Horizontal bar chart comparing, for {len(both)} territories, Chinese speakers estimated "
        "from CLDR language shares with national counts of people of Chinese origin. The counts "
        f"exceed the speakers in {', '.join(more_counted) or 'none'}; the speakers exceed the "
        f"counts in {', '.join(more_speakers) or 'none'}."
    )


# ------------------------------------------------------------------------------ table


def funnel_table(result: pd.DataFrame, locale: str = "en_US", *, top: int = 8, caption: str = "") -> Table:
    """The funnel per market for reading: the ``top`` largest SOM, the rest, the total."""
    ordered = result.sort_values("som", ascending=False, kind="stable")
    shown = ordered.head(top)
    stages = list(sizing.STAGES)
    rows = [
        (f"{r.name} ({r.territory})", *(getattr(r, s) for s in stages))
        for r in shown[["territory", "name", *stages]].itertuples(index=False)
    ]
    rest = ordered.iloc[top:]
    if len(rest):
        rows.append((f"{len(rest)} other market(s)", *rest[stages].sum().tolist()))
    rows.append(("Total", *ordered[stages].sum().tolist()))
    labels = [sizing.STAGE_LABELS[s] for s in stages]
    frame = pd.DataFrame(rows, columns=["Market", *labels]).set_index("Market")
    return show_table(frame, people=labels, locale=locale, caption=caption)


# --------------------------------------------------------------------------- explorer


class MarketFunnelExplorer(LiveWidget):
    """Scenario, markets, adoption and obtainable-share sliders, locale: funnel and table.

    Attributes after each :meth:`update`: ``result`` (the funnel per market),
    ``totals``, ``sensitivity_table`` (in the Sensitivity view), ``png`` (the chart),
    ``alt_text``, ``table`` (display text), ``update_count`` and
    ``last_update_seconds``.
    """

    VIEWS = ("Funnel", "Sensitivity")

    def __init__(
        self,
        scenario: str = "weibo_diaspora",
        *,
        locale: str = "en_US",
        tables: Mapping[str, pd.DataFrame] | None = None,
        view: str = "Funnel",
    ):
        import ipywidgets as w

        self._tables = sizing.ensure_tables(
            tables, "countries", "territory_languages", "platform_users", "internet_use"
        )
        self._cache: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._funnel = _FunnelArtist()
        self._tornado = _TornadoArtist()
        self._muted = False
        self._caption = source_caption()
        self.result: Any = None
        self.totals: Any = None
        self.sensitivity_table: Any = None
        self.png, self.alt_text, self.table = b"", "", None

        sizing.get_scenario(scenario)
        from platform_intl.localization import parse_locale

        parse_locale(locale)
        if view not in self.VIEWS:
            raise ValueError(f"view must be one of {self.VIEWS}; got {view!r}")
        locales = list(dict.fromkeys([*COURSE_LOCALES, locale]))
        style = {"description_width": "130px"}
        self.scenario = w.Dropdown(
            options=[(s.title, s.id) for s in sizing.SCENARIOS],
            value=scenario,
            description="Scenario",
            style=style,
            layout=w.Layout(width="620px"),
        )
        self.markets = base.Checklist("Markets", "untick a market to leave it out of the funnel", noun="markets")
        # The same label width and precision for both, so the two tracks line up and read alike.
        self.adoption = slider(
            "Platform adoption", min_=0, max_=1, step=0.01, fmt=".1%", continuous_update=True, label_width="11em"
        )
        self.obtainable = slider(
            "Obtainable share", min_=0, max_=1, step=0.005, fmt=".1%", continuous_update=True, label_width="11em"
        )
        self.locale = w.Dropdown(options=locales, value=locale, description="Number format", style=style)
        self.view = w.ToggleButtons(options=list(self.VIEWS), value=view, description="View", style=style)
        self.reset = w.Button(description="Reset to scenario defaults", icon="undo", layout=w.Layout(width="220px"))
        self.figure_html = w.HTML()
        self.table_html = w.HTML()
        self.assumptions_html = w.HTML()
        self.status = w.HTML()

        self._load_scenario(scenario)
        self.scenario.observe(self._on_scenario, names="value")
        for control in (self.markets, self.adoption, self.obtainable, self.locale, self.view):
            control.observe(self._on_change, names="value")
        self.reset.on_click(lambda _button: self._apply_defaults())
        self.widget = w.VBox(
            [
                self.scenario,
                self.adoption,
                self.obtainable,
                self.locale,
                self.view,
                self.markets.widget,
                self.reset,
                self.figure_html,
                self.table_html,
                self.assumptions_html,
                self.status,
            ]
        )
        self.update()

    # -- model ------------------------------------------------------------------------
    def _scenario_data(self, scenario_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Markets and defaults of a scenario: computed once, they do not move with sliders."""
        if scenario_id not in self._cache:
            markets = sizing.scenario_markets(scenario_id, tables=self._tables)
            defaults = sizing.scenario_defaults(scenario_id, tables=self._tables)
            self._cache[scenario_id] = (markets, defaults)
        return self._cache[scenario_id]

    def _load_scenario(self, scenario_id: str) -> None:
        markets, defaults = self._scenario_data(scenario_id)
        order = (markets["population"] * markets["language_share"]).sort_values(ascending=False).index
        options = [
            (f"{markets.at[i, 'name']} ({markets.at[i, 'territory']})", markets.at[i, "territory"]) for i in order
        ]
        self._muted = True
        try:
            self.markets.options = options
            self.markets.value = tuple(code for _label, code in options)
            self._set_defaults(defaults)
        finally:
            self._muted = False
        s = sizing.get_scenario(scenario_id)
        items = "".join(
            f"<li><b>{html.escape(name.replace('_', ' ').capitalize())}</b> "
            f"{html.escape(format_percent(row.value, 'en_US', decimals=1))} "
            f"({html.escape(row.basis)}): {html.escape(row.explanation)}</li>"
            for name, row in defaults.iterrows()
        )
        self.assumptions_html.value = f"<p><b>{html.escape(s.question)}</b></p><ul>{items}</ul>" + (
            f"<p><em>{html.escape(s.notes)}</em></p>" if s.notes else ""
        )

    def _set_defaults(self, defaults: pd.DataFrame) -> None:
        self.adoption.value = round(float(defaults.at["adoption", "value"]), 4)
        self.obtainable.value = round(float(defaults.at["obtainable_share", "value"]), 4)

    def _apply_defaults(self) -> None:
        self._muted = True
        try:
            self.markets.value = self.markets.codes
            self._set_defaults(self._scenario_data(self.scenario.value)[1])
        finally:
            self._muted = False
        self.update()

    def compute(self) -> pd.DataFrame:
        """The funnel per selected market at the current slider values (no drawing)."""
        markets, _defaults = self._scenario_data(self.scenario.value)
        chosen = markets[markets["territory"].isin(self.markets.value)]
        return sizing.funnel(chosen, adoption=self.adoption.value, obtainable_share=self.obtainable.value)

    # -- view -------------------------------------------------------------------------
    def _on_scenario(self, change) -> None:
        self._load_scenario(change["new"])
        self.update()

    def _on_change(self, _change=None) -> None:
        if not self._muted:
            self.update()

    def _update(self) -> None:
        """Recompute from the controls and redraw the chart and the table."""
        s = sizing.get_scenario(self.scenario.value)
        locale = self.locale.value
        self.result = self.compute()
        self.totals = sizing.funnel_totals(self.result)
        title = s.title
        if self.view.value == "Sensitivity" and len(self.result):
            self.sensitivity_table = sizing.sensitivity(
                self.result,
                adoption=self.adoption.value,
                obtainable_share=self.obtainable.value,
                uncertainties=sizing.resolve_uncertainties(s.uncertainties, self._tables, self.result),
                territory_languages=self._tables["territory_languages"],
            )
            with base.font_context():
                self._tornado.draw(
                    self.sensitivity_table, locale=locale, title=f"Which assumption moves the SOM most?\n{title}"
                )
            self.png = self._tornado.png()
            self.alt_text = tornado_alt_text(self.sensitivity_table, locale)
        else:
            with base.font_context():
                self._funnel.draw(self.totals, locale=locale, title=title)
            self.png = self._funnel.png()
            self.alt_text = funnel_alt_text(self.result, locale, title)
        self.figure_html.value = base.image_html(self.png, self.alt_text, self._caption or SOURCE)
        som_share = self.totals["som"] / self.totals["tam"] if self.totals["tam"] else float("nan")
        shown = funnel_table(
            self.result,
            locale,
            caption=f"Funnel per market, people (locale {locale}); SOM is "
            f"{format_percent(som_share, locale) if som_share == som_share else '–'} of TAM",
        )
        self.table = shown.cells
        self.table_html.value = shown._repr_html_()


def build_for_benchmark(scenario: str = "weibo_diaspora"):
    """``(explorer, slider)``: setting ``slider.value`` runs one synchronous update."""
    explorer = MarketFunnelExplorer(scenario)
    return explorer, explorer.adoption


#: Explorers of this module for the benchmark runner: name -> () -> (explorer, slider).
EXPLORERS = {"market_funnel": build_for_benchmark}
