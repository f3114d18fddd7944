"""A sudden inflow of users: the TikTok refugees on RedNote (lecture 04)."""

from __future__ import annotations

import html

import pandas as pd

from platform_intl import localization

from . import base
from .base import LiveWidget, bench_builder, compact, slider

# --------------------------------------------------------------------------- lecture 04


def rednote_week_figure(users: pd.DataFrame | None = None, *, locale: str = "en_US"):
    """US daily users of TikTok, RedNote and Lemon8 in the week of 13 January 2025 (estimates)."""
    import seaborn as sns

    users = base.users_or_load(users)
    frame = users[
        (users["metric"] == "DAU") & (users["scope"] == "US") & (users["period_end"] == pd.Timestamp("2025-01-13"))
    ].copy()
    frame["platform"] = frame["platform"].astype(str)
    ranks = users[(users["metric"] == "app_rank") & (users["period_end"] == pd.Timestamp("2025-01-13"))]
    rank_of = {str(p): int(v) for p, v in zip(ranks["platform"], ranks["value"])}
    frame["app"] = [
        base.display_name(p) + (f"\n(No. {rank_of[p]} free app)" if p in rank_of else "") for p in frame["platform"]
    ]
    frame = frame.sort_values("value", ascending=False)
    frame["millions"] = frame["value"].astype(float) / 1e6
    fig, ax = base.new_figure((7.2, 3.4))
    with base.font_context():
        sns.barplot(data=frame, y="app", x="millions", hue="app", legend=False, ax=ax)
        for index, value in enumerate(frame["value"]):
            ax.text(value / 1e6, index, " " + compact(value, locale), va="center", fontsize=9)
        ax.set_xlim(0, frame["millions"].max() * 1.2)
        ax.set_title("Week of 13 January 2025: US daily users (third-party estimates)", fontsize=11)
        ax.set_xlabel("Daily active users in the US (millions)")
        ax.set_ylabel("App (US App Store rank)")
    fig.subplots_adjust(left=0.33, right=0.97, top=0.88, bottom=0.16)
    alt = (
        "Horizontal bar chart of estimated US daily active users in the week of 13 January 2025: "
        + "; ".join(f"{base.plain_name(p)} {compact(v, locale)}" for p, v in zip(frame["platform"], frame["value"]))
        + ". RedNote, the No. 1 free app that week, had a small fraction of TikTok's US audience."
    )
    frame = pd.concat([frame, ranks])
    frame.attrs = dict(users.attrs)
    return fig, alt, frame


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
            "Posts per new user per day (assumption)", value=1.0, min_=0.1, max_=5, step=0.1, fmt=".1f"
        )
        self.reviews_per_moderator = slider(
            "Posts one reviewer checks a day (assumption)", value=500, min_=100, max_=3000, step=50, integer=True
        )
        self._setup([self.new_users, self.english_share, self.posts_per_user, self.reviews_per_moderator])

    def compute(self) -> dict[str, float]:
        """The inflow against the base and the English review work it brings (no drawing)."""
        new = self.new_users.value * 1000
        existing = float(self.base_row["value"])
        english_posts = new * self.english_share.value * self.posts_per_user.value
        return {
            "base": existing,
            "new": new,
            "share_of_base": new / existing,
            "english_posts_per_day": english_posts,
            "reviewers_needed": english_posts / self.reviews_per_moderator.value,
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
            right.set_xlabel("Full-time English reviewers (log scale)")
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
            f"{localization.format_number(round(m['english_posts_per_day']), locale)} English posts a day, "
            f"needing about {localization.format_number(round(reviewers), locale)} full-time reviewers."
        )
        self._show_png(
            png,
            alt,
            self._source,
            "Posting rate, English share and reviewer throughput are assumptions set by the sliders.",
        )
        self.text_html.value = (
            f"<p>The reported inflow ({html.escape(compact(self.inflow_row['value'], locale))} new users in two days, "
            "a lower bound) is tiny next to the base, yet almost all of it arrives in a language the platform "
            "did not review before. Small relative growth, new absolute work: that is why the company was "
            "reported to be hiring English content reviewers and planning translation features.</p>"
        )


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_inflow": bench_builder(InflowExplorer, "new_users"),
}
