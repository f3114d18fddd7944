"""A sudden inflow of users: the TikTok refugees on RedNote (lecture 04)."""

from __future__ import annotations

import html

import pandas as pd

from platform_intl import localization

from . import base
from .base import LiveWidget, bench_builder, compact, slider

# --------------------------------------------------------------------------- lecture 04


def rednote_daily_table(users: pd.DataFrame | None = None) -> pd.DataFrame:
    """RedNote's US daily users, day by day, against TikTok's where a same-day figure exists.

    Columns: date, rednote (US DAU), share_of_peak, change (from the previous point),
    tiktok (US DAU, same day, or missing), rednote_per_tiktok. All Similarweb estimates (C).
    """
    users = base.users_or_load(users)
    daily = users[(users["metric"] == "DAU") & (users["scope"] == "US")]
    red = daily[daily["platform"] == "xiaohongshu"].set_index("period_end")["value"].sort_index()
    tik = daily[daily["platform"] == "tiktok"].set_index("period_end")["value"]
    frame = pd.DataFrame({"date": red.index, "rednote": red.to_numpy(dtype=float)})
    frame["share_of_peak"] = frame["rednote"] / frame["rednote"].max()
    frame["change"] = frame["rednote"].pct_change()
    frame["tiktok"] = frame["date"].map(tik).astype(float)
    frame["rednote_per_tiktok"] = frame["rednote"] / frame["tiktok"]
    frame.attrs = dict(users.attrs)
    return frame


def rednote_daily_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """US daily users of RedNote, 6 to 20 January 2025, with TikTok's on the days it is known (estimates)."""
    from matplotlib.dates import DateFormatter

    users = base.users_or_load(users)
    table = rednote_daily_table(users)
    peak = table.loc[table["rednote"].idxmax()]
    after = table[table["date"] > peak["date"]].iloc[0]
    fig, ax = base.new_figure((7.4, 3.6))
    with base.font_context():
        ax.plot(table["date"], table["rednote"] / 1e6, marker="o", color="#de8f05", label="RedNote 小红书")
        known = table.dropna(subset=["tiktok"])
        ax.plot(known["date"], known["tiktok"] / 1e6, marker="s", linestyle="none", color="#0173b2", label="TikTok")
        for date, value in zip(table["date"], table["rednote"]):
            ax.annotate(
                compact(value, locale), (date, value / 1e6), textcoords="offset points", xytext=(4, 6), fontsize=8
            )
        ax.set_yscale("log")
        base.plain_ticks(ax.yaxis)
        ax.set_title("US daily users, 6-20 January 2025 (third-party estimates)", fontsize=11)
        ax.set_xlabel("Day (2025)")
        ax.set_ylabel("Daily active users in the US (millions, log scale)")
        ax.tick_params(axis="x", labelsize=8)
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
        ax.legend(fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.12, right=0.97, top=0.88, bottom=0.16)
    first = table[table["date"] == pd.Timestamp("2025-01-13")].iloc[0]
    alt = (
        "Line chart, log scale, of RedNote's estimated US daily users: "
        + "; ".join(f"{d:%d %b} {compact(v, locale)}" for d, v in zip(table["date"], table["rednote"]))
        + f". The first day of the surge (13 Jan, {compact(first['rednote'], locale)}) was a tenth of the peak "
        f"({peak['date']:%d %b}, {compact(peak['rednote'], locale)}); a day later it was down "
        f"{localization.format_percent(-after['change'], locale, decimals=0)}. TikTok: "
        + "; ".join(f"{d:%d %b} {compact(v, locale)}" for d, v in zip(known["date"], known["tiktok"]))
        + "."
    )
    shown = users[
        (users["metric"] == "DAU") & (users["scope"] == "US") & users["platform"].isin(["xiaohongshu", "tiktok"])
    ]
    shown = shown[shown["period_end"].between("2025-01-01", "2025-01-31")].copy()
    shown.attrs = dict(users.attrs)
    return fig, alt, shown


