"""Users against revenue: the largest networks and the monetization gap (lecture 03)."""

from __future__ import annotations

import html

import pandas as pd

from platform_intl import localization, sources

from . import base
from .base import LiveWidget, bench_builder, compact, slider

# --------------------------------------------------------------------------- lecture 03


def largest_network_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """MAU of Facebook, Twitter and Weibo, 2011-2018, with the date of the 'world's largest' claim."""
    import seaborn as sns

    users = base.users_or_load(users)
    frame = pd.concat([base.series(users, p, "MAU") for p in ("facebook", "twitter", "weibo")])
    frame = frame[(frame["period_end"] >= "2011-01-01") & (frame["period_end"] <= "2018-12-31")].copy()
    frame["platform"] = frame["platform"].map(base.display_name)
    claim = sources.check_claim("twitter_largest_2015", users, locale=locale)
    fig, ax = base.new_figure((7.8, 4.0))
    with base.font_context():
        sns.lineplot(
            data=frame,
            x="period_end",
            y="millions",
            hue="platform",
            style="platform",
            markers=True,
            dashes=False,
            ax=ax,
        )
        ax.axvline(pd.Timestamp(claim.claim.as_of), color="0.35", lw=1, ls=":")
        ax.text(
            pd.Timestamp(claim.claim.as_of),
            900,
            " 'world's largest'\n (S5, May 2015)",
            fontsize=8,
            va="top",
            color="0.25",
        )
        ax.set_title("Monthly active users of Facebook, Twitter and Weibo (微博), 2011–2018", fontsize=11)
        base.year_axis(ax)
        base.millions_axis(ax, "Monthly active users (millions)")
        ax.legend(title=None, fontsize=8, loc="upper left")
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.13)
    by = {
        name: frame[frame["platform"] == base.display_name(name)].sort_values("period_end")
        for name in ("facebook", "twitter", "weibo")
    }
    fb, tw, wb = by["facebook"], by["twitter"], by["weibo"]
    ahead = wb.merge(tw, on="period_end", suffixes=("_wb", "_tw")).query("value_wb > value_tw")
    overtakes = (
        f"Weibo overtakes Twitter in {ahead['period_end'].iloc[0]:%Y}" if len(ahead) else "Weibo stays below Twitter"
    )
    alt = (
        f"Line chart of monthly active users, in millions, {fb['period_end'].min():%Y} to {fb['period_end'].max():%Y}. "
        f"Facebook grows from {compact(fb['value'].iloc[0], locale)} to {compact(fb['value'].iloc[-1], locale)}; "
        f"Twitter stays between {compact(tw['value'].min(), locale)} and {compact(tw['value'].max(), locale)}; "
        f"{overtakes}. At the May 2015 claim Twitter had {compact(claim.reported_value, locale)} and Facebook "
        f"{compact(claim.comparator_value, locale)}."
    )
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


def revenue_per_user_table(revenue: pd.DataFrame | None = None, users: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quarterly revenue per monthly active user (USD) wherever the data has both figures.

    Numbers stay numbers; show them with ``tables.show(..., money=[...], people=["MAU"])``.
    """
    from platform_intl import data, sizing

    revenue = data.load("revenue") if revenue is None else revenue
    users = base.users_or_load(users)
    rows = []
    for r in revenue[revenue["metric"] == "total_revenue"].itertuples():
        mau = users[
            (users["platform"] == str(r.company))
            & (users["metric"] == "MAU")
            & (users["scope"] == "global")
            & (users["period_end"] == r.period_end)
        ]
        if mau.empty:
            continue
        rows.append(
            {
                "platform": base.display_name(str(r.company)),
                "quarter": r.period,
                "revenue": float(r.value),
                "MAU": float(mau["value"].iloc[0]),
                "revenue per MAU": sizing.revenue_per_user(float(r.value), float(mau["value"].iloc[0])),
            }
        )
    return pd.DataFrame(rows)


class MonetizationGapExplorer(LiveWidget):
    """Blended ad revenue per 1,000 timeline views as the audience moves abroad."""

    def __init__(self, revenue: pd.DataFrame | None = None, *, locale: str = "en_US"):

        from platform_intl import data

        revenue = data.load("revenue") if revenue is None else revenue
        rows = revenue[revenue["metric"] == "ad_revenue_per_1000_timeline_views"]
        self.rates = {str(scope): float(value) for scope, value in zip(rows["scope"], rows["value"])}
        self.period = str(rows["period"].iloc[0])
        self._source = base.citation(rows)
        self.locale = locale
        self._fig, self._ax = base.new_figure((7.2, 3.0))
        self._fig.subplots_adjust(left=0.3, right=0.95, top=0.86, bottom=0.18)
        # Assumption, labelled: 50 % of timeline views abroad. Users were 78 % abroad in Q1 2014
        # (198 of 255 million, platform_users), but the course has no split of views.
        self.share_abroad = slider(
            "Share of timeline views outside the US (assumption)", value=0.5, min_=0, max_=1, step=0.05, fmt=".0%"
        )
        self.uplift = slider(
            "Rate abroad × (advertisers buying reach)", value=1.0, min_=1.0, max_=5.0, step=0.1, fmt=".1f"
        )
        self._setup([self.share_abroad, self.uplift])

    def compute(self) -> dict[str, float]:
        abroad = self.rates["ex-US"] * self.uplift.value
        share = self.share_abroad.value
        return {
            "US": self.rates["US"],
            "outside the US": abroad,
            "blended": (1 - share) * self.rates["US"] + share * abroad,
        }

    def _build_figure(self) -> None:
        ax = self._ax
        names = ["US", "outside the US", "blended"]
        with base.font_context():
            self._bars = ax.barh(names, [1, 1, 1], color=["#949494", "#de8f05", "#0173b2"], animated=True)
            self._labels = [
                ax.text(0, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=9, animated=True)
                for bar in self._bars
            ]
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
        alt = (
            "Bar chart of Twitter's advertising revenue per 1,000 timeline views: "
            + "; ".join(f"{k} {localization.format_currency(v, 'USD', locale)}" for k, v in values.items())
            + f", with {localization.format_percent(self.share_abroad.value, locale, decimals=0)} of views "
            "outside the US."
        )
        self._show_png(png, alt, self._source)
        gap = self.rates["US"] / self.rates["ex-US"]
        self.text_html.value = (
            f"<p>In {html.escape(self.period)} a US timeline view earned Twitter about "
            f"{html.escape(localization.format_number(gap, locale, decimals=1))} times as much as one elsewhere. "
            "The more of the audience lives abroad, the lower the blend, unless someone pays more to reach "
            "it. Raise the second slider: that is what selling reach abroad to outbound Chinese brands "
            "would have to do.</p>"
        )


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_monetization_gap": bench_builder(MonetizationGapExplorer, "share_abroad"),
}
