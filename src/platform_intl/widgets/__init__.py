"""Interactive explorers used in the lectures, built on ipywidgets, all on one base.

- :mod:`.base`: :class:`~.base.LiveWidget` (timed ``update()``, one display protocol) and the
  figure plumbing every widget shares (a figure drawn once, moving artists blitted, an
  accessible ``<img>`` with alt text and a source caption).
- :mod:`.metrics`: registered accounts, MAU and DAU (lectures 01-02).
- :mod:`.claims`: the documents' user-number claims against the data (lectures 01-04).
- :mod:`.monetization`: users against revenue (lecture 03).
- :mod:`.inflow`: a sudden inflow of users (lecture 04).
- :mod:`.documents`: lineage and translation-error counts (lecture 05).
- :mod:`.market`: the market funnel explorer (TAM, SAM, SOM; lecture 06).
- :mod:`.planner`: the language budget planner and the locale playground (lecture 07).
- :mod:`.locales`: the plural-forms explorer (lecture 08).

Every name is importable from here (``widgets.MetricSwitcher``); the module that holds it is
imported on first use, so a lecture only pays for the widgets it shows.
"""

from __future__ import annotations

import importlib

_HOME = {
    "metrics": (
        "weibo_users_figure",
        "diaspora_figure",
        "MetricSwitcher",
        "registered_vs_active_figure",
        "ActivityExplorer",
    ),
    "claims": ("ClaimChecker",),
    "monetization": ("largest_network_figure", "revenue_per_user_table", "MonetizationGapExplorer"),
    "inflow": ("rednote_daily_figure", "rednote_daily_table", "InflowExplorer"),
    "documents": ("LineageExplorer", "error_counts_figure"),
    "market": ("MarketFunnelExplorer",),
    "planner": ("LanguageBudgetPlanner", "LocalePlayground"),
    "locales": ("PluralExplorer",),
    "base": ("display_name", "LiveWidget", "ANALYSIS_SOURCE"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"platform_intl.widgets has no {name!r}; it offers: {', '.join(__all__)}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def explorers() -> dict:
    """Benchmark interface: name -> function returning ``(explorer, control)``; setting
    ``control.value`` runs one full update, timed in ``explorer.last_update_seconds``."""
    found: dict = {}
    for module in ("metrics", "claims", "monetization", "inflow", "documents", "market", "planner"):
        found.update(getattr(importlib.import_module(f"{__name__}.{module}"), "EXPLORERS", {}))
    return found
