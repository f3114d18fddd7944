"""A market-entry case for one platform and one market: the capstone's calculations (ps4).

A student picks a platform of the course's data and a territory to enter, and sizes the
entry with the course's own definitions:

- **online population**: the territory's people online (population x internet use, the
  latest ITU figure in ``countries``: :func:`platform_intl.sizing.internet_users`);
- **reach as it is**: online people who read one of the platform's languages, the
  largest listed share among them (lecture 06's lower bound, :func:`sizing.build_markets`);
- **the localized funnel**: with the market's *launch language* added (its most widely
  spoken language that the platform does not publish and that the course prices), TAM =
  online people who read a platform language or the launch language (the same rule),
  SAM = TAM x adoption, SOM = SAM x obtainable share (:func:`sizing.funnel`);
- **the cost of the launch language**: translation and review of the product's words
  (:func:`localization.route_cost`), and a year of moderation for the obtainable users
  (:func:`localization.inflow_staffing`, taking them as daily users: an upper bound);
- **the first year's return**: (SOM x revenue per user and year - moderation - one-off
  cost) / (one-off cost + moderation) (:func:`localization.localization_return`).

Every choice is checked: an unknown platform or market raises :class:`MarketEntryError`,
whose message lists what is allowed.

>>> check_platform(" Weibo ")
'weibo'
>>> launch_language("weibo", "MY")
'ms'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import checks, sizing
from . import localization as loc

#: Words of interface, help pages and policies a launch translates (a course assumption).
LAUNCH_WORDS = 50_000
#: Hours a day someone moderates the launch language (a course assumption: around the clock).
COVERAGE_HOURS = 24


class MarketEntryError(ValueError):
    """A platform or market the course's data cannot size; the message lists what is allowed."""


@dataclass(frozen=True)
class EntryPlatform:
    """A platform that can be taken abroad: its name, the languages it publishes, its home."""

    id: str
    name: str
    languages: tuple[str, ...]
    home: tuple[str, ...]


_CHINESE_HOME = (sizing.MAINLAND_CHINA, *sizing.HONG_KONG_MACAU_TAIWAN)

#: The platforms of ``platform_users`` a capstone can take abroad: Chinese-language
#: platforms whose home reach is mainland China (and, for the count, Hong Kong, Macau and
#: Taiwan, which they already reach in Chinese).
PLATFORMS: dict[str, EntryPlatform] = {
    p.id: p
    for p in (
        EntryPlatform("weibo", "Weibo", tuple(sizing.CHINESE_LANGUAGES), _CHINESE_HOME),
        EntryPlatform("xiaohongshu", "RedNote (Xiaohongshu)", tuple(sizing.CHINESE_LANGUAGES), _CHINESE_HOME),
        EntryPlatform("wechat", "WeChat", tuple(sizing.CHINESE_LANGUAGES), _CHINESE_HOME),
        EntryPlatform("douyin", "Douyin", tuple(sizing.CHINESE_LANGUAGES), _CHINESE_HOME),
    )
}


def _tables(countries, territory_languages) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = sizing.ensure_tables(
        {
            k: v
            for k, v in {"countries": countries, "territory_languages": territory_languages}.items()
            if v is not None
        },
        "countries",
        "territory_languages",
    )
    return t["countries"], t["territory_languages"]


def _primary(tag: str) -> str:
    return str(tag).replace("_", "-").split("-")[0].lower()


def check_platform(platform) -> str:
    """The platform's id (trimmed, lower case); MarketEntryError lists the allowed ids."""
    if isinstance(platform, str) and platform.strip().lower() in PLATFORMS:
        return platform.strip().lower()
    raise MarketEntryError(f"platform must be one of {sorted(PLATFORMS)}; got {platform!r}")


def _priced_primaries() -> set[str]:
    return {_primary(t) for t in loc.translation_prices()["language"]}


def _launch_languages(platform: str, countries: pd.DataFrame, territory_languages: pd.DataFrame) -> dict[str, str]:
    """Territory -> launch language, for every market the platform can enter."""
    profile = PLATFORMS[check_platform(platform)]
    served = {_primary(t) for t in profile.languages}
    priced = _priced_primaries() - served
    online = countries.dropna(subset=["internet_pct"])
    online = online[(online["population"].astype(float) > 0) & ~online["territory"].isin(profile.home)]
    rows = territory_languages[territory_languages["territory"].isin(online["territory"])].dropna(
        subset=["population_share"]
    )
    primary = rows["language"].map(_primary)
    speaks_platform = set(rows.loc[primary.isin(served) & (rows["population_share"] > 0), "territory"])
    candidates = rows[primary.isin(priced) & (rows["population_share"] > 0)]
    candidates = candidates.sort_values(["territory", "population_share", "language"], ascending=[True, False, True])
    first = candidates.drop_duplicates("territory")
    return {t: lang for t, lang in zip(first["territory"], first["language"]) if t in speaks_platform}


