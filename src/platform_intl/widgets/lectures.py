"""The small teaching widgets of lectures 01-05, and the lectures' chart functions.

Widgets (each keeps its model apart from its view: ``update()`` recomputes from the
current control values and redraws; ``.widget`` is what a notebook displays, and the
object itself displays as its widget):

- :class:`MetricSwitcher` (lecture 01): Weibo's registered accounts, MAU and DAU, one
  at a time, with each definition and the AFP story's "more than 400 million".
- :class:`ActivityExplorer` (lecture 02): messages per day divided by registered,
  monthly active or daily active users: the denominator decides the story.
- :class:`ClaimChecker` (lectures 03, 04): a document's figure against the reported one;
  change the headline to see when "more than X" stays true and how much it hides.
- :class:`MonetizationGapExplorer` (lecture 03): why Twitter sold reach abroad to Chinese
  brands: what its users outside the US earned it per 1,000 timeline views.
- :class:`InflowExplorer` (lecture 04): RedNote's new users against its base, and the
  English-language review work they bring.
- :class:`LineageExplorer` (lecture 05): one document's chain of hands, hop by hop.

Lecture 05's locale widget is :class:`platform_intl.widgets.planner.LocalePlayground`.

Figures are matplotlib ``Figure`` objects made without pyplot and reused between updates:
the static parts (axes, ticks, labels, fixed bars) are drawn once, and an update blits the
moving artists over that background (matplotlib blitting), encodes the canvas as PNG and
shows it in an ``ipywidgets.HTML`` as an ``<img>`` with alt text and a "Source:" caption.
An update takes a few milliseconds; the lineage explorer draws each document's chain once.

Chart functions for the lectures return ``(figure, alt_text, plotted_rows)``; the notebook
shows them with :func:`platform_intl.plots.show_figure` and a caption from
``data.cite(plotted_rows, style="short")``:
:func:`weibo_users_figure`, :func:`diaspora_figure`, :func:`registered_vs_active_figure`,
:func:`largest_network_figure`, :func:`rednote_week_figure`, :func:`error_counts_figure`;
and a table, :func:`revenue_per_user_table`.

Benchmark interface, as in :mod:`platform_intl.widgets.market`: :data:`EXPLORERS` maps a
name to a function returning ``(explorer, control)``; setting ``control.value`` runs one
full update, timed in ``explorer.last_update_seconds``.
"""
from __future__ import annotations

import html
import time

import pandas as pd

from platform_intl import localization, plots, sources

FIGURE_DPI = 80
#: The date the AFP story (S1, S2) speaks for, and its headline figure.
AFP_STORY_DATE = "2018-11-30"

_DISPLAY = {"weibo": "Weibo 微博", "xiaohongshu": "Xiaohongshu 小红书 (RedNote)", "twitter": "Twitter",
            "facebook": "Facebook", "tiktok": "TikTok", "lemon8": "Lemon8", "douyin": "Douyin 抖音",
            "wechat": "WeChat 微信"}

METRIC_LABELS = {"registered": "Registered accounts", "MAU": "Monthly active users (MAU)",
                 "DAU": "Daily active users (DAU)"}

#: What each metric is good for, in the course's words (definitions are in data.METRICS).
METRIC_LESSONS = {
    "registered": ("Counts every account ever opened, including abandoned and duplicate ones, so it "
                   "can only grow. It measures sign-ups, not use; the course data has it only for "
                   "2012, before Weibo reported active users."),
    "MAU": ("Counts accounts used at least once in a month. This is the figure behind 'more than 400 "
            "million' in the AFP story. A light user who logs in once counts as much as a daily one."),
    "DAU": ("Counts accounts used on an average day: the engaged core. DAU divided by MAU "
            "('stickiness') says what share of monthly users come back daily."),
}


# --------------------------------------------------------------------------- helpers

def display_name(platform: str, *, short: bool = False) -> str:
    """Platform name for figures, with its Chinese name where it has one (微博, 小红书)."""
    if short and platform == "xiaohongshu":
        return "RedNote 小红书"
    return _DISPLAY.get(platform, platform)


def _plain_ticks(axis) -> None:
    """Log-axis ticks as 0.1, 1, 10, 1k, 1M rather than powers of ten."""
    from matplotlib.ticker import FuncFormatter

    def label(value, _position):
        if value >= 1000:
            return localization.format_compact(value, "en_US", fraction_digits=0)
        return f"{value:g}"

    axis.set_major_formatter(FuncFormatter(label))


def _users(users: pd.DataFrame | None) -> pd.DataFrame:
    from platform_intl import data

    return data.load("platform_users") if users is None else users


def series(users: pd.DataFrame, platform: str, metric: str, scope: str = "global") -> pd.DataFrame:
    """One platform's figures for one metric, oldest first, with plain-string columns."""
    rows = users[(users["platform"] == platform) & (users["metric"] == metric) & (users["scope"] == scope)]
    rows = rows.sort_values("period_end").copy()
    for column in ("platform", "metric", "scope", "unit", "confidence"):
        if column in rows:
            rows[column] = rows[column].astype(str)
    rows["millions"] = rows["value"].astype(float) / 1e6
    rows.attrs = dict(users.attrs)
    return rows.reset_index(drop=True)


def plain_name(platform: str) -> str:
    """Platform name in plain English, for alt text."""
    from platform_intl import data

    return data.PLATFORMS[platform].name if platform in data.PLATFORMS else platform


def decimal_years(dates) -> list[float]:
    """Dates as decimal years (2018.75): numeric axes redraw faster than date axes."""
    stamps = pd.to_datetime(pd.Series(list(dates)))
    return list(stamps.dt.year + (stamps.dt.day_of_year - 1) / 365.25)


def compact(value: float, locale: str = "en_US") -> str:
    return localization.format_compact(float(value), locale, fraction_digits=1)


