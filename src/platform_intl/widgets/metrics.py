"""User metrics: registered accounts, MAU and DAU over time, and the diaspora (lectures 01-02)."""

from __future__ import annotations

import html
from typing import ClassVar

import pandas as pd

from platform_intl import localization, sources

from . import base
from .base import LiveWidget, bench_builder, compact, slider

# --------------------------------------------------------------------------- lecture 01


def weibo_users_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """Weibo's MAU and DAU over time, the 2012 registered count, and the AFP claim."""
    import seaborn as sns

    users = base.users_or_load(users)
    frame = pd.concat([base.series(users, "weibo", m) for m in ("registered", "MAU", "DAU")])
    frame["metric"] = frame["metric"].map(base.METRIC_LABELS)
    claim = sources.get_claim("weibo_mau_2018")
    assert claim.headline is not None  # the AFP claim is a number
    claim_words = f"{claim.qualifier} {compact(claim.headline, 'en_US').replace('M', ' million')}"
    story_month = f"{pd.Timestamp(base.AFP_STORY_DATE):%b %Y}"
    fig, ax = base.new_figure((8, 4.2))
    with base.font_context():
        sns.lineplot(
            data=frame, x="period_end", y="millions", hue="metric", style="metric", markers=True, dashes=False, ax=ax
        )
        ax.axhline(claim.headline / 1e6, color="0.35", lw=1, ls="--")
        ax.axvline(pd.Timestamp(base.AFP_STORY_DATE), color="0.35", lw=1, ls=":")
        ax.text(
            pd.Timestamp("2012-06-30"),
            claim.headline / 1e6 * 1.025,
            f"'{claim_words}' (AFP, {story_month})",
            fontsize=8,
            color="0.25",
        )
        mau = sources.reported(users, "weibo", "MAU", base.AFP_STORY_DATE)
        if mau is None:
            raise ValueError("platform_users has no Weibo MAU figure on or before the AFP story")
        ax.annotate(
            f"{compact(mau['value'], locale)} MAU\n({mau['period_end']:%b %Y})",
            xy=(mau["period_end"], mau["value"] / 1e6),
            xytext=(25, -50),
            textcoords="offset points",
            fontsize=8,
            arrowprops=dict(arrowstyle="->", lw=0.8),
        )
        ax.set_title("Weibo (微博): three ways to count users, 2012–2025")
        base.year_axis(ax)
        base.millions_axis(ax)
        ax.legend(title=None, fontsize=8, loc="upper left")
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.13)
    mau_all = frame[frame["metric"] == base.METRIC_LABELS["MAU"]]
    dau_all = frame[frame["metric"] == base.METRIC_LABELS["DAU"]]
    registered = frame[frame["metric"] == base.METRIC_LABELS["registered"]]
    alt = (
        f"Line chart of Weibo's reported users in millions. Monthly active users rise from "
        f"{compact(mau_all['value'].iloc[0], locale)} ({mau_all['period_end'].iloc[0]:%B %Y}) to "
        f"{compact(mau_all['value'].max(), locale)} at the peak; daily active users from "
        f"{compact(dau_all['value'].iloc[0], locale)} to {compact(dau_all['value'].max(), locale)}. "
        f"Registered accounts, shown only for {registered['period_end'].iloc[0]:%Y}, reach "
        f"{compact(registered['value'].max(), locale)}. "
        f"A dashed line at {compact(claim.headline, locale)} marks the AFP story's claim of {story_month}, when the "
        f"latest MAU figure was {compact(mau['value'], locale)}."
    )
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


