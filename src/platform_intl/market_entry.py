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


# ----------------------------------------------------------------- grading policy
# The capstone's hidden tests recompute every figure from the student's own choice and
# stated assumptions. Two rules keep that from rewarding work not done: stated
# assumptions must lie in a range the course's evidence supports (an adoption of 0 would
# make a funnel of zeros "right"), and a later part builds on the student's earlier
# figure only if that figure is right or a mistake the diagnosis recognises (a typed
# number unrelated to the data is not carried forward: the later part is then checked
# against the figures the student's choice gives).


@dataclass(frozen=True)
class AssumptionRange:
    """The values a stated assumption may take in the capstone, and what the range rests on."""

    name: str
    low: float
    high: float
    unit: str
    why: str

    def describe(self, value: float, locale: str = "en_US") -> str:
        if self.unit == "share":
            return loc.format_percent(value, locale, decimals=1)
        return loc.format_currency(value, "USD", locale, decimals=2)


#: Lecture 06's bounds on the obtainable share, relative to its default (a judgement).
OBTAINABLE_RANGE = (0.25, 2.0)
#: How far a stated revenue per user may go beyond part 0's anchors (a factor either way).
REVENUE_BEYOND_ANCHORS = 10.0
#: The smallest adoption worth sizing an entry for (a course judgement: a niche).
MIN_ADOPTION = 0.01


def assumption_ranges(tables: Mapping[str, pd.DataFrame] | None = None) -> dict[str, AssumptionRange]:
    """The capstone's ranges for ``adoption``, ``obtainable_share`` and ``revenue_per_user_year``.

    - adoption: from 1 % (a niche) to Weibo's reach at home (lecture 06's high end): a
      platform abroad is not expected to reach more of its readers than at home;
    - obtainable share: lecture 06's range, a quarter of its default to twice it;
    - revenue per user and year: from a tenth of the abroad yield to ten times the home
      yield (part 0's anchors, :func:`sizing.revenue_per_user_cases`).
    """
    defaults = sizing.scenario_defaults("weibo_beyond_greater_china", tables=tables)["value"]
    yields = sizing.revenue_per_user_cases(tables).set_index("case")["revenue_per_user"]
    home_reach = float(defaults["adoption"])
    obtainable = float(defaults["obtainable_share"])
    low_factor, high_factor = OBTAINABLE_RANGE
    return {
        "adoption": AssumptionRange(
            "adoption",
            MIN_ADOPTION,
            home_reach,
            "share",
            "from a niche to Weibo's reach at home among China's internet users (lecture 06): abroad a "
            "platform is not expected to reach more of its readers than at home",
        ),
        "obtainable_share": AssumptionRange(
            "obtainable_share",
            obtainable * low_factor,
            obtainable * high_factor,
            "share",
            f"from a quarter of lecture 06's default ({obtainable:.0%}) to twice it",
        ),
        "revenue_per_user_year": AssumptionRange(
            "revenue_per_user_year",
            float(yields["abroad yield"]) / REVENUE_BEYOND_ANCHORS,
            float(yields["home yield"]) * REVENUE_BEYOND_ANCHORS,
            "USD per user and year",
            "from a tenth of part 0's abroad yield to ten times its home yield",
        ),
    }


def check_assumptions(tables: Mapping[str, pd.DataFrame] | None = None, **stated) -> None:
    """For test cells: each stated assumption is a number within its :func:`assumption_ranges` range.

    A failure (:class:`platform_intl.checks.CheckFailed`) names the assumption, the
    range and what it rests on, and says that the figures built on it are not checked.
    """
    ranges = assumption_ranges(tables)
    unknown = set(stated) - set(ranges)
    if unknown:
        raise ValueError(f"unknown assumption(s) {sorted(unknown)}; allowed: {sorted(ranges)}")
    for name, value in stated.items():
        checks.check_number(value, name)
        bound = ranges[name]
        number = float(value)
        if not bound.low <= number <= bound.high:
            raise checks.CheckFailed(
                f"`{name}` = {bound.describe(number)} is outside the range the course's evidence supports: "
                f"{bound.describe(bound.low)} to {bound.describe(bound.high)}, {bound.why}. "
                "The figures built on it are not checked until it is in that range."
                "\nHint: state a value in the range and argue for it in your memo.",
                name=name,
            )