def _new_figure(size=(7.2, 3.4), ncols: int = 1, width_ratios=None):
    """A figure (outside pyplot, with an Agg canvas) and its axes, made under the course fonts.

    Text artists keep the font family they were created with, so axes are made inside the
    font context: otherwise 微博 in a later title would fall back to a font without it.
    ``ncols=0`` makes no axes (for callers that lay out their own).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _rc():
        fig = Figure(figsize=size, dpi=FIGURE_DPI)
        FigureCanvasAgg(fig)
        if ncols == 0:
            return fig, None
        if ncols == 1:
            return fig, fig.add_subplot()
        return fig, fig.subplots(1, ncols, width_ratios=width_ratios)


def _rc():
    import matplotlib

    from platform_intl import plots

    plots.register_cjk_font()
    return matplotlib.rc_context({"font.family": [plots.LATIN_FONT_NAME, plots.CJK_FONT_NAME],
                                  "axes.unicode_minus": False})


def render_png(fig) -> bytes:
    """The figure as PNG bytes, fast: one Agg draw, light zlib compression, no tight bbox."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with _rc():
        canvas.draw()
    return encode_png(canvas)


def encode_png(canvas) -> bytes:
    """What an Agg canvas holds now (blitted artists included) as PNG."""
    return plots.canvas_png(canvas)


def image_html(png: bytes, alt: str, source: str, caption: str = "") -> str:
    """An accessible figure: ``<img>`` with alt text, and a caption naming the source."""
    return plots.image_html(png, alt=alt, source=str(source), caption=caption)


#: Caption source of the course's own analysis of the documents.
ANALYSIS_SOURCE = ("Course analysis of the five documents (platform_intl.sources; document metadata in "
                   "datasets/sources.csv), read against the originals they derive from")


def _millions_axis(ax, label="Users (millions)"):
    ax.set_ylabel(label)
    ax.set_ylim(bottom=0)


def _citation(frame) -> str:
    """Caption-sized citation of the rows a widget shows."""
    from platform_intl import data

    return str(data.cite(frame, style="short"))


class _Explorer:
    """Shared plumbing: controls observed, one HTML output for the figure, one for text."""

    def _setup(self, controls, extra=(), observed=None):
        """Lay out ``controls``; observe ``observed`` (default: every control) and draw once."""
        import ipywidgets as w

        self.update_count = 0
        self.last_update_seconds = float("nan")
        self.png, self.alt_text = b"", ""
        self.figure_html = w.HTML()
        self.text_html = w.HTML()
        self.widget = w.VBox([*controls, self.figure_html, self.text_html, *extra])
        for control in (controls if observed is None else observed):
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, _change) -> None:
        self.update()

    def update(self) -> None:
        """Recompute from the current control values and redraw (timed)."""
        started = time.perf_counter()
        self._update()
        self.update_count += 1
        self.last_update_seconds = time.perf_counter() - started

    def _snapshot(self) -> None:
        """Draw everything but the animated artists once and keep it as the background."""
        with _rc():
            self._fig.canvas.draw()
        self._background = self._fig.canvas.copy_from_bbox(self._fig.bbox)

    def _blit(self, artists) -> bytes:
        """The background with ``artists`` drawn over it, as PNG (no full redraw)."""
        canvas = self._fig.canvas
        with _rc():
            canvas.restore_region(self._background)
            for artist in artists:
                if artist.get_visible():
                    (artist.axes or self._fig).draw_artist(artist)
        return encode_png(canvas)

    def _show_png(self, png: bytes, alt: str, source: str, caption: str = "") -> None:
        self.png, self.alt_text = png, alt
        self.figure_html.value = image_html(png, alt, source, caption)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# --------------------------------------------------------------------------- lecture 01

def weibo_users_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """Weibo's MAU and DAU over time, the 2012 registered count, and the AFP claim."""
    import seaborn as sns

    users = _users(users)
    frame = pd.concat([series(users, "weibo", m) for m in ("registered", "MAU", "DAU")])
    frame["metric"] = frame["metric"].map(METRIC_LABELS)
    fig, ax = _new_figure((8, 4.2))
    with _rc():
        sns.lineplot(data=frame, x="period_end", y="millions", hue="metric", style="metric",
                     markers=True, dashes=False, ax=ax)
        ax.axhline(400, color="0.35", lw=1, ls="--")
        ax.axvline(pd.Timestamp(AFP_STORY_DATE), color="0.35", lw=1, ls=":")
        ax.text(pd.Timestamp("2012-06-30"), 410, "'more than 400 million' (AFP, Nov 2018)", fontsize=8,
                color="0.25")
        mau = sources.reported(users, "weibo", "MAU", AFP_STORY_DATE)
        ax.annotate(f"{compact(mau['value'], locale)} MAU\n({mau['period_end']:%b %Y})",
                    xy=(mau["period_end"], mau["value"] / 1e6), xytext=(25, -50),
                    textcoords="offset points", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.8))
        ax.set_title("Weibo (微博): three ways to count users, 2012–2025")
        ax.set_xlabel("End of reporting period (year)")
        _millions_axis(ax)
        ax.legend(title=None, fontsize=8, loc="upper left")
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.13)
    mau_all = frame[frame["metric"] == METRIC_LABELS["MAU"]]
    dau_all = frame[frame["metric"] == METRIC_LABELS["DAU"]]
    alt = (f"Line chart of Weibo's reported users in millions. Monthly active users rise from "
           f"{compact(mau_all['value'].iloc[0], locale)} ({mau_all['period_end'].iloc[0]:%B %Y}) to "
           f"{compact(mau_all['value'].max(), locale)} at the peak; daily active users from "
           f"{compact(dau_all['value'].iloc[0], locale)} to {compact(dau_all['value'].max(), locale)}. "
           f"Registered accounts, shown only for 2012, reach {compact(frame['value'].where(frame['metric'] == METRIC_LABELS['registered']).max(), locale)}. "
           f"A dashed line at 400 million marks the AFP story's claim of November 2018, when the "
           f"latest MAU figure was {compact(mau['value'], locale)}.")
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