def diaspora_figure(
    diaspora: pd.DataFrame | None = None, countries: pd.DataFrame | None = None, *, top: int = 12, locale: str = "en_US"
):
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
    fig, ax = base.new_figure((7.5, 4.2))
    with base.font_context():
        sns.barplot(data=frame, y="territory name", x="millions", hue="definition", dodge=False, ax=ax)
        ax.set_title("Outside China: the largest populations of Chinese descent")
        ax.set_xlabel("People (millions; counted differently in each territory)")
        ax.set_ylabel("Territory")
        ax.legend(title="How counted", fontsize=8, title_fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.2, right=0.98, top=0.9, bottom=0.13)
    total = diaspora.loc[diaspora["territory"] == "001", "value"]
    lead = frame.iloc[0]
    alt = (
        f"Horizontal bar chart of the {top} territories with the most people of Chinese descent "
        f"outside China, in millions. {lead['territory name']} leads with "
        f"{compact(lead['value'], locale)}, followed by "
        + ", ".join(f"{r['territory name']} {compact(r['value'], locale)}" for _, r in frame.iloc[1:5].iterrows())
        + ". Bars are coloured by definition (census ethnicity, ancestry, nationality or estimate)"
        + (f"; the worldwide estimate is {compact(total.iloc[0], locale)}." if len(total) else ".")
    )
    frame.attrs = dict(diaspora.attrs)
    return fig, alt, frame


class MetricSwitcher(LiveWidget):
    """Pick a metric; the chart redraws that base.series and the text explains what it counts.

    The lines are drawn once; an update restyles them (highlight, fade, hide), so a
    switch costs one PNG encoding.
    """

    def __init__(
        self, users: pd.DataFrame | None = None, *, platform: str = "weibo", metric: str = "MAU", locale: str = "en_US"
    ):
        import ipywidgets as w

        from platform_intl import data

        self.users = base.users_or_load(users)
        self.platform, self.locale = platform, locale
        self.definitions = data.METRICS
        self._series = {m: base.series(self.users, platform, m) for m in base.METRIC_LABELS}
        self._summaries = {m: self.summary(m) for m in base.METRIC_LABELS}
        self._sources = {m: base.citation(rows) for m, rows in self._series.items()}
        self._build_figure()
        self.metric = w.ToggleButtons(
            options=[(label.split(" (")[0], m) for m, label in base.METRIC_LABELS.items()],
            value=metric,
            description="Metric",
            style={"button_width": "auto"},
        )
        # Unindented, auto-width boxes: the default width cuts these labels short.
        box = dict(indent=False, layout=w.Layout(width="auto", margin="0 2em 0 0"))
        self.show_others = w.Checkbox(value=False, description="Show the other metrics faintly", **box)
        self.show_claim = w.Checkbox(value=True, description="Show the AFP story's claim", **box)
        self._setup(
            [self.metric, w.HBox([self.show_others, self.show_claim])],
            observed=[self.metric, self.show_others, self.show_claim],
        )

    COLOURS: ClassVar[dict[str, str]] = {"registered": "#cc78bc", "MAU": "#0173b2", "DAU": "#029e73"}

    def _build_figure(self) -> None:
        """Axes, ticks and legend are drawn once into a background; the lines and the title
        are blitted over it on each update (matplotlib's blitting)."""
        self._fig, self._ax = base.new_figure((7.2, 3.4))
        ax = self._ax
        self._fig.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=0.17)
        with base.font_context():
            self._lines = {
                m: ax.plot(
                    base.decimal_years(rows["period_end"]),
                    rows["millions"],
                    marker="o",
                    color=self.COLOURS[m],
                    label=base.METRIC_LABELS[m],
                    animated=True,
                )[0]
                for m, rows in self._series.items()
            }
            self._claim = [
                ax.axhline(
                    400, color="#de8f05", lw=1.2, ls="--", animated=True, label="'more than 400 million' (Nov 2018)"
                ),
                ax.axvline(
                    base.decimal_years([pd.Timestamp(base.AFP_STORY_DATE)])[0],
                    color="#de8f05",
                    lw=1,
                    ls=":",
                    animated=True,
                ),
            ]
            ax.set_xlim(2012, 2026)
            top = max(float(rows["millions"].max()) for rows in self._series.values() if len(rows))
            ax.set_ylim(0, top * 1.12)
            base.year_axis(ax, decimal=True)
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
        at_claim = sources.reported(self.users, self.platform, metric, base.AFP_STORY_DATE)
        result = {
            "metric": metric,
            "points": len(rows),
            "first": rows.iloc[0] if len(rows) else None,
            "last": rows.iloc[-1] if len(rows) else None,
            "at_claim": at_claim,
            "stickiness": None,
        }
        mau = sources.reported(self.users, self.platform, "MAU", base.AFP_STORY_DATE)
        dau = sources.reported(self.users, self.platform, "DAU", base.AFP_STORY_DATE)
        if mau is not None and dau is not None and mau["period_end"] == dau["period_end"]:
            result["stickiness"] = float(dau["value"]) / float(mau["value"])
        return result

    def _update(self) -> None:
        metric, locale = self.metric.value, self.locale
        for other, line in self._lines.items():
            chosen = other == metric
            line.set_visible(chosen or self.show_others.value)
            line.set_alpha(1.0 if chosen else 0.3)
            line.set_linewidth(2.4 if chosen else 1)
            line.set_zorder(3 if chosen else 2)
        for artist in self._claim:
            artist.set_visible(self.show_claim.value)
        self._title.set_text(f"{base.display_name(self.platform)}: {base.METRIC_LABELS[metric]}")
        info = self._summaries[metric]
        first, last = info["first"], info["last"]
        alt = (
            f"Line chart of {base.plain_name(self.platform)}'s {base.METRIC_LABELS[metric]} in millions: "
            f"{info['points']} reported values, from {compact(first['value'], locale)} in "
            f"{first['period_end']:%B %Y} to {compact(last['value'], locale)} in {last['period_end']:%B %Y}."
        )
        if self.show_others.value:
            alt += " The other metrics are drawn faintly for comparison."
        if self.show_claim.value:
            alt += " A dashed line marks the AFP story's 'more than 400 million' of November 2018."
        self.png, self.alt_text = self._draw_dynamic(), alt
        self.figure_html.value = base.image_html(self.png, alt, self._sources[metric])
        at_claim = info["at_claim"]
        if at_claim is None:
            when = "No figure of this kind was reported before the AFP story."
        else:
            when = (
                f"Latest before the AFP story: <b>{html.escape(compact(at_claim['value'], locale))}</b> "
                f"for the period ending {html.escape(localization.format_date(at_claim['period_end'], locale))}."
            )
        sticky = ""
        if metric == "DAU" and info["stickiness"] is not None:
            sticky = (
                f" DAU/MAU then: <b>{html.escape(localization.format_percent(info['stickiness'], locale))}"
                "</b> of monthly users came back on an average day."
            )
        self.text_html.value = (
            f"<p><b>{html.escape(base.METRIC_LABELS[metric])}.</b> "
            f"{html.escape(self.definitions.get(metric, ''))}</p>"
            f"<p>{html.escape(base.METRIC_LESSONS[metric])}</p><p>{when}{sticky}</p>"
        )


