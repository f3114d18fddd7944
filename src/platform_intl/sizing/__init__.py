"""Market sizing: the TAM -> SAM -> SOM funnel, growth, unit economics and sensitivity.

The funnel, per territory and in total (every stage is a number of people)::

    population
      x language share        -> speakers
      x internet penetration  -> online speakers = TAM  (total addressable market: an online
                                                         platform cannot address offline people)
      x platform adoption     -> adopters        = SAM  (serviceable available market)
      x obtainable share      -> obtainable      = SOM  (serviceable obtainable market)
      x revenue per user      -> revenue              (optional: the funnel carried to money)

*Language share* is the share of a territory's people who speak one of the scenario's
languages (Unicode CLDR estimates), *internet penetration* the share who used the
internet in the last three months (ITU), *platform adoption* the share of online people
who use a platform of the kind in question, and *obtainable share* the share of those
adopters the product could realistically win. All shares are **fractions in [0, 1]**:
a percentage (45 for 45 %) raises :class:`SizingError`, which names the argument and
the allowed range, as do negative populations and unknown territory codes.

Everything is vectorised pandas: one row per territory, no Python loops over rows. The
parts live in :mod:`.markets`, :mod:`.growth`, :mod:`.sensitivity` and :mod:`.scenarios`, all
re-exported here.

Main entry points
-----------------
- :func:`funnel` (and :func:`funnel_totals`): the funnel for a table of markets.
- :func:`build_markets`: markets from the ``countries`` and ``territory_languages``
  tables; :func:`language_shares` combines overlapping language shares per territory.
- :data:`SCENARIOS`, :func:`get_scenario`, :func:`scenario_markets`,
  :func:`scenario_defaults`, :func:`size_scenario`: the course's scenarios, as data.
- :func:`chinese_speakers_outside_mainland`, :func:`top_down_vs_bottom_up`.
- :func:`cagr`, :func:`project`, :func:`active_share`, :func:`active_from_registered`,
  :func:`revenue_per_user`, :func:`users_per_staff`: growth and unit economics.
- :func:`sensitivity`: a one-at-a-time (tornado) analysis of the SOM.
- :func:`load_tables` / :func:`ensure_tables`, :func:`latest_figure`,
  :func:`internet_users`: the course datasets (``platform_intl.data``) as inputs.

Overlapping language shares
---------------------------
CLDR lists, per territory, the share of the population speaking each language, and
people speak several: Hong Kong lists zh-Hant (95 %), yue (90 %) and zh (5 %), mostly
the *same* people. Adding them would count Hong Kong almost twice. The default,
``combine="max"``, takes the largest share per territory: a lower bound of the share
speaking *any* of the languages. ``combine="sum"`` adds them and caps at 1: an upper
bound. The gap between the two is one of the uncertainties :func:`sensitivity` shows.
"""

from __future__ import annotations

from .growth import (
    active_from_registered,
    active_share,
    bottom_up,
    cagr,
    project,
    revenue_per_user,
    users_per_staff,
    years_between,
)
from .markets import (
    CHINESE_LANGUAGES,
    COMBINE_RULES,
    FACTOR_LABELS,
    FACTORS,
    HONG_KONG_MACAU_TAIWAN,
    MAINLAND_CHINA,
    MARKET_COLUMNS,
    MISSING_INTERNET_RULES,
    SHARE_FACTORS,
    STAGE_LABELS,
    STAGES,
    SizingError,
    build_markets,
    check_nonnegative,
    check_positive,
    check_share,
    check_territories,
    chinese_speakers_outside_mainland,
    funnel,
    funnel_stages,
    funnel_totals,
    language_shares,
    top_down_vs_bottom_up,
)
from .periods import (
    DEFAULT_MAX_GAP_DAYS,
    Figure,
    PeriodMismatchError,
    Ratio,
    figure_on,
    period_gap_days,
    ratio,
)
from .scenarios import (
    DERIVATIONS,
    LANGUAGE_OVERLAP,
    REDNOTE_PEAK,
    SCENARIOS,
    TABLES,
    WEIBO_ADOPTION,
    WEIBO_OBTAINABLE_ABROAD,
    WEIBO_UNCERTAINTIES,
    Assumption,
    Scenario,
    ensure_tables,
    get_scenario,
    internet_users,
    internet_users_figure,
    latest_figure,
    load_tables,
    resolve_uncertainties,
    revenue_by_region,
    revenue_per_user_cases,
    scenario_defaults,
    scenario_markets,
    scenario_sensitivity,
    scenarios_table,
    size_scenario,
)
from .sensitivity import (
    DEFAULT_UNCERTAINTIES,
    Uncertainty,
    equal_width_uncertainties,
    sensitivity,
)

__all__ = [
    "CHINESE_LANGUAGES",
    "COMBINE_RULES",
    "DEFAULT_MAX_GAP_DAYS",
    "DEFAULT_UNCERTAINTIES",
    "DERIVATIONS",
    "FACTORS",
    "FACTOR_LABELS",
    "HONG_KONG_MACAU_TAIWAN",
    "LANGUAGE_OVERLAP",
    "MAINLAND_CHINA",
    "MARKET_COLUMNS",
    "MISSING_INTERNET_RULES",
    "REDNOTE_PEAK",
    "SCENARIOS",
    "SHARE_FACTORS",
    "STAGES",
    "STAGE_LABELS",
    "TABLES",
    "WEIBO_ADOPTION",
    "WEIBO_OBTAINABLE_ABROAD",
    "WEIBO_UNCERTAINTIES",
    "Assumption",
    "Figure",
    "PeriodMismatchError",
    "Ratio",
    "Scenario",
    "SizingError",
    "Uncertainty",
    "active_from_registered",
    "active_share",
    "bottom_up",
    "build_markets",
    "cagr",
    "check_nonnegative",
    "check_positive",
    "check_share",
    "check_territories",
    "chinese_speakers_outside_mainland",
    "ensure_tables",
    "equal_width_uncertainties",
    "figure_on",
    "funnel",
    "funnel_stages",
    "funnel_totals",
    "get_scenario",
    "internet_users",
    "internet_users_figure",
    "language_shares",
    "latest_figure",
    "load_tables",
    "period_gap_days",
    "project",
    "ratio",
    "resolve_uncertainties",
    "revenue_by_region",
    "revenue_per_user",
    "revenue_per_user_cases",
    "scenario_defaults",
    "scenario_markets",
    "scenario_sensitivity",
    "scenarios_table",
    "sensitivity",
    "size_scenario",
    "top_down_vs_bottom_up",
    "users_per_staff",
    "years_between",
]