def diaspora_figure(diaspora: pd.DataFrame | None = None, countries: pd.DataFrame | None = None, *,
                    top: int = 12, locale: str = "en_US"):
    """The largest populations of Chinese descent outside China, coloured by how each was counted."""
    import seaborn as sns

    from platform_intl import data

    diaspora = data.load("chinese_diaspora") if diaspora is None else diaspora
    countries = data.load("countries") if countries is None else countries
    names = dict(zip(countries["territory"], countries["name"]))
    frame = diaspora[diaspora["territory"] != "001"].nlargest(top, "value").copy()
    frame["territory name"] = frame["territory"].map(names).fillna(frame["territory"]).astype(str)
    frame["definition"] = frame["definition"].astype(str)
    frame["millions"] = frame["value"].astype(float) / 1e6
    fig, ax = _new_figure((7.5, 4.2))
    with _rc():
        sns.barplot(data=frame, y="territory name", x="millions", hue="definition", dodge=False, ax=ax)
        ax.set_title("Outside China: the largest populations of Chinese descent")
        ax.set_xlabel("People (millions; counted differently in each territory)")
        ax.set_ylabel("Territory")
        ax.legend(title="How counted", fontsize=8, title_fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.2, right=0.98, top=0.9, bottom=0.13)
    total = diaspora.loc[diaspora["territory"] == "001", "value"]
    lead = frame.iloc[0]
    alt = (f"Horizontal bar chart of the {top} territories with the most people of Chinese descent "
           f"outside China, in millions. {lead['territory name']} leads with "
           f"{compact(lead['value'], locale)}, followed by "
           + ", ".join(f"{r['territory name']} {compact(r['value'], locale)}" for _, r in frame.iloc[1:5].iterrows())
           + ". Bars are coloured by definition (census ethnicity, ancestry, nationality or estimate)"
           + (f"; the worldwide estimate is {compact(total.iloc[0], locale)}." if len(total) else "."))
    frame.attrs = dict(diaspora.attrs)
    return fig, alt, frame


class MetricSwitcher(_Explorer):
    """Pick a metric; the chart redraws that series and the text explains what it counts.

    The lines are drawn once; an update restyles them (highlight, fade, hide), so a
    switch costs one PNG encoding.
    """

    def __init__(self, users: pd.DataFrame | None = None, *, platform: str = "weibo",
                 metric: str = "MAU", locale: str = "en_US"):
        import ipywidgets as w

        from platform_intl import data

        self.users = _users(users)
        self.platform, self.locale = platform, locale
        self.definitions = data.METRICS
        self._series = {m: series(self.users, platform, m) for m in METRIC_LABELS}
        self._summaries = {m: self.summary(m) for m in METRIC_LABELS}
        self._sources = {m: _citation(rows) for m, rows in self._series.items()}
        self._build_figure()
        self.metric = w.ToggleButtons(options=[(label.split(" (")[0], m) for m, label in METRIC_LABELS.items()],
                                      value=metric, description="Metric", style={"button_width": "auto"})
        # Unindented, auto-width boxes: the default width cuts these labels short.
        box = dict(indent=False, layout=w.Layout(width="auto", margin="0 2em 0 0"))
        self.show_others = w.Checkbox(value=False, description="Show the other metrics faintly", **box)
        self.show_claim = w.Checkbox(value=True, description="Show the AFP story's claim", **box)
        self._setup([self.metric, w.HBox([self.show_others, self.show_claim])],
                    observed=[self.metric, self.show_others, self.show_claim])

    COLOURS = {"registered": "#cc78bc", "MAU": "#0173b2", "DAU": "#029e73"}

    def _build_figure(self) -> None:
        """Axes, ticks and legend are drawn once into a background; the lines and the title
        are blitted over it on each update (matplotlib's blitting)."""
        self._fig, self._ax = _new_figure((7.2, 3.4))
        ax = self._ax
        self._fig.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=0.17)
        with _rc():
            self._lines = {m: ax.plot(decimal_years(rows["period_end"]), rows["millions"], marker="o",
                                      color=self.COLOURS[m], label=METRIC_LABELS[m], animated=True)[0]
                           for m, rows in self._series.items()}
            self._claim = [ax.axhline(400, color="#de8f05", lw=1.2, ls="--", animated=True,
                                      label="'more than 400 million' (Nov 2018)"),
                           ax.axvline(decimal_years([pd.Timestamp(AFP_STORY_DATE)])[0], color="#de8f05",
                                      lw=1, ls=":", animated=True)]
            ax.set_xlim(2012, 2026)
            top = max(float(rows["millions"].max()) for rows in self._series.values() if len(rows))
            ax.set_ylim(0, top * 1.12)
            ax.set_xlabel("End of reporting period (year)")
            ax.set_ylabel("Users (millions)")
            ax.legend(handles=[*self._lines.values(), self._claim[0]], fontsize=8, loc="upper left")
            self._title = ax.set_title(" ", fontsize=11)
            self._title.set_animated(True)
        self._snapshot()

    def _draw_dynamic(self) -> bytes:
        ordered = sorted(self._lines.values(), key=lambda line: line.get_zorder())
        return self._blit([*self._claim, *ordered, self._title])

    def summary(self, metric: str) -> dict:
        """Numbers the text reports for one metric (model only, no drawing)."""
        rows = self._series[metric]
        at_claim = sources.reported(self.users, self.platform, metric, AFP_STORY_DATE)
        result = {"metric": metric, "points": len(rows),
                  "first": rows.iloc[0] if len(rows) else None, "last": rows.iloc[-1] if len(rows) else None,
                  "at_claim": at_claim, "stickiness": None}
        mau = sources.reported(self.users, self.platform, "MAU", AFP_STORY_DATE)
        dau = sources.reported(self.users, self.platform, "DAU", AFP_STORY_DATE)
        if mau is not None and dau is not None and mau["period_end"] == dau["period_end"]:
            result["stickiness"] = float(dau["value"]) / float(mau["value"])
        return result

    def _update(self) -> None:
        metric, locale = self.metric.value, self.locale
        rows = self._series[metric]
        for other, line in self._lines.items():
            chosen = other == metric
            line.set_visible(chosen or self.show_others.value)
            line.set_alpha(1.0 if chosen else 0.3)
            line.set_linewidth(2.4 if chosen else 1)
            line.set_zorder(3 if chosen else 2)
        for artist in self._claim:
            artist.set_visible(self.show_claim.value)
        self._title.set_text(f"{display_name(self.platform)}: {METRIC_LABELS[metric]}")
        info = self._summaries[metric]
        first, last = info["first"], info["last"]
        alt = (f"Line chart of {plain_name(self.platform)}'s {METRIC_LABELS[metric]} in millions: "
               f"{info['points']} reported values, from {compact(first['value'], locale)} in "
               f"{first['period_end']:%B %Y} to {compact(last['value'], locale)} in {last['period_end']:%B %Y}.")
        if self.show_others.value:
            alt += " The other metrics are drawn faintly for comparison."
        if self.show_claim.value:
            alt += " A dashed line marks the AFP story's 'more than 400 million' of November 2018."
        self.png, self.alt_text = self._draw_dynamic(), alt
        self.figure_html.value = image_html(self.png, alt, self._sources[metric])
        at_claim = info["at_claim"]
        if at_claim is None:
            when = "No figure of this kind was reported before the AFP story."
        else:
            when = (f"Latest before the AFP story: <b>{html.escape(compact(at_claim['value'], locale))}</b> "
                    f"for the period ending {html.escape(localization.format_date(at_claim['period_end'], locale))}.")
        sticky = ""
        if metric == "DAU" and info["stickiness"] is not None:
            sticky = (f" DAU/MAU then: <b>{html.escape(localization.format_percent(info['stickiness'], locale))}"
                      "</b> of monthly users came back on an average day.")
        self.text_html.value = (f"<p><b>{html.escape(METRIC_LABELS[metric])}.</b> "
                                f"{html.escape(self.definitions.get(metric, ''))}</p>"
                                f"<p>{html.escape(METRIC_LESSONS[metric])}</p><p>{when}{sticky}</p>")


