"""Axis numbers never run into each other, in any course locale ("2000万4000万" was one label)."""

from __future__ import annotations

import itertools

import pytest

from platform_intl.localization import COURSE_LOCALES
from platform_intl.widgets import market
from platform_intl.widgets.base import font_context
from platform_intl.widgets.planner import LanguageBudgetPlanner


def overlapping_ticks(figure) -> list[str]:
    """Pairs of x tick labels of ``figure`` whose drawn boxes overlap (or touch)."""
    with font_context():  # the fonts the widgets draw with, CJK included
        renderer = figure.canvas.get_renderer()
        figure.draw(renderer)
    found = []
    for ax in figure.axes:
        labels = [t.label1 for t in ax.xaxis.get_major_ticks() if t.label1.get_visible() and t.label1.get_text()]
        boxes = sorted(((t.get_window_extent(renderer), t.get_text()) for t in labels), key=lambda b: b[0].x0)
        for (left, a), (right, b) in itertools.pairwise(boxes):
            if left.x1 + 2 > right.x0:
                found.append(f"{a!r} runs into {b!r}")
    return found


def test_overlaps_are_found():
    import matplotlib.pyplot as plt

    with font_context():
        fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_xticks(range(8), labels=[f"{k}000万" for k in range(8)])
    assert overlapping_ticks(fig)
    ax.set_xticks([0, 7], labels=["0", "7000万"])
    assert overlapping_ticks(fig) == []
    plt.close(fig)


@pytest.mark.parametrize("locale", COURSE_LOCALES)
def test_the_budget_planner_axis_reads_in_every_locale(locale):
    planner = LanguageBudgetPlanner(locale=locale)
    # Cheap words widen the axis (more reach per dollar): every setting, not only the first.
    for price in (0.01, 0.03, 0.13, 0.4):
        for words in (5_000, 50_000, 500_000):
            planner.price.value, planner.words.value = price, words
            assert overlapping_ticks(planner.figure) == [], (price, words)


@pytest.mark.parametrize("locale", COURSE_LOCALES)
def test_the_market_explorer_axes_read_in_every_locale(locale):
    explorer = market.MarketFunnelExplorer("weibo_diaspora", locale=locale)
    assert overlapping_ticks(explorer._funnel.fig) == []
    explorer.view.value = "Sensitivity"
    assert overlapping_ticks(explorer._tornado.fig) == []
