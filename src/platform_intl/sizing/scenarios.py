"""The course's sizing scenarios, as data, and the course datasets as their inputs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
from .sensitivity import DEFAULT_UNCERTAINTIES, Uncertainty, sensitivity

# ------------------------------------------------------------------ data and scenarios

#: The tables of ``platform_intl.data`` the scenarios read.
TABLES = ("countries", "territory_languages", "platform_users", "chinese_diaspora", "revenue")


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


def internet_users(countries: pd.DataFrame, territory: str) -> float:
    """People online in one territory: population x internet_pct / 100."""
    row = countries.loc[countries["territory"].astype(str) == territory]
    if row.empty:
        check_territories([territory], countries["territory"].astype(str), "territory")
    population = float(row["population"].iloc[0])
    pct = float(row["internet_pct"].iloc[0])
    if math.isnan(pct):
        raise SizingError(f"territory {territory!r} has no internet penetration in the countries table")
    return population * pct / 100.0


def _home_reach(t, platform, metric, territory):
    users = latest_figure(
        t["platform_users"], platform, metric, scope="global" if territory == MAINLAND_CHINA else territory
    )
    online = internet_users(t["countries"], territory)
    return float(users["value"]) / online, (
        f"{platform} {metric} ({pd.Timestamp(users['period_end']).date()}) / internet users in "
        f"{territory} (population x internet_pct)"
    )


def _weibo_home_reach(t):
    return _home_reach(t, "weibo", "MAU", MAINLAND_CHINA)


def _tiktok_us_reach(t):
    return _home_reach(t, "tiktok", "MAU", "US")


def _rednote_share_of_tiktok_us(t):
    rednote = latest_figure(t["platform_users"], "xiaohongshu", "DAU", scope="US")
    tiktok = latest_figure(t["platform_users"], "tiktok", "MAU", scope="US")
    return float(rednote["value"]) / float(tiktok["value"]), (
        f"RedNote US DAU at the January 2025 peak ({pd.Timestamp(rednote['period_end']).date()}, "
        f"an estimate) / TikTok US MAU ({pd.Timestamp(tiktok['period_end']).date()}): DAU against "
        "MAU, so an optimistic share"
    )


def _twitter_reach_outside_china(t):
    twitter = latest_figure(t["platform_users"], "twitter", "MAU", on_or_before="2015-05-26")
    markets = build_markets(t["countries"], languages=None, exclude=(MAINLAND_CHINA,), missing_internet="drop")
    online = float((markets["population"] * markets["internet_share"]).sum())
    return float(twitter["value"]) / online, (
        f"Twitter MAU ({pd.Timestamp(twitter['period_end']).date()}, the quarter before the CES Asia "
        "keynote) / internet users in the markets with ITU data outside China (today's "
        "penetration: mixes years)"
    )


#: Derived defaults: name -> function(tables) -> (value, how it is derived).
DERIVATIONS = {
    "weibo_home_reach": _weibo_home_reach,
    "tiktok_us_reach": _tiktok_us_reach,
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
    tables: tuple[str, ...] = field(default=("countries", "territory_languages", "platform_users"))


_NO_LANGUAGE = tuple(u for u in DEFAULT_UNCERTAINTIES if u.factor != "language_share")

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
        uncertainties=DEFAULT_UNCERTAINTIES + (LANGUAGE_OVERLAP,),
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
        uncertainties=DEFAULT_UNCERTAINTIES + (LANGUAGE_OVERLAP,),
    ),
    Scenario(
        id="rednote_us_tiktok",
        title="RedNote and US TikTok users",
        question="In January 2025, 'TikTok refugees' joined RedNote (Xiaohongshu) ahead of the US "
        "ban: how large was the pool they came from, and what share did RedNote catch?",
        platform="xiaohongshu",
        languages=None,
        territories=("US",),
        adoption=Assumption(
            derive="tiktok_us_reach",
            explanation=("Share of online Americans who use TikTok (the pool of would-be refugees)."),
        ),
        obtainable_share=Assumption(
            derive="rednote_share_of_tiktok_us",
            explanation=("Share of US TikTok users RedNote drew at the peak of the inflow."),
        ),
        uncertainties=_NO_LANGUAGE,
        notes="Language is not a filter here: the refugees were English speakers joining a "
        "Chinese-language app, which is the surprise.",
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
) -> pd.DataFrame:
    """The tornado table (see :func:`sensitivity`) of a scenario with its uncertainties."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    adoption, obtainable_share = _assumptions(s, t, adoption, obtainable_share)
    markets = scenario_markets(s, tables=t, territories=territories)
    return sensitivity(
        markets,
        adoption=adoption,
        obtainable_share=obtainable_share,
        uncertainties=s.uncertainties,
        territory_languages=t["territory_languages"],
    )