# --------------------------------------------------------------------------- lecture 02

def registered_vs_active_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """Registered accounts (Dec 2012) against Weibo's first MAU and DAU figures (Dec 2013)."""
    import seaborn as sns

    users = _users(users)
    picks = [("registered", "2012-12-31"), ("MAU", "2013-12-31"), ("DAU", "2013-12-31")]
    rows = pd.concat([series(users, "weibo", m).query("period_end == @pd.Timestamp(@d)") for m, d in picks])
    rows["bar"] = [f"{METRIC_LABELS[m].split(' (')[0]}\n{d:%b %Y}" for m, d in zip(rows["metric"], rows["period_end"])]
    fig, ax = _new_figure((6.8, 3.8))
    with _rc():
        sns.barplot(data=rows, x="bar", y="millions", hue="bar", legend=False, ax=ax)
        for index, value in enumerate(rows["value"]):
            ax.text(index, value / 1e6 + 8, compact(value, locale), ha="center", fontsize=9)
        ax.set_title("Sina Weibo (新浪微博): accounts are not users")
        ax.set_xlabel("Metric and period")
        _millions_axis(ax, "Accounts or users (millions)")
        ax.set_ylim(0, rows["millions"].max() * 1.12)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.17)
    values = dict(zip(rows["metric"], rows["value"]))
    alt = (f"Bar chart: {compact(values['registered'], locale)} registered accounts in December 2012 against "
           f"Weibo's first reported monthly active users, {compact(values['MAU'], locale)}, and daily active "
           f"users, {compact(values['DAU'], locale)}, in December 2013. The registered bar is about "
           f"{localization.format_number(values['registered'] / values['MAU'], locale, decimals=1)} times the MAU bar.")
    rows.attrs = dict(users.attrs)
    return fig, alt, rows


class ActivityExplorer(_Explorer):
    """Messages per day divided by three denominators; sliders set the active shares."""

    def __init__(self, users: pd.DataFrame | None = None, *, locale: str = "en_US"):
        import ipywidgets as w

        self.users, self.locale = _users(users), locale
        self.messages_row = series(self.users, "weibo", "messages_per_day").iloc[-1]
        self.registered_row = series(self.users, "weibo", "registered").query(
            "period_end == @self.messages_row['period_end']").iloc[0]
        mau = series(self.users, "weibo", "MAU").iloc[0]
        dau = series(self.users, "weibo", "DAU").query("period_end == @mau['period_end']").iloc[0]
        self.reference = {"monthly": float(mau["value"]) / float(self.registered_row["value"]),
                          "daily": float(dau["value"]) / float(mau["value"]),
                          "period": mau["period_end"]}
        self._source = _citation(pd.DataFrame([self.messages_row, self.registered_row, mau, dau]))
        self._fig, self._ax = _new_figure((7.2, 3.2))
        self._fig.subplots_adjust(left=0.3, right=0.97, top=0.87, bottom=0.17)
        style = {"description_width": "260px"}
        layout = w.Layout(width="560px")
        self.monthly_share = w.FloatSlider(value=round(self.reference["monthly"], 3), min=0.05, max=1, step=0.01,
                                           readout_format=".0%", style=style, layout=layout,
                                           description="Registered accounts active in a month")
        self.daily_share = w.FloatSlider(value=round(self.reference["daily"], 3), min=0.05, max=1, step=0.01,
                                         readout_format=".0%", style=style, layout=layout,
                                         description="Monthly users active on a day")
        self._setup([self.monthly_share, self.daily_share])

    def compute(self) -> dict[str, float]:
        """Messages per day per account, per monthly active user and per daily active user."""
        messages = float(self.messages_row["value"])
        registered = float(self.registered_row["value"])
        monthly = registered * self.monthly_share.value
        daily = monthly * self.daily_share.value
        return {"registered account": messages / registered, "monthly active user": messages / monthly,
                "daily active user": messages / daily}

    #: Fixed logarithmic range: every slider setting fits, so the axes never redraw.
    X_RANGE = (0.1, 100)

    def _build_figure(self, rates: dict[str, float]) -> None:
        ax = self._ax
        with _rc():
            self._bars = ax.barh([f"per {k}" for k in rates], [1] * len(rates), left=self.X_RANGE[0],
                                 color=["#949494", "#0173b2", "#029e73"], animated=True)
            self._labels = [ax.text(0, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=9,
                                    animated=True) for bar in self._bars]
            ax.set_xscale("log")
            ax.set_xlim(*self.X_RANGE)
            _plain_ticks(ax.xaxis)
            ax.invert_yaxis()
            ax.set_title("Sina Weibo (新浪微博), c. 2012: messages per day, per …", fontsize=11)
            ax.set_xlabel("Messages per day per person or account (log scale)")
            ax.set_ylabel("Denominator")
        self._snapshot()

    def _update(self) -> None:
        rates, locale = self.compute(), self.locale
        if not hasattr(self, "_bars"):
            self._build_figure(rates)
        for bar, label, value in zip(self._bars, self._labels, rates.values()):
            shown = min(max(value, self.X_RANGE[0]), self.X_RANGE[1])
            bar.set_width(shown - self.X_RANGE[0])
            label.set_x(shown)
            label.set_text(" " + localization.format_number(value, locale, decimals=2))
        png = self._blit([*self._bars, *self._labels])
        alt = ("Horizontal bar chart of messages per day: "
               + "; ".join(f"{localization.format_number(v, locale, decimals=2)} per {k}" for k, v in rates.items())
               + f", assuming {localization.format_percent(self.monthly_share.value, locale, decimals=0)} of "
                 f"registered accounts are active in a month and "
                 f"{localization.format_percent(self.daily_share.value, locale, decimals=0)} of those on a day.")
        self._show_png(png, alt, self._source)
        ref = self.reference
        self.text_html.value = (
            "<p>The numerator stays the same (about "
            f"{html.escape(compact(self.messages_row['value'], locale))} messages a day); only the denominator "
            "changes. Sliders start at the ratios of Weibo's first active-user report "
            f"({html.escape(localization.format_date(ref['period'], locale))}): MAU was "
            f"{html.escape(localization.format_percent(ref['monthly'], locale))} of the registered count of a year "
            f"earlier, and DAU {html.escape(localization.format_percent(ref['daily'], locale))} of MAU. "
            "Mixing dates is a rough assumption: move the sliders to see how much it matters.</p>")