def carried_assumption(name: str, value, tables: Mapping[str, pd.DataFrame] | None = None) -> float:
    """The stated assumption a later part builds on.

    The stated value when it is in its range; a share written as a percentage whose
    fraction is in the range is read as that fraction (20 for 0.2: the earlier part's test
    has counted the slip already). Anything else fails as :func:`check_assumptions` does.
    """
    bound = assumption_ranges(tables)[name]
    if (
        bound.unit == "share"
        and checks.is_number(value)
        and bound.low <= float(value) / 100 <= bound.high
        and not bound.low <= float(value) <= bound.high
    ):
        return float(value) / 100
    check_assumptions(tables, **{name: value})
    return float(value)


#: Diagnosed kinds of a wrong figure that a later part still builds on (see :func:`carried`).
CARRIED_KINDS = frozenset({"known", "percent", "units", "inverse", "off_by_one", "rounded", "close", "magnitude"})


def carried(value, expected: float, *, rel: float = 1e-4, known: Mapping[str, float] | None = None) -> float:
    """The figure a later part is checked on: the student's ``value`` or the ``expected`` one.

    The student's own figure is used when it is right or a mistake
    :func:`platform_intl.diagnosis.diagnose` recognises (a percentage, a unit slip, a
    mistake the earlier test names, the right order of magnitude), so one mistake is not
    counted twice. A missing, non-numeric, zero, sign-flipped or unrelated figure is not
    carried: the later part is then checked against ``expected``.
    """
    from .diagnosis import diagnose

    found = diagnose(value, expected, rel=rel, known=known)
    if found is None or found.kind in CARRIED_KINDS:
        return float(value)
    return float(expected)


def assumption_table(tables: Mapping[str, pd.DataFrame] | None = None):
    """The capstone's assumption ranges as a table for reading (:func:`platform_intl.tables.show`)."""
    from .tables import show

    rows = [
        {"assumption": r.name, "from": r.describe(r.low), "to": r.describe(r.high), "why": r.why}
        for r in assumption_ranges(tables).values()
    ]
    return show(
        pd.DataFrame(rows), text=["assumption", "from", "to", "why"], caption="The ranges your assumptions must lie in"
    )


def carry_forward(case: EntryCase, *, som=None, moderators=None, one_off_cost=None, moderation_per_year=None) -> dict:
    """The figures of parts 3 and 4 that parts 4 and 5 are checked on, along the case's chain.

    Each figure is :func:`carried` against what the figures before it give (the student's
    SOM against the case's, the moderators against those the carried SOM needs, the
    year's moderation against the carried moderators' cost), so a recognised mistake is
    carried through the later parts and counted once. A figure not given is the case's.
    """
    given_som = case.som if som is None else som
    carried_som = carried(given_som, case.som, known={"sam, not sam x obtainable share": case.sam})
    needed = loc.inflow_staffing(carried_som).headcount
    carried_moderators = needed if moderators is None else carried(moderators, needed)
    yearly = carried_moderators * loc.MODERATOR_COST_PER_YEAR
    translation = LAUNCH_WORDS * loc.price_per_word_for(case.launch_language)
    return {
        "som": carried_som,
        "moderators": carried_moderators,
        "one_off_cost": case.one_off_cost
        if one_off_cost is None
        else carried(one_off_cost, case.one_off_cost, known={"translation only, without review and QA": translation}),
        "moderation_per_year": yearly
        if moderation_per_year is None
        else carried(moderation_per_year, yearly, known={"a month of moderation, not a year": yearly / 12}),
    }
