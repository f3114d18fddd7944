"""Figures for lecture 07; show them with :func:`platform_intl.plots.show_figure`."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .formatting import format_compact, format_currency
from .languages import _require_columns, language_name, validate_language_tag

# ---------------------------------------------------------------------------------------
# Figures for the lecture (seaborn; show them with platform_intl.plots.show_figure)
# ---------------------------------------------------------------------------------------


def reach_chart(reach: pd.Series, *, title: str, locale: str = "en_US", highlight: Iterable[str] = ()):
    """Horizontal bars of people newly reached per language (a Series indexed by BCP 47 tag).

    Axis numbers are formatted for ``locale``; ``highlight`` languages get the first
    palette colour, the others grey. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter

    from platform_intl.plots import palette

    if not isinstance(reach, pd.Series) or reach.empty:
        raise ValueError("reach must be a non-empty pandas Series indexed by language tag")
    marked = {validate_language_tag(t) for t in highlight}
    frame = pd.DataFrame({"tag": [str(t) for t in reach.index], "reach": reach.to_numpy(dtype=float)})
    frame["language"] = [f"{language_name(t)} ({t})" for t in frame["tag"]]
    frame = frame.sort_values("reach", ascending=False)
    colours = [palette(1)[0] if t in marked else "#b0b0b0" for t in frame["tag"]] if marked else None
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(frame) + 1.4))
    sns.barplot(
        data=frame, x="reach", y="language", hue="language" if colours else None, palette=colours, legend=False, ax=ax
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_compact(x, locale)))
    ax.set_title(title)
    ax.set_xlabel("Online speakers newly reached (people)")
    ax.set_ylabel("Language added")
    fig.tight_layout()
    return fig


def ad_yield_chart(revenue: pd.DataFrame, *, locale: str = "en_US"):
    """Twitter's advertising revenue per 1,000 timeline views, in the US and abroad."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    _require_columns(revenue, ("company", "metric", "value", "scope", "period"), "revenue")
    rows = revenue[(revenue["company"] == "twitter") & (revenue["metric"] == "ad_revenue_per_1000_timeline_views")]
    if rows.empty:
        raise ValueError("revenue has no rows for Twitter's ad_revenue_per_1000_timeline_views")
    names = {"US": "United States", "ex-US": "Outside the US"}
    frame = pd.DataFrame(
        {"where": [names.get(str(s), str(s)) for s in rows["scope"]], "usd": rows["value"].astype(float).to_numpy()}
    )
    fig, ax = plt.subplots(figsize=(6, 3))
    sns.barplot(data=frame, x="usd", y="where", hue="where", legend=False, ax=ax)
    for y, value in enumerate(frame["usd"]):
        ax.text(value, y, " " + format_currency(value, "USD", locale), va="center")
    ax.set_xlim(0, frame["usd"].max() * 1.25)
    ax.set_title(f"Twitter: ad revenue per 1,000 timeline views, {rows['period'].iloc[0]}")
    ax.set_xlabel("USD per 1,000 timeline views")
    ax.set_ylabel("Users")
    fig.tight_layout()
    return fig