# --------------------------------------------------------------------------- claims (01-04)

class ClaimChecker(_Explorer):
    """A document's figure against the reported one; try other headline figures."""

    def __init__(self, users: pd.DataFrame | None = None, *, claim: str = "weibo_mau_2018",
                 locale: str = "en_US"):
        import ipywidgets as w

        self.users, self.locale = _users(users), locale
        sources.get_claim(claim)
        self._fig, self._ax = _new_figure((7.2, 3.0))
        self._fig.subplots_adjust(left=0.34, right=0.95, top=0.86, bottom=0.18)
        self.claim = w.Dropdown(options=[(f"{c.document}: {c.wording}", c.key) for c in sources.CLAIMS],
                                value=claim, description="Claim", layout=w.Layout(width="620px"))
        self.headline = w.FloatSlider(min=0, max=700, step=5, description="Headline (millions)",
                                      style={"description_width": "150px"}, layout=w.Layout(width="560px"))
        self._muted = False
        self.claim.observe(self._on_claim, names="value")
        self._reset_headline()
        self.check = None
        self._setup([self.claim, self.headline], observed=[self.headline])

    def _reset_headline(self) -> None:
        claim = sources.get_claim(self.claim.value)
        self._muted = True
        try:
            self.headline.disabled = claim.headline is None
            if claim.headline is not None:
                self.headline.value = claim.headline / 1e6
        finally:
            self._muted = False

    def _on_claim(self, _change) -> None:
        self._reset_headline()
        self.update()

    def _on_change(self, _change) -> None:
        if not self._muted:
            self.update()

    def compute(self):
        """The :class:`platform_intl.sources.ClaimCheck` for the current controls."""
        claim = sources.get_claim(self.claim.value)
        headline = None if claim.headline is None else self.headline.value * 1e6
        return sources.check_claim(claim.key, self.users, headline=headline, locale=self.locale)

    def _draw_claim(self, check) -> None:
        """Axes, reported bars and title for one claim; the headline bar is blitted later."""
        claim, locale, ax = check.claim, self.locale, self._ax
        labels, values, colours = [], [], []
        if check.headline is not None:
            labels.append(f"{claim.document} says ({claim.qualifier})")
            values.append(check.headline)
            colours.append("#de8f05")
        for platform, value, period, colour in ((claim.platform, check.reported_value, check.reported_period,
                                                 "#0173b2"),
                                                (claim.comparator, check.comparator_value,
                                                 check.comparator_period, "#029e73")):
            if value is not None:
                labels.append(f"{display_name(platform, short=True)} {claim.metric}, reported\n"
                              f"{pd.Timestamp(period):%b %Y}")
                values.append(value)
                colours.append(colour)
        with _rc():
            ax.clear()
            bars = ax.barh(labels, [v / 1e6 for v in values], color=colours)
            texts = [ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + compact(value, locale),
                             va="center", fontsize=9) for bar, value in zip(bars, values)]
            ax.invert_yaxis()
            top = max(values + ([self.headline.max * 1e6] if check.headline is not None else []))
            ax.set_xlim(0, top / 1e6 * 1.2)
            ax.set_title(f"Claim check: {claim.wording}", fontsize=11)
            ax.set_xlabel(f"{METRIC_LABELS.get(claim.metric, claim.metric)} (millions)")
            ax.set_ylabel("Figure")
        self._headline_artists = []
        if check.headline is not None:  # the slider moves only these two
            bars[0].set_animated(True)
            texts[0].set_animated(True)
            self._headline_artists = [bars[0], texts[0]]
        self._snapshot()
        self._drawn_claim = claim.key
        self._source = _citation(pd.DataFrame(check.rows)) if check.rows else "datasets/platform_users.csv"

    def _update(self) -> None:
        check = self.check = self.compute()
        claim, locale = check.claim, self.locale
        if getattr(self, "_drawn_claim", None) != claim.key:
            self._draw_claim(check)
        spoken = []
        if check.headline is not None:
            bar, text = self._headline_artists
            bar.set_width(check.headline / 1e6)
            text.set_x(check.headline / 1e6)
            text.set_text(" " + compact(check.headline, locale))
            spoken.append(f"{claim.document} says {claim.qualifier} {compact(check.headline, locale)}")
        for platform, value, period in ((claim.platform, check.reported_value, check.reported_period),
                                        (claim.comparator, check.comparator_value, check.comparator_period)):
            if value is not None:
                spoken.append(f"{plain_name(platform)} reported {compact(value, locale)} {claim.metric} "
                              f"for {pd.Timestamp(period):%B %Y}")
        alt = "Bar chart comparing figures: " + "; ".join(spoken) + f". Verdict: {check.verdict}."
        self._show_png(self._blit(self._headline_artists), alt, self._source)
        details = "".join(f"<li>{html.escape(d)}</li>" for d in check.details)
        self.text_html.value = (f"<p><b>Verdict:</b> {html.escape(check.verdict)}.</p><ul>{details}</ul>"
                                f"<p><b>Lesson:</b> {html.escape(claim.lesson)}</p>")


# --------------------------------------------------------------------------- lecture 03

