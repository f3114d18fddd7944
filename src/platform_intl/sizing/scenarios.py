"""The course's sizing scenarios, as data, and the course datasets as their inputs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from .markets import (
    CHINESE_LANGUAGES,
    HONG_KONG_MACAU_TAIWAN,
    MAINLAND_CHINA,
    SizingError,
    _require_columns,
    build_markets,
    check_territories,
    funnel,
)
from .periods import Figure, Ratio, figure_on, ratio
from .sensitivity import DEFAULT_UNCERTAINTIES, Uncertainty, sensitivity

# ------------------------------------------------------------------ data and scenarios

#: The tables of ``platform_intl.data`` the scenarios read.
TABLES = ("countries", "territory_languages", "platform_users", "chinese_diaspora", "revenue", "internet_use")


def load_tables(names: Iterable[str] = TABLES) -> dict[str, pd.DataFrame]:
    """The course datasets the sizing functions read, by name, via ``platform_intl.data``."""
    from platform_intl import data

    return {name: data.load(name) for name in names}


def ensure_tables(tables: Mapping[str, pd.DataFrame] | None, *names: str) -> dict[str, pd.DataFrame]:
    """``tables`` (name -> frame) completed with whichever of ``names`` it lacks, loaded."""
    given = dict(tables or {})
    missing = [n for n in names if n not in given]
    if missing:
        given.update(load_tables(missing))
    return given


def latest_figure(
    platform_users: pd.DataFrame, platform: str, metric: str, *, scope: str = "global", on_or_before=None
) -> pd.Series:
    """The most recent row of ``platform_users`` for a platform, metric and scope.

    ``on_or_before`` (a date) picks the latest figure up to that date. Raises SizingError
    naming what exists when nothing matches.
    """
    _require_columns(platform_users, ("platform", "metric", "value", "period_end"), "platform_users")
    rows = platform_users[(platform_users["platform"] == platform) & (platform_users["metric"] == metric)]
    if "scope" in rows:
        rows = rows[rows["scope"] == scope]
    if on_or_before is not None:
        rows = rows[pd.to_datetime(rows["period_end"]) <= pd.Timestamp(on_or_before)]
    if rows.empty:
        have = platform_users.loc[platform_users["platform"] == platform, "metric"].unique().tolist()
        raise SizingError(
            f"no {metric!r} figure for platform {platform!r} (scope {scope!r}"
            f"{'' if on_or_before is None else f', on or before {on_or_before}'}); "
            f"metrics listed for it: {have}"
        )
    return rows.loc[pd.to_datetime(rows["period_end"]).idxmax()]


def internet_users(
    countries: pd.DataFrame, territory: str, *, year: int | None = None, internet_use: pd.DataFrame | None = None
) -> float:
    """People online in one territory.

    Without ``year``: population x internet_pct / 100 from ``countries`` (CLDR population,
    which has no year, times the latest internet-use figure). With ``year``: the row of
    ``internet_use`` for that territory and year, its ``internet_users`` count where the
    source gives one (CNNIC for China 2018), else population x that year's share. Raises
    SizingError naming the years that exist when there is no row for ``year``.
    """
    return internet_users_figure(countries, territory, year=year, internet_use=internet_use).value


def internet_users_figure(
    countries: pd.DataFrame, territory: str, *, year: int | None = None, internet_use: pd.DataFrame | None = None
) -> Figure:
    """:func:`internet_users` as a :class:`Figure`, dated to 31 December of its year."""
    row = countries.loc[countries["territory"].astype(str) == territory]
    if row.empty:
        check_territories([territory], countries["territory"].astype(str), "territory")
    population = float(row["population"].iloc[0])
    if year is None:
        pct = float(row["internet_pct"].iloc[0])
        if math.isnan(pct):
            raise SizingError(f"territory {territory!r} has no internet penetration in the countries table")
        latest = row["internet_year"].iloc[0] if "internet_year" in row else None
        when = f"{int(latest)}-12-31" if latest is not None and not pd.isna(latest) else "2023-12-31"
        return Figure(
            population * pct / 100.0,
            "internet users",
            when,
            f"internet users in {territory} (CLDR population x internet_pct {when[:4]})",
        )
    if internet_use is None:
        raise SizingError("internet_use (the table) is needed when a year is given: data.load('internet_use')")
    _require_columns(internet_use, ("territory", "year", "internet_pct"), "internet_use")
    rows = internet_use[internet_use["territory"].astype(str) == territory]
    hit = rows[rows["year"].astype(int) == int(year)]
    if hit.empty:
        years = sorted(int(y) for y in rows["year"])
        raise SizingError(f"no internet-use figure for {territory!r} in {year}; years listed: {years}")
    record = hit.iloc[0]
    count = record.get("internet_users", None)
    if count is not None and not pd.isna(count):
        return Figure(
            float(count), "internet users", f"{int(year)}-12-31", f"internet users in {territory} {year} (count)"
        )
    return Figure(
        population * float(record["internet_pct"]) / 100.0,
        "internet users",
        f"{int(year)}-12-31",
        f"internet users in {territory} {year} (CLDR population x internet_pct)",
    )


#: The day RedNote's US inflow peaked (Similarweb): the scenario sizes the inflow on it.
REDNOTE_PEAK = "2025-01-19"
#: Weibo's plan was put to AFP in November 2018: the Weibo scenarios use 2018 figures.
WEIBO_PLAN_MAU_DATE = "2018-09-30"
WEIBO_PLAN_YEAR = 2018


def _weibo_home_ratio(t, metric: str = "MAU") -> Ratio:
    users = Figure.from_row(figure_on(t["platform_users"], "weibo", metric, WEIBO_PLAN_MAU_DATE), f"Weibo {metric}")
    online = internet_users_figure(t["countries"], MAINLAND_CHINA, year=WEIBO_PLAN_YEAR, internet_use=t["internet_use"])
    return ratio(users, online)


def _weibo_home_reach(t):
    r = _weibo_home_ratio(t)
    return r.value, r.note + " (Weibo counts accounts, some outside the mainland: slightly optimistic)"


def _tiktok_us_daily_reach(t):
    tiktok = Figure.from_row(figure_on(t["platform_users"], "tiktok", "DAU", REDNOTE_PEAK, scope="US"), "TikTok US DAU")
    online = internet_users_figure(t["countries"], "US")
    r = ratio(
        tiktok,
        online,
        mismatch_reason="the course holds no US internet-use figure for 2025 and US penetration changes slowly",
    )
    return r.value, r.note


def _rednote_share_of_tiktok_us(t):
    rednote = Figure.from_row(
        figure_on(t["platform_users"], "xiaohongshu", "DAU", REDNOTE_PEAK, scope="US"), "RedNote US DAU"
    )
    tiktok = Figure.from_row(figure_on(t["platform_users"], "tiktok", "DAU", REDNOTE_PEAK, scope="US"), "TikTok US DAU")
    r = ratio(rednote, tiktok, same_metric=True)
    return r.value, (
        f"{r.note}; both Similarweb estimates for the peak day. People on both apps count on both sides, so this is "
        "a ratio of audiences, not a share of TikTok's users that moved"
    )


def _twitter_reach_outside_china(t):
    twitter = Figure.from_row(
        latest_figure(t["platform_users"], "twitter", "MAU", on_or_before="2015-05-26"), "Twitter MAU"
    )
    markets = build_markets(t["countries"], languages=None, exclude=(MAINLAND_CHINA,), missing_internet="drop")
    online = Figure(
        float((markets["population"] * markets["internet_share"]).sum()),
        "internet users",
        "2023-12-31",
        "internet users outside China (markets with ITU data, latest year)",
    )
    r = ratio(
        twitter,
        online,
        mismatch_reason="the course holds internet use for 2020 and the latest year only, none for 2015; "
        "the adoption is derived from Twitter's MAU, so the SAM equals that MAU by construction",
    )
    return r.value, r.note


#: Derived defaults: name -> function(tables) -> (value, how it is derived).
DERIVATIONS = {
    "weibo_home_reach": _weibo_home_reach,
    "tiktok_us_daily_reach": _tiktok_us_daily_reach,
    "rednote_share_of_tiktok_us": _rednote_share_of_tiktok_us,
    "twitter_reach_outside_china": _twitter_reach_outside_china,
}


@dataclass(frozen=True)
class Assumption:
    """A default for adoption or obtainable share: a course assumption, or derived from data."""

    value: float | None = None
    derive: str | None = None
    explanation: str = ""

    @property
    def basis(self) -> str:
        return "derived from the course datasets" if self.derive else "course assumption"

    def resolve(self, tables: Mapping[str, pd.DataFrame]) -> tuple[float, str]:
        """(value, explanation); a derived value above 1 is capped at 1 (it is a share)."""
        if self.derive:
            value, how = DERIVATIONS[self.derive](tables)
            return float(min(value, 1.0)), f"{self.explanation} Derived: {how}."
        if self.value is None:
            raise ValueError(f"assumption {self.explanation[:40]!r}... has neither a value nor a derivation")
        return float(self.value), self.explanation


LANGUAGE_OVERLAP = Uncertainty(
    "language_share",
    "max",
    "sum",
    label="Language overlap rule",
    why="overlapping CLDR shares: the largest share per territory (lower bound) against their sum "
    "capped at 100 % (upper bound)",
)


@dataclass(frozen=True)
class Scenario:
    """A market-sizing question, as data: which territories, which languages, which defaults."""

    id: str
    title: str
    question: str
    platform: str
    adoption: Assumption
    obtainable_share: Assumption
    languages: tuple[str, ...] | None = CHINESE_LANGUAGES
    territories: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    missing_internet: str | float = "zero"
    uncertainties: tuple[Uncertainty, ...] = DEFAULT_UNCERTAINTIES
    notes: str = ""
    tables: tuple[str, ...] = field(default=("countries", "territory_languages", "platform_users", "internet_use"))


_NO_LANGUAGE = tuple(u for u in DEFAULT_UNCERTAINTIES if u.factor != "language_share")


def _weibo_adoption_range(t, markets):
    """Adoption from the engaged core (DAU / internet users) to the monthly reach (MAU / internet users), 2018."""
    low, high = _weibo_home_ratio(t, "DAU"), _weibo_home_ratio(t, "MAU")
    why = (
        f"from the data: Weibo's daily users ({low.value:.1%}) to its monthly users ({high.value:.1%}) as a share "
        "of China's internet users, 2018"
    )
    return low.value, high.value, False, why


def _internet_2020_range(t, markets):
    """Internet use as it was in 2020 against the latest year, weighted by the scenario's speakers."""
    internet = t["internet_use"]
    use2020 = internet[internet["year"].astype(int) == 2020].set_index("territory")["internet_pct"].astype(float) / 100
    weights = markets["population"] * markets["language_share"]
    then = markets["territory"].map(use2020).fillna(markets["internet_share"])
    now = (weights * markets["internet_share"]).sum()
    low = float((weights * then).sum() / now) if now else 1.0
    why = (
        f"from the data: each territory's 2020 internet use instead of its latest (x{low:.3f} overall), capped at 100 %"
    )
    return low, 1.0, True, why


