"""The language budget planner and the locale formatting playground.

Both keep model and view apart: the controls feed an ``update()`` that recomputes from
their current values and redraws; ``.widget`` is what a notebook displays (the objects
also display themselves).

``LanguageBudgetPlanner(candidates=..., already_served=("en",))``
    Sliders for the budget, the price per word, the number of source words and the
    yearly moderation cost per language. The exact optimum (all 2^n subsets) and the
    greedy reach-per-dollar pick, the people newly reached, the cost, a marginal
    reach-per-dollar chart and a table update live. The reach of every subset is
    computed once when the planner is built; a slider move only recomputes costs
    (n numbers), looks subsets up, and redraws a figure that is reused, so an update
    takes a few tens of milliseconds.

``LocalePlayground()``
    A number, a share, an amount of money and a date, formatted with Babel for any set
    of CLDR locales (the course's four by default; any other can be typed in), each in
    the locale's own digits as CLDR gives them (ar_EG writes 1,234,567.891 as
    ١٬٢٣٤٬٥٦٧٫٨٩١); the Digits menu switches to Latin digits, or to a locale's native ones.
    ``LocalePlayground(value=..., locales=..., share=..., currency=..., date=...,
    digits="default" | "latn" | "native")``; ``.widget``; ``.update()``; ``.table`` (a
    DataFrame of what is shown, with the numbering system of each row) and ``.message``
    (an error for an unknown locale, shown instead of raising).

Benchmark hook
--------------
``build_for_benchmark()`` returns ``(planner, slider)``: a planner on the course data
and its budget slider. Setting ``slider.value`` runs ``planner.update()``
synchronously (a traitlets observer), so the time of the assignment is the update
latency::

    planner, slider = build_for_benchmark()
    start = time.perf_counter(); slider.value = 80_000; elapsed = time.perf_counter() - start

``EXPLORERS`` maps class names to such builders for ``tools/bench.py``: the planner
(``build_for_benchmark``) and the playground (``build_playground_for_benchmark``, its
currency dropdown). Both explorers also record ``last_update_seconds``.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from platform_intl import localization as loc
from platform_intl import plots
from platform_intl.localization.formatting import numbering_system

from .base import Checklist, LiveWidget, font_context, slider

#: Languages a platform that serves English might add next (14: 16,384 subsets).
DEFAULT_CANDIDATES = ("es", "pt-BR", "fr", "de", "it", "ja", "ko", "zh", "zh-Hant", "id", "vi", "th", "ar", "da")

#: Colours of the Okabe-Ito palette (seaborn's "colorblind"): chosen vs not chosen.
CHOSEN_COLOUR = "#0173b2"
OTHER_COLOUR = "#bbbbbb"

PER = 1_000  # the chart and table show reach per USD 1,000, a readable magnitude


def _nice_ceiling(value: float) -> float:
    """The next of 1, 1.5, 2, 3, 5, 7.5 x 10^k: the axis keeps its scale over small changes."""
    if not value > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.5, 2, 3, 5, 7.5, 10) if step * power >= value)


def _png_html(canvas: FigureCanvasAgg, alt: str) -> str:
    """The canvas as drawn (no new draw), as an HTML image with alt text."""
    return plots.image_html(plots.canvas_png(canvas), alt=alt)


class LanguageBudgetPlanner(LiveWidget):
    """Which languages to add under a budget: exact optimum vs greedy, live.

    ``model`` (a :class:`~platform_intl.localization.ReachModel`) and ``prices`` (a
    table from :func:`~platform_intl.localization.translation_prices`) default to the
    course data; pass small ones to test without it.
    """

    def __init__(
        self,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        *,
        already_served: Sequence[str] = ("en",),
        exclude_territories: Sequence[str] = ("CN",),
        model: loc.ReachModel | None = None,
        prices: pd.DataFrame | None = None,
        budget: float = 60_000,
        words: int = 50_000,
        price_per_word: float | None = None,
        moderation_per_language: float = 0,
        review_qa_share: float = loc.REVIEW_QA_SHARE,
        locale: str = "en_US",
    ):
        self.model = model or loc.ReachModel.from_course_data(
            candidates, already_served=already_served, exclude_territories=exclude_territories
        )
        self.languages = self.model.candidates
        prices = loc.translation_prices() if prices is None else prices
        listed = np.array([loc.price_per_word_for(t, prices) for t in self.languages])
        # The price slider sets the median language's price; each language keeps its
        # listed price relative to that median (Japanese stays dearer than Chinese).
        self.reference_price = float(np.median(listed))
        self.relative_price = listed / self.reference_price
        self.review_qa_share = review_qa_share
        self.names = {t: loc.language_name(t) for t in self.languages}
        self.problem = loc.LanguageBudgetProblem.from_reach_model(
            self.model, np.zeros(len(self.languages)), conversion_lift=1.0
        )
        self.model.subset_reach()  # the one expensive step, done before any slider moves
        self.standalone = self.model.standalone_reach().to_numpy()

        style = {"description_width": "18em"}
        # One label width for the four sliders and the drop-down, so their tracks line up.
        width = style["description_width"]

        def count_slider(label: str, value: int, min_: int, max_: int, step: int):
            return slider(
                label, value=value, min_=min_, max_=max_, step=step, integer=True, fmt=",d", label_width=width
            )

        self.budget = count_slider(
            "Budget (USD)",
            int(budget),
            0,
            300_000,
            2_500,
        )
        self.price = slider(
            "Price per word (USD, median)",
            value=round(price_per_word if price_per_word is not None else self.reference_price, 3),
            min_=0.01,
            max_=0.40,
            step=0.01,
            fmt=".2f",
            label_width=width,
        )
        self.words = count_slider(
            "Source words",
            int(words),
            5_000,
            500_000,
            5_000,
        )
        self.moderation = count_slider(
            "Moderation per language (USD/yr)",
            int(moderation_per_language),
            0,
            120_000,
            5_000,
        )
        self.locale = widgets.Dropdown(
            options=list(loc.COURSE_LOCALES),
            value=locale,
            description="Number format",
            style=style,
            layout=widgets.Layout(width="28em"),  # the label's 18em and room for the longest locale
        )
        self.controls = (self.budget, self.price, self.words, self.moderation, self.locale)
        self.summary = widgets.HTML()
        self.chart = widgets.HTML()
        self.table_html = widgets.HTML()
        served = ", ".join(loc.language_name(t) for t in self.model.already_served) or "none"
        left_out = f" Markets left out: {', '.join(self.model.excluded)}." if self.model.excluded else ""
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Language budget planner</b>: which languages to add first, "
                    "and what greedy reach-per-dollar picking misses. "
                    f"Already served: {html.escape(served)}.{html.escape(left_out)}"
                ),
                *self.controls,
                self.summary,
                # The chart above the table, each at its own width: side by side in a notebook
                # column the chart shrank to 7 px labels and the table's headers wrapped.
                self.chart,
                self.table_html,
            ]
        )
        with font_context():  # 万 and 亿 on the axis need the CJK font
            self._build_figure()
        for control in self.controls:
            control.observe(self._on_change, names="value")
        self.update()

    # -- model ---------------------------------------------------------------------------
    def costs(self) -> np.ndarray:
        """Cost per candidate language (USD) for the current slider values."""
        prices = self.price.value * self.relative_price
        simplified = bool({"zh", "zh-Hans"} & set(self.model.already_served))
        costs = []
        for tag, p in zip(self.languages, prices):
            price = min(p, loc.MAX_PRICE_PER_WORD)
            if tag == "zh-Hant" and simplified:  # converted (OpenCC) and reviewed for TW and HK
                one_off = loc.conversion_cost(self.words.value, price).total
            else:
                one_off = loc.localization_cost(self.words.value, price, review_qa_share=self.review_qa_share).total
            costs.append(one_off + self.moderation.value)
        return np.array(costs)

    def _update(self) -> None:
        self.recompute()
        self.redraw()

    def recompute(self) -> None:
        costs = self.costs()
        self.problem = self.problem.with_costs(costs)
        self.optimal = self.problem.optimal(self.budget.value)
        self.greedy = self.problem.greedy(self.budget.value)
        table = self.problem.marginal_table(self.optimal.languages)
        table["price_per_word"] = self.price.value * self.relative_price
        table["in_greedy"] = table["language"].isin(self.greedy.languages)
        table["reach_per_1000_usd"] = table["reach_per_dollar"] * PER
        self.marginal = table
        # Reach is submodular (a language never gains more people once others are
        # chosen), so each language's stand-alone reach per dollar bounds its bar: the
        # axis depends on costs only, and a budget move redraws nothing but the bars.
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where(costs > 0, self.standalone / costs, 0.0)
        self.axis_max = _nice_ceiling(float(bound.max()) * PER * 1.02)

    # -- view ----------------------------------------------------------------------------
    def _build_figure(self) -> None:
        order = np.argsort(self.model.standalone_reach().to_numpy())  # largest at the top
        self._order = [int(i) for i in order]
        self.figure = Figure(figsize=(5.6, 0.3 * len(self.languages) + 1.3), dpi=80)
        self.canvas = FigureCanvasAgg(self.figure)
        self._background = None
        self._drawn_key: tuple | None = None
        ax = self.figure.add_subplot()
        ax.set_axisbelow(True)
        labels = [f"{self.names[self.languages[i]]} ({self.languages[i]})" for i in self._order]
        self.bars = ax.barh(range(len(labels)), np.zeros(len(labels)), color=OTHER_COLOUR)
        ax.set_yticks(range(len(labels)), labels=labels, fontsize=9)
        ax.set_title("Marginal reach per USD 1,000 (blue: chosen)", fontsize=10)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: loc.format_compact(x, self.locale.value)))
        # Few ticks: "2000万" is twice as wide as "20M", and the axis is a third of the figure.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, min_n_ticks=2))
        ax.set_xlabel("New online speakers per USD 1,000", fontsize=9)
        ax.set_ylabel("Candidate language", fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        self.figure.subplots_adjust(left=0.42, right=0.95, top=0.92, bottom=0.14)
        self.axes = ax

    def _fmt(self, value: float, kind: str = "number") -> str:
        locale = self.locale.value
        if kind == "money":
            return loc.format_currency(value, "USD", locale, decimals=0)
        if kind == "compact":
            return loc.format_compact(value, locale)
        return loc.format_number(value, locale, decimals=0)

    def redraw(self) -> None:
        values = self.marginal["reach_per_1000_usd"].replace(np.inf, 0).to_numpy()
        chosen = self.marginal["chosen"].to_numpy()
        for bar, i in zip(self.bars, self._order):
            bar.set_width(values[i])
            bar.set_color(CHOSEN_COLOUR if chosen[i] else OTHER_COLOUR)
        self._draw_bars()
        ranked = self.marginal.sort_values("reach_per_1000_usd", ascending=False).head(3)
        best = "; ".join(f"{self.names[r.language]} {self._fmt(r.reach_per_1000_usd)}" for r in ranked.itertuples())
        alt = (
            f"Horizontal bar chart of new online speakers reached per USD 1,000 for each candidate "
            f"language, optimal set highlighted. Highest: {best}."
        )
        self.chart.value = _png_html(self.canvas, alt)

        plan, quick = self.optimal, self.greedy
        subsets = 1 << len(self.languages)
        lost = plan.reach - quick.reach
        verdict = (
            "Greedy finds the same reach."
            if lost <= 1e-6 * max(plan.reach, 1)
            else f"<b>Greedy leaves {self._fmt(lost, 'compact')} people unreached</b> "
            f"({loc.format_percent(lost / plan.reach, self.locale.value)} of the optimum)."
        )
        names = lambda p: ", ".join(self.names[t] for t in p.languages) or "none"  # noqa: E731
        self.summary.value = (
            f"<p><b>Optimal</b> (all {self._fmt(subsets)} subsets checked): {html.escape(names(plan))}: "
            f"reaches {self._fmt(plan.reach, 'compact')} more online speakers for "
            f"{self._fmt(plan.cost, 'money')} ({self._fmt(plan.reach_per_dollar * PER, 'compact')} per USD 1,000).<br>"
            f"<b>Greedy</b> (best reach per dollar first): {html.escape(names(quick))}: "
            f"{self._fmt(quick.reach, 'compact')} for {self._fmt(quick.cost, 'money')}. {verdict}</p>"
        )

        rows = []
        for r in self.marginal.sort_values("reach_per_1000_usd", ascending=False).itertuples():
            rows.append(
                f"<tr><td>{html.escape(self.names[r.language])}</td>"
                f"<td style='text-align:right'>"
                f"{loc.format_number(r.price_per_word, self.locale.value, decimals=3)}</td>"
                f"<td style='text-align:right'>{self._fmt(r.cost, 'money')}</td>"
                f"<td style='text-align:right'>{self._fmt(r.marginal_reach, 'compact')}</td>"
                f"<td style='text-align:right'>{self._fmt(r.reach_per_1000_usd, 'compact')}</td>"
                f"<td>{'✓' if r.chosen else ''}</td><td>{'✓' if r.in_greedy else ''}</td></tr>"
            )
        self.table_html.value = (
            "<table><caption>Per language: cost, people gained (or lost if dropped) and reach per "
            "USD 1,000</caption><tr><th>Language</th><th>USD/word</th><th>Cost</th><th>Marginal reach</th>"
            "<th>per USD 1,000</th><th>Optimal</th><th>Greedy</th></tr>" + "".join(rows) + "</table>"
        )

    def _draw_bars(self) -> None:
        """Blit: a full draw only when the axis changes, otherwise bars over a saved background."""
        key = (self.axis_max, self.locale.value)
        if self._background is None or self._drawn_key != key:
            self.axes.set_xlim(0, self.axis_max)
            for bar in self.bars:
                bar.set_visible(False)
            with font_context():
                self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.axes.bbox)
            self._drawn_key = key
            for bar in self.bars:
                bar.set_visible(True)
        self.canvas.restore_region(self._background)
        for bar in self.bars:
            self.axes.draw_artist(bar)


#: The playground's Digits menu: each locale's default numbering system in CLDR (Arabic-Indic
#: digits for ar_EG, Persian ones for fa_IR, Latin for en_US), Latin digits everywhere, or each
#: locale's native digits even where its default is Latin (Devanagari for hi_IN).
DIGIT_CHOICES = (
    ("the locale's own (CLDR default)", "default"),
    ("Latin, 0-9", "latn"),
    ("native (even where the default is Latin)", "native"),
)
PLAYGROUND_COLUMNS = ["locale", "language", "number", "compact", "percent", "currency", "date", "date_long", "digits"]

#: Locales the playground offers besides the course's four (any CLDR locale can be typed).
EXTRA_LOCALES = (
    "zh_Hant_TW",
    "zh_Hant_HK",
    "ja_JP",
    "ko_KR",
    "en_GB",
    "en_IN",
    "fr_FR",
    "de_CH",
    "es_ES",
    "pt_BR",
    "ar_EG",
    "fa_IR",
    "hi_IN",
    "ru_RU",
    "sv_SE",
)


class LocalePlayground(LiveWidget):
    """Format a number, a share, an amount and a date for a chosen set of locales."""

    def __init__(
        self,
        value: float = 1_234_567.891,
        locales: Sequence[str] = loc.COURSE_LOCALES,
        *,
        share: float = 0.123,
        currency: str = "USD",
        date: _dt.date | str = "2025-01-17",
        digits: str = "default",
    ):
        options = list(dict.fromkeys([*loc.COURSE_LOCALES, *EXTRA_LOCALES, *locales]))
        style = {"description_width": "9em"}
        self.value = widgets.FloatText(value=value, description="Number", style=style)
        self.share = widgets.BoundedFloatText(
            value=share, min=0, max=1, step=0.001, description="Share (0 to 1)", style=style
        )
        self.currency = widgets.Dropdown(
            options=["USD", "EUR", "CNY", "DKK", "JPY", "GBP"], value=currency, description="Currency", style=style
        )
        self.date = widgets.DatePicker(
            value=_dt.date.fromisoformat(date) if isinstance(date, str) else date, description="Date", style=style
        )
        self.locales = Checklist(
            "Locales",
            "tick the locales to compare",
            [(f"{code}: {loc.parse_locale(code).get_display_name('en')}", code) for code in options],
            ticked=locales,
            noun="locales",
        )
        self.custom = widgets.Text(
            value="", placeholder="any CLDR locale, e.g. fi_FI or sr-Latn", description="Add a locale", style=style
        )
        self.digits = widgets.Dropdown(
            options=DIGIT_CHOICES, value=digits, description="Digits", style=style, layout=widgets.Layout(width="auto")
        )
        self.output = widgets.HTML()
        self.controls = (self.value, self.share, self.currency, self.date, self.locales, self.custom, self.digits)
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Locale formatting playground</b>: the same figures as each locale writes them."),
                widgets.HBox(
                    [
                        widgets.VBox([self.value, self.share, self.currency, self.date]),
                        widgets.VBox([self.custom, self.digits]),
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.locales.widget,
                self.output,
            ]
        )
        self.table = pd.DataFrame()
        self.message = ""
        for control in self.controls:
            control.observe(self._on_change, names="value")
        self.update()

    def chosen_locales(self) -> list[str]:
        chosen = list(self.locales.value)
        extra = self.custom.value.strip()
        if extra and extra not in chosen:
            chosen.append(extra)
        return chosen

    def _update(self) -> None:
        self.recompute()
        self.redraw()

    def recompute(self) -> None:
        rows, self.message = [], ""
        number = self.value.value if self.value.value is not None else 0.0
        day = self.date.value or _dt.date(2025, 1, 17)
        for name in self.chosen_locales():
            try:
                parsed = loc.parse_locale(name)
            except loc.LocaleError as error:
                self.message = str(error)
                continue
            code = str(parsed)
            system = numbering_system(code, self.digits.value)
            rows.append(
                {
                    "locale": name.strip(),  # as the reader chose it: zh_CN, not Babel's zh_Hans_CN
                    "language": parsed.get_display_name("en"),
                    "number": loc.format_number(number, code, numbering_system=system),
                    "compact": loc.format_compact(number, code, numbering_system=system),
                    "percent": loc.format_percent(self.share.value, code, numbering_system=system),
                    "currency": loc.format_currency(number, self.currency.value, code, numbering_system=system),
                    "date": loc.format_date(day, code, length="medium", numbering_system=system),
                    "date_long": loc.format_date(day, code, length="long", numbering_system=system),
                    "digits": system,
                }
            )
        self.table = pd.DataFrame(rows, columns=PLAYGROUND_COLUMNS)

    def redraw(self) -> None:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("Locale", "Language", "Number", "Compact", "Share", "Money", "Date", "Date (long)", "Digits")
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        warning = f"<p style='color:#b00'>{html.escape(self.message)}</p>" if self.message else ""
        self.output.value = f"{warning}<table>{'<tr>' + head + '</tr>'}{body}</table>"


def build_for_benchmark() -> tuple[LanguageBudgetPlanner, widgets.IntSlider]:
    """A planner on the course data and its budget slider (setting the value updates synchronously)."""
    planner = LanguageBudgetPlanner()
    return planner, planner.budget


def build_playground_for_benchmark() -> tuple[LocalePlayground, widgets.Dropdown]:
    """A playground and its currency dropdown (setting the value updates synchronously)."""
    playground = LocalePlayground()
    return playground, playground.currency


#: Benchmark builders by explorer class, each returning (explorer, control).
EXPLORERS = {
    "LanguageBudgetPlanner": build_for_benchmark,
    "LocalePlayground": build_playground_for_benchmark,
}