def allowed_markets(platform, *, countries=None, territory_languages=None) -> list[str]:
    """Territory codes a platform can enter in the course's data, sorted.

    A market needs a population and an internet-use figure (``countries``), people who
    read one of the platform's languages (``territory_languages``), and a language the
    platform does not publish yet for which the course has a price per word; the
    platform's home (mainland China, Hong Kong, Macau, Taiwan) is not a new market.
    """
    countries, territory_languages = _tables(countries, territory_languages)
    return sorted(_launch_languages(platform, countries, territory_languages))


def check_market(platform, market, *, countries=None, territory_languages=None) -> str:
    """The market's territory code (trimmed, upper case); MarketEntryError lists the allowed codes."""
    allowed = allowed_markets(platform, countries=countries, territory_languages=territory_languages)
    if isinstance(market, str) and market.strip().upper() in allowed:
        return market.strip().upper()
    raise MarketEntryError(f"market must be one of the territory codes {allowed} for {platform!r}; got {market!r}")


def check_entry_choice(platform, market, *, countries=None, territory_languages=None) -> tuple[str, str]:
    """For test cells: the choice as (platform id, territory code), or a friendly AssertionError.

    The failure is :func:`platform_intl.checks.check_choice`'s, whose message lists the
    allowed platforms, or the markets allowed for the platform chosen.
    """
    checks.check_choice(platform, sorted(PLATFORMS), "platform", hint="the platform's id, in quotes.")
    chosen = check_platform(platform)
    allowed = allowed_markets(chosen, countries=countries, territory_languages=territory_languages)
    checks.check_choice(market, allowed, "market", hint="a two-letter territory code allowed for the platform.")
    return chosen, str(market).strip().upper()


def launch_language(platform, market, *, countries=None, territory_languages=None) -> str:
    """The market's most widely spoken language that the platform does not publish and the course prices."""
    countries, territory_languages = _tables(countries, territory_languages)
    code = check_market(platform, market, countries=countries, territory_languages=territory_languages)
    return _launch_languages(platform, countries, territory_languages)[code]


@dataclass(frozen=True)
class EntryCase:
    """Every figure of a market entry, for one platform, market and set of stated assumptions."""

    platform: str
    market: str
    launch_language: str
    online_population: float
    reach_as_is: float
    tam: float
    sam: float
    som: float
    one_off_cost: float
    moderators: int
    moderation_per_year: float
    yearly_value: float
    roi_first_year: float
    payback_months: float


def entry_case(
    platform,
    market,
    *,
    adoption: float,
    obtainable_share: float,
    revenue_per_user_year: float,
    words: float = LAUNCH_WORDS,
    coverage_hours: float = COVERAGE_HOURS,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> EntryCase:
    """The whole case: reach, the localized funnel, the launch language's cost and the first year's return."""
    given = dict(tables or {})
    countries, territory_languages = _tables(given.get("countries"), given.get("territory_languages"))
    platform = check_platform(platform)
    market = check_market(platform, market, countries=countries, territory_languages=territory_languages)
    language = _launch_languages(platform, countries, territory_languages)[market]
    languages = PLATFORMS[platform].languages
    as_is = sizing.build_markets(countries, territory_languages, territories=[market], languages=languages)
    localized = sizing.build_markets(
        countries, territory_languages, territories=[market], languages=(*languages, _primary(language))
    )
    result = sizing.funnel(localized, adoption=adoption, obtainable_share=obtainable_share)
    totals = sizing.funnel_totals(result)
    reach = float(sizing.funnel(as_is, adoption=1.0, obtainable_share=1.0)["tam"].sum())
    one_off = loc.route_cost(language, words).total
    staffing = loc.inflow_staffing(float(totals["som"]), coverage_hours=coverage_hours)
    moderation = staffing.headcount * loc.MODERATOR_COST_PER_YEAR
    value = loc.localization_return(
        float(totals["som"]),
        revenue_per_user_year=revenue_per_user_year,
        one_off_cost=one_off,
        recurring_cost_per_year=moderation,
        adoption=1.0,
    )
    return EntryCase(
        platform=platform,
        market=market,
        launch_language=language,
        online_population=sizing.internet_users(countries, market),
        reach_as_is=reach,
        tam=float(totals["tam"]),
        sam=float(totals["sam"]),
        som=float(totals["som"]),
        one_off_cost=one_off,
        moderators=staffing.headcount,
        moderation_per_year=moderation,
        yearly_value=value["yearly_value"],
        roi_first_year=value["roi_first_year"],
        payback_months=value["payback_months"],
    )