#: Ranges of the sensitivity analysis that come from the data: name -> function(tables,
#: markets) -> (low, high, relative, why). Resolved by :func:`scenario_sensitivity`.
RANGE_DERIVATIONS = {
    "weibo_adoption_range": _weibo_adoption_range,
    "internet_2020_range": _internet_2020_range,
}

#: The Weibo scenarios' ranges: each says what it rests on, so the tornado ranks evidence.
WEIBO_UNCERTAINTIES = (
    Uncertainty("population", 0.97, 1.03, why="judgement: CLDR populations are rounded estimates of mixed vintage"),
    Uncertainty("internet_share", "derived", "derived", why="internet_2020_range"),
    Uncertainty("adoption", "derived", "derived", why="weibo_adoption_range"),
    Uncertainty(
        "obtainable_share",
        0.25,
        2.0,
        why="no evidence: a judgement (from a quarter to twice the default); the least supported range",
    ),
)

# The two Weibo scenarios differ only in which territories they count; their
# assumptions are the same and are defined once.
WEIBO_ADOPTION = Assumption(
    derive="weibo_home_reach",
    explanation=(
        "Share of online Chinese speakers who would use a Weibo-like microblog if they took "
        "to it as mainland internet users do."
    ),
)
WEIBO_OBTAINABLE_ABROAD = Assumption(
    0.2,
    explanation=(
        "Share of those adopters a platform from the mainland could win abroad, where "
        "WeChat, LINE, WhatsApp, Facebook and Instagram are already in use."
    ),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        id="weibo_diaspora",
        title="Weibo and Chinese speakers outside mainland China",
        question="In 2018 Weibo said it wanted the 'Chinese-speaking world' to use it: how many "
        "people is that, outside mainland China, and how many could Weibo win?",
        platform="weibo",
        exclude=(MAINLAND_CHINA,),
        adoption=WEIBO_ADOPTION,
        obtainable_share=WEIBO_OBTAINABLE_ABROAD,
        uncertainties=WEIBO_UNCERTAINTIES + (LANGUAGE_OVERLAP,),
        notes="Hong Kong, Macau and Taiwan are outside mainland China but inside Weibo's home "
        "reach (its Hong Kong and Taiwan sites): some of this market is already in Weibo's "
        "MAU. The weibo_beyond_greater_china scenario leaves them out.",
    ),
    Scenario(
        id="weibo_beyond_greater_china",
        title="Weibo and Chinese speakers beyond Hong Kong, Macau and Taiwan",
        question="The diaspora Weibo would have to win anew: Chinese speakers outside mainland "
        "China, Hong Kong, Macau and Taiwan.",
        platform="weibo",
        exclude=(MAINLAND_CHINA,) + HONG_KONG_MACAU_TAIWAN,
        adoption=WEIBO_ADOPTION,
        obtainable_share=WEIBO_OBTAINABLE_ABROAD,
        uncertainties=WEIBO_UNCERTAINTIES + (LANGUAGE_OVERLAP,),
    ),
    Scenario(
        id="rednote_us_tiktok",
        title="RedNote and US TikTok users, on the day of the ban",
        question="In January 2025, 'TikTok refugees' joined RedNote (Xiaohongshu) ahead of the US "
        "ban: how large was the daily audience they came from, and how large was RedNote's at the "
        "peak (19 January 2025)? Daily users throughout, on one day.",
        platform="xiaohongshu",
        languages=None,
        territories=("US",),
        adoption=Assumption(
            derive="tiktok_us_daily_reach",
            explanation=("Share of online Americans who used TikTok on the day of the ban (its daily audience)."),
        ),
        obtainable_share=Assumption(
            derive="rednote_share_of_tiktok_us",
            explanation=("RedNote's US daily users against TikTok's on the same day, the peak of the inflow."),
        ),
        uncertainties=_NO_LANGUAGE,
        notes="Language is not a filter here: the refugees were English speakers joining a "
        "Chinese-language app, which is the surprise. The peak lasted a day: RedNote's US daily "
        "users fell 54 % the next day (14.9 million on 20 January).",
    ),
    Scenario(
        id="twitter_chinese_advertisers",
        title="Twitter's reach for Chinese outbound advertisers",
        question="In 2015 Twitter courted Chinese companies that advertise abroad (Twitter is "
        "blocked in China): how many people outside China could such an advertiser reach?",
        platform="twitter",
        languages=None,
        exclude=(MAINLAND_CHINA,),
        missing_internet="drop",
        adoption=Assumption(
            derive="twitter_reach_outside_china", explanation=("Share of online people outside China who used Twitter.")
        ),
        obtainable_share=Assumption(
            0.1,
            explanation=(
                "Share of Twitter's audience in an advertiser's target segment (age, interests, markets served)."
            ),
        ),
        uncertainties=_NO_LANGUAGE,
        notes="Markets without ITU internet data are left out (missing_internet='drop').",
    ),
)
_SCENARIO_BY_ID = {s.id: s for s in SCENARIOS}