def largest_network_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """MAU of Facebook, Twitter and Weibo, 2011-2018, with the date of the 'world's largest' claim."""
    import seaborn as sns

    users = _users(users)
    frame = pd.concat([series(users, p, "MAU") for p in ("facebook", "twitter", "weibo")])
    frame = frame[(frame["period_end"] >= "2011-01-01") & (frame["period_end"] <= "2018-12-31")].copy()
    frame["platform"] = frame["platform"].map(display_name)
    claim = sources.check_claim("twitter_largest_2015", users, locale=locale)
    fig, ax = _new_figure((7.8, 4.0))
    with _rc():
        sns.lineplot(data=frame, x="period_end", y="millions", hue="platform", style="platform",
                     markers=True, dashes=False, ax=ax)
        ax.axvline(pd.Timestamp(claim.claim.as_of), color="0.35", lw=1, ls=":")
        ax.text(pd.Timestamp(claim.claim.as_of), 900, " 'world's largest'\n (S5, May 2015)", fontsize=8,
                va="top", color="0.25")
        ax.set_title("Monthly active users of Facebook, Twitter and Weibo (微博), 2011–2018",
                     fontsize=11)
        ax.set_xlabel("End of reporting period (year)")
        _millions_axis(ax, "Monthly active users (millions)")
        ax.legend(title=None, fontsize=8, loc="upper left")
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.13)
    facebook_first = frame.loc[frame["platform"] == display_name("facebook"), "value"].iloc[0]
    alt = (f"Line chart of monthly active users, in millions, 2011 to 2018. Facebook grows from "
           f"{compact(facebook_first, locale)} "
           f"to over two billion; Twitter stays between about 200 and 330 million; Weibo overtakes Twitter in 2017. "
           f"At the May 2015 claim Twitter had {compact(claim.reported_value, locale)} and Facebook "
           f"{compact(claim.comparator_value, locale)}.")
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


def revenue_per_user_table(revenue: pd.DataFrame | None = None, users: pd.DataFrame | None = None,
                           *, locale: str = "en_US") -> pd.DataFrame:
    """Quarterly revenue per monthly active user wherever the data has both figures."""
    from babel.numbers import format_compact_currency

    from platform_intl import data, sizing

    revenue = data.load("revenue") if revenue is None else revenue
    users = _users(users)
    rows = []
    for r in revenue[revenue["metric"] == "total_revenue"].itertuples():
        mau = users[(users["platform"] == str(r.company)) & (users["metric"] == "MAU")
                    & (users["scope"] == "global") & (users["period_end"] == r.period_end)]
        if mau.empty:
            continue
        per_user = sizing.revenue_per_user(float(r.value), float(mau["value"].iloc[0]))
        rows.append({"platform": display_name(str(r.company)), "quarter": r.period,
                     "revenue": format_compact_currency(float(r.value), "USD", locale=locale, fraction_digits=1),
                     "MAU": compact(float(mau["value"].iloc[0]), locale),
                     "revenue per MAU": localization.format_currency(per_user, "USD", locale),
                     "revenue per MAU (USD)": round(per_user, 2)})
    return pd.DataFrame(rows)


class MonetizationGapExplorer(_Explorer):
    """Blended ad revenue per 1,000 timeline views as the audience moves abroad."""

    def __init__(self, revenue: pd.DataFrame | None = None, *, locale: str = "en_US"):
        import ipywidgets as w

        from platform_intl import data

        revenue = data.load("revenue") if revenue is None else revenue
        rows = revenue[revenue["metric"] == "ad_revenue_per_1000_timeline_views"]
        self.rates = {str(scope): float(value) for scope, value in zip(rows["scope"], rows["value"])}
        self.period = str(rows["period"].iloc[0])
        self._source = _citation(rows)
        self.locale = locale
        self._fig, self._ax = _new_figure((7.2, 3.0))
        self._fig.subplots_adjust(left=0.3, right=0.95, top=0.86, bottom=0.18)
        style = {"description_width": "250px"}
        layout = w.Layout(width="560px")
        self.share_abroad = w.FloatSlider(value=0.5, min=0, max=1, step=0.05, readout_format=".0%",
                                          description="Share of timeline views outside the US",
                                          style=style, layout=layout)
        self.uplift = w.FloatSlider(value=1.0, min=1.0, max=5.0, step=0.1, readout_format=".1f",
                                    description="Rate abroad × (advertisers buying reach)", style=style,
                                    layout=layout)
        self._setup([self.share_abroad, self.uplift])

    def compute(self) -> dict[str, float]:
        abroad = self.rates["ex-US"] * self.uplift.value
        share = self.share_abroad.value
        return {"US": self.rates["US"], "outside the US": abroad,
                "blended": (1 - share) * self.rates["US"] + share * abroad}

    def _build_figure(self) -> None:
        ax = self._ax
        names = ["US", "outside the US", "blended"]
        with _rc():
            self._bars = ax.barh(names, [1, 1, 1], color=["#949494", "#de8f05", "#0173b2"], animated=True)
            self._labels = [ax.text(0, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=9,
                                    animated=True) for bar in self._bars]
            ax.invert_yaxis()
            widest = max(self.rates["US"], self.rates["ex-US"] * self.uplift.max)
            ax.set_xlim(0, widest * 1.3)
            ax.set_title(f"Twitter ad revenue per 1,000 timeline views ({self.period})", fontsize=11)
            ax.set_xlabel("US dollars per 1,000 timeline views")
            ax.set_ylabel("Audience")
        self._snapshot()

    def _update(self) -> None:
        values, locale = self.compute(), self.locale
        if not hasattr(self, "_bars"):
            self._build_figure()
        for bar, label, value in zip(self._bars, self._labels, values.values()):
            bar.set_width(value)
            label.set_x(value)
            label.set_text(" " + localization.format_currency(value, "USD", locale))
        png = self._blit([*self._bars, *self._labels])
        alt = ("Bar chart of Twitter's advertising revenue per 1,000 timeline views: "
               + "; ".join(f"{k} {localization.format_currency(v, 'USD', locale)}" for k, v in values.items())
               + f", with {localization.format_percent(self.share_abroad.value, locale, decimals=0)} of views "
                 "outside the US.")
        self._show_png(png, alt, self._source)
        gap = self.rates["US"] / self.rates["ex-US"]
        self.text_html.value = (
            f"<p>In {html.escape(self.period)} a US timeline view earned Twitter about "
            f"{html.escape(localization.format_number(gap, locale, decimals=1))} times as much as one elsewhere. "
            "The more of the audience lives abroad, the lower the blend, unless someone pays more to reach "
            "it. Raise the second slider: that is what selling reach abroad to outbound Chinese brands "
            "would have to do.</p>")