# --------------------------------------------------------------------------- lecture 02


def registered_vs_active_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """Registered accounts (Dec 2012) against Weibo's first MAU and DAU figures (Dec 2013)."""
    import seaborn as sns

    users = base.users_or_load(users)
    picks = [("registered", "2012-12-31"), ("MAU", "2013-12-31"), ("DAU", "2013-12-31")]
    rows = pd.concat([base.series(users, "weibo", m).query("period_end == @pd.Timestamp(@d)") for m, d in picks])
    rows["bar"] = [
        f"{base.METRIC_LABELS[m].split(' (')[0]}\n{d:%b %Y}" for m, d in zip(rows["metric"], rows["period_end"])
    ]
    fig, ax = base.new_figure((6.8, 3.8))
    with base.font_context():
        sns.barplot(data=rows, x="bar", y="millions", hue="bar", legend=False, ax=ax)
        for index, value in enumerate(rows["value"]):
            ax.text(index, value / 1e6 + 8, compact(value, locale), ha="center", fontsize=9)
        ax.set_title("Sina Weibo (新浪微博): accounts are not users")
        ax.set_xlabel("Metric and period")
        base.millions_axis(ax, "Accounts or users (millions)")
        ax.set_ylim(0, rows["millions"].max() * 1.12)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.17)
    values = dict(zip(rows["metric"], rows["value"]))
    alt = (
        f"Bar chart: {compact(values['registered'], locale)} registered accounts in December 2012 against "
        f"Weibo's first reported monthly active users, {compact(values['MAU'], locale)}, and daily active "
        f"users, {compact(values['DAU'], locale)}, in December 2013. The registered bar is about "
        f"{localization.format_number(values['registered'] / values['MAU'], locale, decimals=1)} times the MAU bar."
    )
    rows.attrs = dict(users.attrs)
    return fig, alt, rows