def get_scenario(scenario_id: str | Scenario) -> Scenario:
    """The scenario with this id, or SizingError listing the ids."""
    if isinstance(scenario_id, Scenario):
        return scenario_id
    try:
        return _SCENARIO_BY_ID[scenario_id]
    except (KeyError, TypeError):
        raise SizingError(f"scenario must be one of {list(_SCENARIO_BY_ID)}; got {scenario_id!r}") from None


def scenarios_table() -> pd.DataFrame:
    """The scenarios as a table: id, title, platform, languages, territories, exclude."""
    return pd.DataFrame(
        [
            {
                "id": s.id,
                "title": s.title,
                "platform": s.platform,
                "languages": "all" if s.languages is None else ", ".join(s.languages),
                "territories": "all listed" if s.territories is None else ", ".join(s.territories),
                "exclude": ", ".join(s.exclude),
                "adoption": s.adoption.basis,
                "obtainable_share": s.obtainable_share.basis,
            }
            for s in SCENARIOS
        ]
    )


def scenario_markets(
    scenario_id,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    territories: Iterable[str] | None = None,
    combine: str = "max",
) -> pd.DataFrame:
    """The markets of a scenario (see :func:`build_markets`); ``territories`` narrows them."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, "countries", "territory_languages")
    markets = build_markets(
        t["countries"],
        t["territory_languages"],
        territories=s.territories,
        exclude=s.exclude,
        languages=s.languages,
        combine=combine,
        missing_internet=s.missing_internet,
    )
    if territories is not None:
        chosen = check_territories(territories, markets["territory"], "territories (of this scenario)")
        markets = markets[markets["territory"].isin(chosen)].reset_index(drop=True)
    return markets


def scenario_defaults(scenario_id, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Adoption and obtainable-share defaults: assumption, value, basis, explanation."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    rows = []
    for name in ("adoption", "obtainable_share"):
        assumption = getattr(s, name)
        value, text = assumption.resolve(t)
        rows.append({"assumption": name, "value": value, "basis": assumption.basis, "explanation": text})
    return pd.DataFrame(rows).set_index("assumption")


def _assumptions(s: Scenario, tables, adoption, obtainable_share) -> tuple[float, float]:
    if adoption is None or obtainable_share is None:
        defaults = scenario_defaults(s, tables=tables)["value"]
        adoption = defaults["adoption"] if adoption is None else adoption
        obtainable_share = defaults["obtainable_share"] if obtainable_share is None else obtainable_share
    return adoption, obtainable_share


def size_scenario(
    scenario_id,
    *,
    adoption=None,
    obtainable_share=None,
    territories: Iterable[str] | None = None,
    combine: str = "max",
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The funnel of a scenario per territory; adoption/obtainable_share default to the scenario's."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    adoption, obtainable_share = _assumptions(s, t, adoption, obtainable_share)
    markets = scenario_markets(s, tables=t, territories=territories, combine=combine)
    return funnel(markets, adoption=adoption, obtainable_share=obtainable_share)


def scenario_sensitivity(
    scenario_id,
    *,
    adoption=None,
    obtainable_share=None,
    territories: Iterable[str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    uncertainties: Iterable[Uncertainty] | None = None,
) -> pd.DataFrame:
    """The tornado table (see :func:`sensitivity`) of a scenario with its uncertainties.

    ``uncertainties`` replaces the scenario's ranges, e.g. :func:`equal_width_uncertainties`
    to see that, with equal relative ranges, every factor of a product moves the SOM alike.
    """
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    adoption, obtainable_share = _assumptions(s, t, adoption, obtainable_share)
    markets = scenario_markets(s, tables=t, territories=territories)
    return sensitivity(
        markets,
        adoption=adoption,
        obtainable_share=obtainable_share,
        uncertainties=resolve_uncertainties(s.uncertainties if uncertainties is None else uncertainties, t, markets),
        territory_languages=t["territory_languages"],
    )


def resolve_uncertainties(uncertainties, tables, markets) -> tuple[Uncertainty, ...]:
    """Fill in the ranges marked ``"derived"`` (their ``why`` names a :data:`RANGE_DERIVATIONS` entry)."""
    out = []
    for u in uncertainties:
        if u.low == "derived":
            if u.why not in RANGE_DERIVATIONS:
                raise SizingError(f"unknown derived range {u.why!r}; allowed: {sorted(RANGE_DERIVATIONS)}")
            low, high, relative, why = RANGE_DERIVATIONS[u.why](tables, markets)
            u = replace(u, low=low, high=high, relative=relative, why=why)
        out.append(u)
    return tuple(out)


def revenue_per_user_cases(tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Yearly revenue per user for a Weibo-like platform: at home, and abroad at Twitter's ratio.

    Home: Weibo's Q3 2024 revenue over its September 2024 MAU, x4 (a flat year assumed).
    Abroad (a labelled low case): the same, x Twitter's ad revenue per 1,000 timeline views
    outside the US over inside it (Q1 2014). Columns: case, revenue_per_user, basis.
    """
    t = ensure_tables(tables, "revenue", "platform_users")
    rev = t["revenue"]
    quarter = rev[(rev["company"] == "weibo") & (rev["metric"] == "total_revenue")]
    mau = figure_on(t["platform_users"], "weibo", "MAU", "2024-09-30")
    r = ratio(
        Figure(float(quarter["value"].iloc[0]), "revenue", quarter["period_end"].iloc[0], "Weibo revenue Q3 2024"),
        Figure.from_row(mau, "Weibo MAU"),
    )
    yields = rev[rev["metric"] == "ad_revenue_per_1000_timeline_views"].set_index("scope")["value"].astype(float)
    home = 4 * r.value
    gap = float(yields["ex-US"] / yields["US"])
    return pd.DataFrame(
        [
            {"case": "home yield", "revenue_per_user": home, "basis": f"{r.note}, x4 for a year"},
            {
                "case": "abroad yield",
                "revenue_per_user": home * gap,
                "basis": f"home x {gap:.3f}, Twitter's ad yield abroad over at home (Q1 2014): a proxy, "
                "a different platform and period",
            },
        ]
    )


def revenue_by_region(result: pd.DataFrame, countries: pd.DataFrame, revenue_per_user: float) -> pd.DataFrame:
    """Bottom-up: the obtainable users of a funnel, summed by continent, x revenue per user."""
    continent = countries.assign(territory=countries["territory"].astype(str)).set_index("territory")["continent"]
    users = result.assign(continent=result["territory"].map(continent).astype(str))
    by_region = users.groupby("continent", as_index=False)["som"].sum().rename(columns={"som": "users"})
    from .growth import bottom_up

    return bottom_up(by_region.assign(revenue_per_user=float(revenue_per_user)))