# --------------------------------------------------------------------------- lecture 04

def rednote_week_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """US daily users of TikTok, RedNote and Lemon8 in the week of 13 January 2025 (estimates)."""
    import seaborn as sns

    users = _users(users)
    frame = users[(users["metric"] == "DAU") & (users["scope"] == "US")
                  & (users["period_end"] == pd.Timestamp("2025-01-13"))].copy()
    frame["platform"] = frame["platform"].astype(str)
    ranks = users[(users["metric"] == "app_rank") & (users["period_end"] == pd.Timestamp("2025-01-13"))]
    rank_of = {str(p): int(v) for p, v in zip(ranks["platform"], ranks["value"])}
    frame["app"] = [display_name(p) + (f"\n(No. {rank_of[p]} free app)" if p in rank_of else "")
                    for p in frame["platform"]]
    frame = frame.sort_values("value", ascending=False)
    frame["millions"] = frame["value"].astype(float) / 1e6
    fig, ax = _new_figure((7.2, 3.4))
    with _rc():
        sns.barplot(data=frame, y="app", x="millions", hue="app", legend=False, ax=ax)
        for index, value in enumerate(frame["value"]):
            ax.text(value / 1e6, index, " " + compact(value, locale), va="center", fontsize=9)
        ax.set_xlim(0, frame["millions"].max() * 1.2)
        ax.set_title("Week of 13 January 2025: US daily users (third-party estimates)", fontsize=11)
        ax.set_xlabel("Daily active users in the US (millions)")
        ax.set_ylabel("App (US App Store rank)")
    fig.subplots_adjust(left=0.33, right=0.97, top=0.88, bottom=0.16)
    alt = ("Horizontal bar chart of estimated US daily active users in the week of 13 January 2025: "
           + "; ".join(f"{plain_name(p)} {compact(v, locale)}" for p, v in zip(frame["platform"], frame["value"]))
           + ". RedNote, the No. 1 free app that week, had a small fraction of TikTok's US audience.")
    frame = pd.concat([frame, ranks])
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


class InflowExplorer(_Explorer):
    """New users against the base, and what they bring: posts in a language nobody reviews yet."""

    def __init__(self, users: pd.DataFrame | None = None, *, locale: str = "en_US"):
        import ipywidgets as w

        self.users, self.locale = _users(users), locale
        self.base_row = series(self.users, "xiaohongshu", "MAU").iloc[-1]
        self.inflow_row = series(self.users, "xiaohongshu", "new_users").iloc[-1]
        self._source = _citation(pd.DataFrame([self.base_row, self.inflow_row]))
        self._fig, self._axes = _new_figure((8.2, 3.2), ncols=2, width_ratios=[1.1, 1])
        self._fig.subplots_adjust(left=0.09, right=0.97, top=0.8, bottom=0.25, wspace=0.5)
        style = {"description_width": "250px"}
        layout = w.Layout(width="560px")
        self.new_users = w.IntSlider(value=int(self.inflow_row["value"] / 1000), min=100, max=10_000, step=100,
                                     description="New users (thousands)", style=style, layout=layout)
        self.english_share = w.FloatSlider(value=0.8, min=0, max=1, step=0.05, readout_format=".0%",
                                           description="Post in English (assumption)", style=style, layout=layout)
        self.posts_per_user = w.FloatSlider(value=1.0, min=0.1, max=5, step=0.1, readout_format=".1f",
                                            description="Posts per new user per day (assumption)",
                                            style=style, layout=layout)
        self.reviews_per_moderator = w.IntSlider(value=500, min=100, max=3000, step=50,
                                                 description="Posts one reviewer checks a day (assumption)",
                                                 style=style, layout=layout)
        self._setup([self.new_users, self.english_share, self.posts_per_user, self.reviews_per_moderator])

    def compute(self) -> dict[str, float]:
        """The inflow against the base and the English review work it brings (no drawing)."""
        new = self.new_users.value * 1000
        base = float(self.base_row["value"])
        english_posts = new * self.english_share.value * self.posts_per_user.value
        return {"base": base, "new": new, "share_of_base": new / base, "english_posts_per_day": english_posts,
                "reviewers_needed": english_posts / self.reviews_per_moderator.value}

    #: Fixed logarithmic range of the reviewer chart: every slider setting fits.
    REVIEWER_RANGE = (1, 1_000_000)

    def _build_figure(self) -> None:
        """Static: the base bar, axes and labels. Blitted: the new-user bar, the reviewer bar,
        their labels and the two panel titles."""
        left, right = self._axes
        base = float(self.base_row["value"]) / 1e6
        base_label = f"Existing users\n(MAU, {self.base_row['period_end']:%b %Y})"
        with _rc():
            bars = left.bar([base_label, "New users"], [base, 0], color=["#949494", "#de8f05"])
            self._new_bar = bars[1]
            self._new_label = left.text(1, 0, "", ha="center", va="bottom", fontsize=9)
            left.set_ylim(0, base * 1.15)
            left.set_ylabel("Users (millions)")
            left.set_xlabel("Xiaohongshu 小红书 (RedNote)")
            self._left_title = left.set_title(" ", fontsize=10)
            self._review_bar = right.barh(["English\nreviewers\nneeded"], [1], left=self.REVIEWER_RANGE[0],
                                          color="#029e73")[0]
            self._review_label = right.text(0, 0, "", va="center", fontsize=9)
            right.set_xscale("log")
            right.set_xlim(*self.REVIEWER_RANGE)
            _plain_ticks(right.xaxis)
            right.set_xlabel("Full-time English reviewers (log scale)")
            self._right_title = right.set_title(" ", fontsize=10)
            self._fig.suptitle("RedNote and the 'TikTok refugees', January 2025", x=0.02, ha="left", fontsize=11)
        self._moving = [self._new_bar, self._new_label, self._left_title, self._review_bar, self._review_label,
                        self._right_title]
        for artist in self._moving:
            artist.set_animated(True)
        self._snapshot()

    def _update(self) -> None:
        m, locale = self.compute(), self.locale
        if not hasattr(self, "_moving"):
            self._build_figure()
        self._new_bar.set_height(m["new"] / 1e6)
        self._new_label.set_position((1, m["new"] / 1e6))
        self._new_label.set_text(compact(m["new"], locale))
        self._left_title.set_text(f"Inflow: {localization.format_percent(m['share_of_base'], locale, decimals=2)} "
                                  "of the base")
        reviewers = m["reviewers_needed"]
        shown = min(max(reviewers, self.REVIEWER_RANGE[0]), self.REVIEWER_RANGE[1])
        self._review_bar.set_width(shown - self.REVIEWER_RANGE[0])
        self._review_label.set_position((shown, 0))
        self._review_label.set_text(" " + localization.format_number(round(reviewers), locale))
        self._right_title.set_text(f"{localization.format_number(round(m['english_posts_per_day']), locale)} "
                                   "English posts a day")
        png = self._blit(self._moving)
        alt = (f"Two bar charts. Left: {compact(m['base'], locale)} existing monthly users against "
               f"{compact(m['new'], locale)} new users, "
               f"{localization.format_percent(m['share_of_base'], locale, decimals=2)} of the base. Right: about "
               f"{localization.format_number(round(m['english_posts_per_day']), locale)} English posts a day, "
               f"needing about {localization.format_number(round(reviewers), locale)} full-time reviewers.")
        self._show_png(png, alt, self._source,
                       "Posting rate, English share and reviewer throughput are assumptions set by the sliders.")
        self.text_html.value = (
            f"<p>The reported inflow ({html.escape(compact(self.inflow_row['value'], locale))} new users in two days, "
            "a lower bound) is tiny next to the base, yet almost all of it arrives in a language the platform "
            "did not review before. Small relative growth, new absolute work: that is why the company was "
            "reported to be hiring English content reviewers and planning translation features.</p>")


