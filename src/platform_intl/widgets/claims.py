"""Checking the documents' user-number claims against the data (lectures 01-04)."""

from __future__ import annotations

import html

import pandas as pd

from platform_intl import sources

from . import base
from .base import LiveWidget, bench_builder, compact, slider

# --------------------------------------------------------------------------- claims (01-04)


class ClaimChecker(LiveWidget):
    """A document's figure against the reported one; try other headline figures."""

    def __init__(self, users: pd.DataFrame | None = None, *, claim: str = "weibo_mau_2018", locale: str = "en_US"):
        import ipywidgets as w

        self.users, self.locale = base.users_or_load(users), locale
        sources.get_claim(claim)
        self._fig, self._ax = base.new_figure((7.2, 3.0))
        self._fig.subplots_adjust(left=0.34, right=0.95, top=0.86, bottom=0.18)
        self.claim = w.Dropdown(
            options=[(f"{c.document}: {c.wording}", c.key) for c in sources.CLAIMS],
            value=claim,
            description="Claim",
            layout=w.Layout(width="620px"),
        )
        self.headline = slider("Headline (millions)", min_=0, max_=700, step=5, fmt=".0f")
        self.headline_note = w.HTML()
        self._muted = False
        self.claim.observe(self._on_claim, names="value")
        self._reset_headline()
        self.check = None
        self._setup([self.claim, self.headline, self.headline_note], observed=[self.headline])

    def _reset_headline(self) -> None:
        claim = sources.get_claim(self.claim.value)
        self._muted = True
        try:
            # A claim without a number has no headline to try: hide the slider and say why.
            self.headline.layout.display = "none" if claim.headline is None else None
            self.headline_note.value = (
                f"<p><em>{html.escape(claim.wording)}</em> states no number, so there is no headline "
                "figure to try: the check compares the platforms' reported users instead.</p>"
                if claim.headline is None
                else ""
            )
            if claim.headline is not None:
                self.headline.value = claim.headline / 1e6
        finally:
            self._muted = False

    def _on_claim(self, _change) -> None:
        self._reset_headline()
        self.update()

    def _on_change(self, _change=None) -> None:
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
        for platform, value, period, colour in (
            (claim.platform, check.reported_value, check.reported_period, "#0173b2"),
            (claim.comparator, check.comparator_value, check.comparator_period, "#029e73"),
        ):
            if value is not None:
                labels.append(
                    f"{base.display_name(platform, short=True)} {claim.metric}, reported\n{pd.Timestamp(period):%b %Y}"
                )
                values.append(value)
                colours.append(colour)
        with base.font_context():
            ax.clear()
            bars = ax.barh(labels, [v / 1e6 for v in values], color=colours)
            texts = [
                ax.text(
                    bar.get_width(),
                    bar.get_y() + bar.get_height() / 2,
                    " " + compact(value, locale),
                    va="center",
                    fontsize=9,
                )
                for bar, value in zip(bars, values)
            ]
            ax.invert_yaxis()
            top = max(values + ([self.headline.max * 1e6] if check.headline is not None else []))
            ax.set_xlim(0, top / 1e6 * 1.2)
            ax.set_title(f"Claim check: {claim.wording}", fontsize=11)
            label = base.METRIC_LABELS.get(claim.metric, claim.metric)  # "... (MAU)" -> "... (MAU, millions)"
            ax.set_xlabel(f"{label[:-1]}, millions)" if label.endswith(")") else f"{label} (millions)")
            ax.set_ylabel("Figure")
        self._headline_artists = []
        if check.headline is not None:  # the slider moves only these two
            bars[0].set_animated(True)
            texts[0].set_animated(True)
            self._headline_artists = [bars[0], texts[0]]
        self._snapshot()
        self._drawn_claim = claim.key
        self._source = base.citation(pd.DataFrame(check.rows)) if check.rows else "datasets/platform_users.csv"

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
        for platform, value, period in (
            (claim.platform, check.reported_value, check.reported_period),
            (claim.comparator, check.comparator_value, check.comparator_period),
        ):
            if value is not None:
                spoken.append(
                    f"{base.plain_name(platform)} reported {compact(value, locale)} {claim.metric} "
                    f"for {pd.Timestamp(period):%B %Y}"
                )
        alt = "Bar chart comparing figures: " + "; ".join(spoken) + f". Verdict: {check.verdict}."
        self._show_png(self._blit(self._headline_artists), alt, self._source)
        details = "".join(f"<li>{html.escape(d)}</li>" for d in check.details)
        self.text_html.value = (
            f"<p><b>Verdict:</b> {html.escape(check.verdict)}.</p><ul>{details}</ul>"
            f"<p><b>Lesson:</b> {html.escape(claim.lesson)}</p>"
        )


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_claim_checker": bench_builder(ClaimChecker, "headline"),
}