class ActivityExplorer(LiveWidget):
    """Messages per day divided by three denominators; sliders set the active shares."""

    def __init__(self, users: pd.DataFrame | None = None, *, locale: str = "en_US"):

        self.users, self.locale = base.users_or_load(users), locale
        self.messages_row = base.series(self.users, "weibo", "messages_per_day").iloc[-1]
        self.registered_row = (
            base.series(self.users, "weibo", "registered")
            .query("period_end == @self.messages_row['period_end']")
            .iloc[0]
        )
        mau = base.series(self.users, "weibo", "MAU").iloc[0]
        dau = base.series(self.users, "weibo", "DAU").query("period_end == @mau['period_end']").iloc[0]
        self.reference = {
            "monthly": float(mau["value"]) / float(self.registered_row["value"]),
            "daily": float(dau["value"]) / float(mau["value"]),
            "period": mau["period_end"],
        }
        self._source = base.citation(pd.DataFrame([self.messages_row, self.registered_row, mau, dau]))
        self._fig, self._ax = base.new_figure((7.2, 3.2))
        self._fig.subplots_adjust(left=0.3, right=0.97, top=0.87, bottom=0.17)
        self.monthly_share = slider(
            "Registered accounts active in a month",
            value=round(self.reference["monthly"], 3),
            min_=0.05,
            max_=1,
            step=0.01,
            fmt=".0%",
        )
        self.daily_share = slider(
            "Monthly users active on a day",
            value=round(self.reference["daily"], 3),
            min_=0.05,
            max_=1,
            step=0.01,
            fmt=".0%",
        )
        self._setup([self.monthly_share, self.daily_share])

    def compute(self) -> dict[str, float]:
        """Messages per day per account, per monthly active user and per daily active user."""
        messages = float(self.messages_row["value"])
        registered = float(self.registered_row["value"])
        monthly = registered * self.monthly_share.value
        daily = monthly * self.daily_share.value
        return {
            "registered account": messages / registered,
            "monthly active user": messages / monthly,
            "daily active user": messages / daily,
        }

    #: Fixed logarithmic range: every slider setting fits, so the axes never redraw.
    X_RANGE = (0.1, 100)

    def _build_figure(self, rates: dict[str, float]) -> None:
        ax = self._ax
        with base.font_context():
            self._bars = ax.barh(
                [f"per {k}" for k in rates],
                [1] * len(rates),
                left=self.X_RANGE[0],
                color=["#949494", "#0173b2", "#029e73"],
                animated=True,
            )
            self._labels = [
                ax.text(0, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=9, animated=True)
                for bar in self._bars
            ]
            ax.set_xscale("log")
            ax.set_xlim(*self.X_RANGE)
            base.plain_ticks(ax.xaxis)
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
        alt = (
            "Horizontal bar chart of messages per day: "
            + "; ".join(f"{localization.format_number(v, locale, decimals=2)} per {k}" for k, v in rates.items())
            + f", assuming {localization.format_percent(self.monthly_share.value, locale, decimals=0)} of "
            f"registered accounts are active in a month and "
            f"{localization.format_percent(self.daily_share.value, locale, decimals=0)} of those on a day."
        )
        self._show_png(png, alt, self._source)
        ref = self.reference
        self.text_html.value = (
            "<p>The numerator stays the same (about "
            f"{html.escape(compact(self.messages_row['value'], locale))} messages a day); only the denominator "
            "changes. Sliders start at the ratios of Weibo's first active-user report "
            f"({html.escape(localization.format_date(ref['period'], locale))}): MAU was "
            f"{html.escape(localization.format_percent(ref['monthly'], locale))} of the registered count of a year "
            f"earlier, and DAU {html.escape(localization.format_percent(ref['daily'], locale))} of MAU. "
            "Mixing dates is a rough assumption: move the sliders to see how much it matters.</p>"
        )


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_metric_switcher": bench_builder(MetricSwitcher, "metric"),
    "lecture_activity": bench_builder(ActivityExplorer, "monthly_share"),
}