class InflowExplorer(LiveWidget):
    """New users against the base, and what they bring: posts in a language nobody reviews yet."""

    def __init__(self, users: pd.DataFrame | None = None, *, locale: str = "en_US"):

        self.users, self.locale = base.users_or_load(users), locale
        self.base_row = base.series(self.users, "xiaohongshu", "MAU").iloc[-1]
        self.inflow_row = base.series(self.users, "xiaohongshu", "new_users").iloc[-1]
        self._source = base.citation(pd.DataFrame([self.base_row, self.inflow_row]))
        self._fig, self._axes = base.new_figure((8.2, 3.2), ncols=2, width_ratios=[1.1, 1])
        self._fig.subplots_adjust(left=0.09, right=0.97, top=0.8, bottom=0.25, wspace=0.5)
        self.new_users = slider(
            "New users (thousands)",
            value=int(self.inflow_row["value"] / 1000),
            min_=100,
            max_=10_000,
            step=100,
            integer=True,
        )
        self.english_share = slider("Post in English (assumption)", value=0.8, min_=0, max_=1, step=0.05, fmt=".0%")
        self.posts_per_user = slider(
            "Posts per daily user per day (assumption)",
            value=localization.ASSUMPTIONS["posts_per_user_day"].value,
            min_=0.1,
            max_=5,
            step=0.1,
            fmt=".1f",
        )
        peak = rednote_daily_table(self.users)["rednote"].max()
        self.daily_users = slider(
            "US daily users (thousands)", value=int(peak / 1000), min_=100, max_=40_000, step=100, integer=True
        )
        assumed = localization.ASSUMPTIONS
        self.reviews_per_moderator = slider(
            "Reviews per 8-hour shift (assumption)",
            value=int(assumed["reviews_per_moderator_shift"].value),
            min_=100,
            max_=3000,
            step=50,
            integer=True,
        )
        self.share_reviewed = slider(
            "Share of posts humans review (assumption)",
            value=assumed["share_reviewed_by_humans"].value,
            min_=0.01,
            max_=1,
            step=0.01,
            fmt=".0%",
        )
        self._setup(
            [
                self.new_users,
                self.daily_users,
                self.english_share,
                self.posts_per_user,
                self.share_reviewed,
                self.reviews_per_moderator,
            ]
        )

    def compute(self) -> dict[str, float]:
        """The inflow against the base and the English review work it brings (no drawing)."""
        new = self.new_users.value * 1000
        existing = float(self.base_row["value"])
        daily = self.daily_users.value * 1000
        english_posts = daily * self.english_share.value * self.posts_per_user.value
        staffing = localization.inflow_staffing(
            daily,
            posts_per_user_day=self.english_share.value * self.posts_per_user.value,
            share_reviewed_by_humans=self.share_reviewed.value,
            reviews_per_moderator_shift=self.reviews_per_moderator.value,
        )
        return {
            "base": existing,
            "new": new,
            "share_of_base": new / existing,
            "daily_users": daily,
            "english_posts_per_day": english_posts,
            "reviewers_needed": float(staffing.headcount),
        }

    #: Fixed logarithmic range of the reviewer chart: every slider setting fits.
    REVIEWER_RANGE = (1, 1_000_000)

    def _build_figure(self) -> None:
        """Static: the base bar, axes and labels. Blitted: the new-user bar, the reviewer bar,
        their labels and the two panel titles."""
        left, right = self._axes
        existing = float(self.base_row["value"]) / 1e6
        base_label = f"Existing users\n(MAU, {self.base_row['period_end']:%b %Y})"
        with base.font_context():
            bars = left.bar([base_label, "New users"], [existing, 0], color=["#949494", "#de8f05"])
            self._new_bar = bars[1]
            self._new_label = left.text(1, 0, "", ha="center", va="bottom", fontsize=9)
            left.set_ylim(0, existing * 1.15)
            left.set_ylabel("Users (millions)")
            left.set_xlabel("Xiaohongshu 小红书 (RedNote)")
            self._left_title = left.set_title(" ", fontsize=10)
            self._review_bar = right.barh(
                ["English\nreviewers\nneeded"], [1], left=self.REVIEWER_RANGE[0], color="#029e73"
            )[0]
            self._review_label = right.text(0, 0, "", va="center", fontsize=9)
            right.set_xscale("log")
            right.set_xlim(*self.REVIEWER_RANGE)
            base.plain_ticks(right.xaxis)
            right.set_xlabel("English reviewers to hire (log scale)")
            self._right_title = right.set_title(" ", fontsize=10)
            self._fig.suptitle("RedNote and the 'TikTok refugees', January 2025", x=0.02, ha="left", fontsize=11)
        self._moving = [
            self._new_bar,
            self._new_label,
            self._left_title,
            self._review_bar,
            self._review_label,
            self._right_title,
        ]
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
        self._left_title.set_text(
            f"Inflow: {localization.format_percent(m['share_of_base'], locale, decimals=2)} of the base"
        )
        reviewers = m["reviewers_needed"]
        shown = min(max(reviewers, self.REVIEWER_RANGE[0]), self.REVIEWER_RANGE[1])
        self._review_bar.set_width(shown - self.REVIEWER_RANGE[0])
        self._review_label.set_position((shown, 0))
        self._review_label.set_text(" " + localization.format_number(round(reviewers), locale))
        self._right_title.set_text(
            f"{localization.format_number(round(m['english_posts_per_day']), locale)} English posts a day"
        )
        png = self._blit(self._moving)
        alt = (
            f"Two bar charts. Left: {compact(m['base'], locale)} existing monthly users against "
            f"{compact(m['new'], locale)} new users, "
            f"{localization.format_percent(m['share_of_base'], locale, decimals=2)} of the base. Right: about "
            f"{localization.format_number(round(m['english_posts_per_day']), locale)} English posts a day from "
            f"{compact(m['daily_users'], locale)} daily users, needing about "
            f"{localization.format_number(round(reviewers), locale)} reviewers on the payroll."
        )
        self._show_png(
            png,
            alt,
            self._source,
            "Posting rate, English share, review share and throughput are course assumptions "
            "(platform_intl.localization.ASSUMPTIONS); staffing as in lecture 07: 24-hour coverage, "
            "five shifts a week, 30 % shrinkage.",
        )
        self.text_html.value = (
            f"<p>The reported inflow ({html.escape(compact(self.inflow_row['value'], locale))} new users in two days, "
            "a lower bound, not US-only) is tiny next to the base, yet the review work depends on the daily users "
            "who post in English, a language the platform did not review before. Small relative growth, new "
            "absolute work: that is why the company was reported to be hiring English content reviewers.</p>"
        )


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_inflow": bench_builder(InflowExplorer, "new_users"),
}