# --------------------------------------------------------------------------- lecture 05: lineage

class LineageExplorer(_Explorer):
    """Pick a document: its chain of hands, hop by hop, and what changed at each hop."""

    def __init__(self, document: str = "S1"):
        import ipywidgets as w

        self._frame = sources.sources_frame()
        self._source = ANALYSIS_SOURCE
        self._fig, _ = _new_figure((8.4, 3.2), ncols=0)
        self._rendered: dict[str, bytes] = {}
        options = [(f"{d}: {self._frame.loc[d, 'outlet']}", d) for d in sources.DOCUMENTS]
        self.document = w.Dropdown(options=options, value=document, description="Document",
                                   layout=w.Layout(width="620px"))
        self._setup([self.document])

    def compute(self) -> dict:
        doc = self.document.value
        hops = sources.lineage_table(doc)
        derived = hops[hops["kind of link"] == "derived from"]
        card = sources.source_card(doc, frame=self._frame)
        return {"document": doc, "hops": hops, "steps": len(sources.upstream(doc)) - 1,
                "translations": int(derived["relation"].str.contains("→").sum()),
                "checks": int((hops["kind of link"] == "checked against").sum()), "card": card}

    def _update(self) -> None:
        info = self.compute()
        doc = info["document"]
        if doc not in self._rendered:  # a chain never changes: draw each once
            with _rc():
                sources.draw_chain(doc, fig=self._fig)
            self._rendered[doc] = render_png(self._fig)
        self.png, self.alt_text = self._rendered[doc], sources.lineage_alt(doc)
        self.figure_html.value = image_html(self.png, self.alt_text, self._source)
        rows = "".join(f"<tr><td>{html.escape(r['from'])}</td><td>{html.escape(r['relation'])}</td>"
                       f"<td>{html.escape(r['to'])}</td><td>{html.escape(r['what changed'])}</td></tr>"
                       for _, r in info["hops"].iterrows())
        card = info["card"]
        self.text_html.value = (
            f"<p><b>{html.escape(doc)}</b> ({html.escape(card.kind)}, {html.escape(card.language)}): "
            f"{info['steps']} hands between the event and the text we read, "
            f"{info['translations']} translation(s) on the way"
            + (f", {info['checks']} independent check(s)" if info["checks"] else "") + ".</p>"
            '<table style="font-size:90%"><thead><tr><th>from</th><th>relation</th><th>to</th>'
            f"<th>what changed</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p><b>Watch for:</b> {html.escape(card.watch_for)}</p>")


# --------------------------------------------------------------------------- lecture 05

def error_counts_figure():
    """Translation errors in S1, S2 and S4 by MQM category (the course's catalogue)."""
    import seaborn as sns

    counts = sources.error_counts()
    names = {"S1": "S1 Danish (machine, from English)", "S2": "S2 English (from French)",
             "S4": "S4 German (from English)"}
    counts["document"] = counts["document"].map(names)
    fig, ax = _new_figure((7.6, 3.8))
    with _rc():
        sns.barplot(data=counts, x="category", y="errors", hue="document", ax=ax)
        ax.set_title("Translation errors catalogued per document and category (MQM)", fontsize=11)
        ax.set_xlabel("Error category")
        ax.set_ylabel("Errors catalogued (count)")
        ax.legend(title=None, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.15)
    totals = counts.groupby("document")["errors"].sum()
    by_category = sources.error_counts()
    top = by_category.groupby("category")["errors"].sum().idxmax()
    alt = ("Grouped bar chart of translation errors catalogued by the course: "
           + "; ".join(f"{d}: {int(n)}" for d, n in totals.items())
           + f". {top} errors are the most common, almost all in the Danish machine translation.")
    return fig, alt, sources.translation_errors()


# --------------------------------------------------------------------------- benchmarks

def _bench(cls, attribute, **kwargs):
    def build():
        explorer = cls(**kwargs)
        return explorer, getattr(explorer, attribute)
    return build


EXPLORERS = {
    "lecture_metric_switcher": _bench(MetricSwitcher, "metric"),
    "lecture_activity": _bench(ActivityExplorer, "monthly_share"),
    "lecture_claim_checker": _bench(ClaimChecker, "headline"),
    "lecture_monetization_gap": _bench(MonetizationGapExplorer, "share_abroad"),
    "lecture_inflow": _bench(InflowExplorer, "new_users"),
    "lecture_lineage": _bench(LineageExplorer, "document"),
}
