"""Market sizing: the TAM -> SAM -> SOM funnel, growth, unit economics and sensitivity.

The funnel, per territory and in total (every stage is a number of people)::

    population
      x language share        -> speakers        = TAM  (total addressable market)
      x internet penetration  -> online speakers
      x platform adoption     -> adopters        = SAM  (serviceable available market)
      x obtainable share      -> obtainable      = SOM  (serviceable obtainable market)

*Language share* is the share of a territory's people who speak one of the scenario's
languages (Unicode CLDR estimates), *internet penetration* the share who used the
internet in the last three months (ITU), *platform adoption* the share of online people
who use a platform of the kind in question, and *obtainable share* the share of those
adopters the product could realistically win. All shares are **fractions in [0, 1]**:
a percentage (45 for 45 %) raises :class:`SizingError`, which names the argument and
the allowed range, as do negative populations and unknown territory codes.

Everything is vectorised pandas: one row per territory, no Python loops over rows.

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

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- constants

#: Chinese languages (ISO 639-3 / BCP 47 primary subtags) that CLDR lists as spoken in
#: some territory: Mandarin/Chinese (zh), Cantonese (yue), Min Nan/Hokkien/Taiwanese
#: (nan), Hakka (hak), Wu (wuu), Gan (gan), Xiang (hsn), Min Dong (cdo), Jin (cjy) and
#: other Sinitic languages. Literary Chinese (lzh), a written register, is left out.
CHINESE_LANGUAGES = ("zh", "yue", "nan", "hak", "wuu", "gan", "hsn", "cdo", "cjy", "cpx",
                     "czh", "czo", "mnp")
MAINLAND_CHINA = "CN"
#: Outside mainland China, yet inside Weibo's home reach (its Hong Kong and Taiwan sites).
HONG_KONG_MACAU_TAIWAN = ("HK", "MO", "TW")

#: The funnel's stages, widest first, with the column that holds each.
STAGES = ("population", "tam", "online", "sam", "som")
STAGE_LABELS = {
    "population": "Population",
    "tam": "Addressable (TAM)",
    "online": "Online",
    "sam": "Adopters (SAM)",
    "som": "Obtainable (SOM)",
}
#: The inputs the funnel multiplies, in order; each one can be varied by sensitivity().
FACTORS = ("population", "language_share", "internet_share", "adoption", "obtainable_share")
FACTOR_LABELS = {
    "population": "Population",
    "language_share": "Language share",
    "internet_share": "Internet penetration",
    "adoption": "Platform adoption",
    "obtainable_share": "Obtainable share",
}
SHARE_FACTORS = FACTORS[1:]
COMBINE_RULES = ("max", "sum")
MISSING_INTERNET_RULES = ("zero", "drop")


class SizingError(ValueError):
    """An input outside its allowed range; the message names the argument and the range."""


# -------------------------------------------------------------------------- validation


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _as_float_array(value, name: str) -> np.ndarray:
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise SizingError(f"{name} must be a number (or numbers); got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise SizingError(f"{name} must be a number (or numbers); got {value!r}") from None
    return array


def _examples(value, mask: np.ndarray) -> str:
    """Up to three offending entries, labelled by index where there is one."""
    if isinstance(value, pd.Series):
        bad = value[np.asarray(mask).reshape(-1)]
        return ", ".join(f"{k}: {v:g}" for k, v in list(bad.items())[:3])
    flat = np.asarray(value, dtype=float).reshape(-1)[np.asarray(mask).reshape(-1)]
    return ", ".join(f"{v:g}" for v in flat[:3])


def check_share(value, name: str):
    """Return ``value`` if it is a fraction (or fractions) in [0, 1]; else raise SizingError.

    A value between 1 and 100 is called out as a likely percentage.
    """
    array = _as_float_array(value, name)
    if np.isnan(array).any():
        raise SizingError(f"{name} must be a fraction between 0 and 1; it has missing (NaN) values: "
                          f"{_examples(value, np.isnan(array))}")
    bad = (array < 0) | (array > 1)
    if bad.any():
        looks_like_percent = bool(((array > 1) & (array <= 100)).any())
        hint = (" It looks like a percentage: divide by 100 (45 % is 0.45)." if looks_like_percent
                else "")
        got = f"{float(array):g}" if array.ndim == 0 else _examples(value, bad)
        raise SizingError(f"{name} must be a fraction between 0 and 1 (inclusive); got {got}.{hint}")
    return value


def check_nonnegative(value, name: str):
    """Return ``value`` if it is a finite number (or numbers) >= 0; else raise SizingError."""
    array = _as_float_array(value, name)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        got = f"{float(array):g}" if array.ndim == 0 else _examples(value, bad)
        raise SizingError(f"{name} must be a finite number >= 0 (a count of people or money); got {got}")
    return value


def check_positive(value, name: str):
    array = _as_float_array(value, name)
    bad = ~np.isfinite(array) | (array <= 0)
    if bad.any():
        got = f"{float(array):g}" if array.ndim == 0 else _examples(value, bad)
        raise SizingError(f"{name} must be a finite number > 0; got {got}")
    return value


def _normalise_codes(codes, name: str) -> list[str]:
    if isinstance(codes, str):
        codes = [codes]
    out = []
    for code in codes:
        if not isinstance(code, str) or not code.strip():
            raise SizingError(f"{name} must hold territory codes (strings such as 'HK'); got {code!r}")
        out.append(code.strip().upper())
    return out


def check_territories(codes, known: Iterable[str], name: str = "territories") -> list[str]:
    """Upper-cased codes, or SizingError naming the unknown ones and what is allowed."""
    wanted = _normalise_codes(codes, name)
    known_set = set(known)
    unknown = [c for c in wanted if c not in known_set]
    if unknown:
        examples = [c for c in ("HK", "TW", "US", "SG") if c in known_set] or sorted(known_set)[:4]
        sample = ", ".join(repr(c) for c in examples)
        raise SizingError(
            f"{name} has unknown territory code(s) {unknown}; allowed: the {len(known_set)} "
            f"territory codes of the countries table (CLDR / ISO 3166-1 alpha-2, e.g. {sample})")
    return wanted


def _choice(value, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise SizingError(f"{name} must be one of {list(allowed)}; got {value!r}")
    return value


def _require_columns(frame, columns: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SizingError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SizingError(f"{name} lacks the column(s) {missing}; it has {list(frame.columns)}")


# ------------------------------------------------------------------------------ funnel

MARKET_COLUMNS = ("territory", "population", "language_share", "internet_share")


def _per_market(value, markets: pd.DataFrame, name: str) -> np.ndarray:
    """A scalar, or a Series keyed by territory / aligned with ``markets``, as an array."""
    if isinstance(value, pd.Series):
        if value.index.equals(markets.index):  # already row-aligned
            return _as_float_array(value.to_numpy(), name)
        # Otherwise keyed by territory code: align by code, never by position.
        aligned = markets["territory"].map(value)
        if aligned.isna().any():
            missing = markets.loc[aligned.isna(), "territory"].tolist()[:5]
            raise SizingError(f"{name} has no value for territory(ies) {missing}; give a Series "
                              "keyed by territory code, or one number for every market")
        return _as_float_array(aligned.to_numpy(), name)
    array = _as_float_array(value, name)
    if array.ndim == 0:
        return np.full(len(markets), float(array))
    if array.shape != (len(markets),):
        raise SizingError(f"{name} must be one number or one per market ({len(markets)}); got shape {array.shape}")
    return array


def funnel(markets: pd.DataFrame, *, adoption, obtainable_share) -> pd.DataFrame:
    """The TAM -> SAM -> SOM funnel per territory.

    ``markets`` has one row per territory with ``territory``, ``population`` (people),
    ``language_share`` and ``internet_share`` (fractions); :func:`build_markets` makes
    one. ``adoption`` and ``obtainable_share`` are fractions: one number for every
    market, or a Series keyed by territory. Returns ``markets`` with the inputs and the
    columns ``tam``, ``online``, ``sam`` and ``som`` (people), widest first.
    """
    _require_columns(markets, MARKET_COLUMNS, "markets")
    if markets["territory"].duplicated().any():
        dupes = markets.loc[markets["territory"].duplicated(), "territory"].unique().tolist()
        raise SizingError(f"markets lists territory(ies) {dupes} more than once: each territory "
                          "must appear once, or it is counted twice")
    # Checked with territory codes as the index, so that an error names the territory.
    by_code = markets.set_index("territory")[["population", "language_share", "internet_share"]].astype(float)
    population = check_nonnegative(by_code["population"], "population").to_numpy()
    language = check_share(by_code["language_share"], "language_share").to_numpy()
    internet = check_share(by_code["internet_share"], "internet_share").to_numpy()
    adopt = _per_market(adoption, markets, "adoption")
    obtain = _per_market(obtainable_share, markets, "obtainable_share")
    check_share(adopt if np.ndim(adoption) == 0 else pd.Series(adopt, index=by_code.index), "adoption")
    check_share(obtain if np.ndim(obtainable_share) == 0 else pd.Series(obtain, index=by_code.index),
                "obtainable_share")

    out = markets.copy()
    out["adoption"] = adopt
    out["obtainable_share"] = obtain
    out["tam"] = population * language
    out["online"] = out["tam"] * internet
    out["sam"] = out["online"] * adopt
    out["som"] = out["sam"] * obtain
    return out


def funnel_totals(result: pd.DataFrame) -> pd.Series:
    """Sum of each stage over territories: population, tam, online, sam, som."""
    _require_columns(result, STAGES, "result")
    return result[list(STAGES)].sum()


def funnel_stages(result: pd.DataFrame) -> pd.DataFrame:
    """The totals as a tidy table (stage, label, people, share_of_previous) for charts."""
    totals = funnel_totals(result)
    people = totals.to_numpy(dtype=float)
    previous = np.concatenate([[np.nan], people[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(previous > 0, people / previous, np.nan)
    return pd.DataFrame({"stage": list(STAGES), "label": [STAGE_LABELS[s] for s in STAGES],
                         "people": people, "share_of_previous": ratio})


# ------------------------------------------------------------------ markets from data


def _primary_subtag(tags: pd.Series) -> pd.Series:
    return tags.astype(str).str.replace("_", "-", regex=False).str.split("-").str[0].str.lower()


def language_shares(territory_languages: pd.DataFrame, languages: Iterable[str] = CHINESE_LANGUAGES,
                    *, combine: str = "max") -> pd.DataFrame:
    """Share of each territory's people speaking any of ``languages``.

    ``languages`` are primary subtags (``"zh"`` matches zh, zh-Hans and zh-Hant) or full
    tags (``"zh-Hant"`` matches only that). Overlapping shares are combined by
    ``combine``: ``"max"`` (default, lower bound) or ``"sum"`` capped at 1 (upper bound).
    Returns territory, language_share, languages (the tags counted, ``;``-separated).
    Territories where CLDR lists a language without a share estimate count 0 for it.
    """
    _require_columns(territory_languages, ("territory", "language", "population_share"),
                     "territory_languages")
    _choice(combine, COMBINE_RULES, "combine")
    wanted = {str(l).replace("_", "-") for l in languages}
    wanted_primary = {l.lower() for l in wanted if "-" not in l}
    wanted_full = {l.lower() for l in wanted if "-" in l}
    tags = territory_languages["language"].astype(str).str.replace("_", "-", regex=False)
    mask = _primary_subtag(tags).isin(wanted_primary) | tags.str.lower().isin(wanted_full)
    rows = territory_languages.loc[mask, ["territory", "population_share"]].copy()
    rows["population_share"] = rows["population_share"].astype(float).fillna(0.0)
    check_share(rows.set_index("territory")["population_share"], "territory_languages.population_share")
    rows["tag"] = tags[mask]
    grouped = rows.groupby("territory", sort=True)
    if combine == "max":
        share = grouped["population_share"].max()
    else:
        share = grouped["population_share"].sum().clip(upper=1.0)
    listed = grouped["tag"].agg(lambda s: ";".join(s))
    return pd.DataFrame({"territory": share.index.astype(str), "language_share": share.to_numpy(),
                         "languages": listed.reindex(share.index).to_numpy()}).reset_index(drop=True)


def build_markets(countries: pd.DataFrame, territory_languages: pd.DataFrame | None = None, *,
                  territories: Iterable[str] | None = None, exclude: Iterable[str] = (),
                  languages: Iterable[str] | None = CHINESE_LANGUAGES, combine: str = "max",
                  missing_internet="zero") -> pd.DataFrame:
    """One row per territory: territory, name, population, language_share, internet_share.

    - ``countries`` needs ``territory``, ``population`` and ``internet_pct`` (a
      percentage, 0-100, as published); ``name`` is kept when present.
    - ``territories``: the codes to include (default: every territory where a language
      of ``languages`` is listed, or all territories when ``languages`` is None).
    - ``exclude``: codes to leave out, e.g. ``("CN",)``.
    - ``languages``: language tags counted (see :func:`language_shares`); None counts
      everyone (language_share 1).
    - ``missing_internet``: what to do where penetration is unknown: ``"zero"``
      (default; nobody counted online: a lower bound, flagged in ``internet_known``),
      ``"drop"`` (leave the territory out), or a fraction to assume.
    """
    _require_columns(countries, ("territory", "population", "internet_pct"), "countries")
    known = countries["territory"].astype(str)
    base = countries.assign(territory=known).drop_duplicates("territory").set_index("territory")

    if languages is None:
        shares = pd.DataFrame({"territory": base.index, "language_share": 1.0, "languages": "all"})
    else:
        if territory_languages is None:
            raise SizingError("territory_languages is needed when languages are given "
                              "(pass languages=None to count everyone)")
        languages = [languages] if isinstance(languages, str) else list(languages)
        if not languages:
            raise SizingError("languages must name at least one language tag, e.g. ('zh', 'yue'); "
                              "or None to count everyone")
        shares = language_shares(territory_languages, languages, combine=combine)
        shares = shares[shares["territory"].isin(base.index)]

    if territories is not None:
        chosen = check_territories(territories, base.index, "territories")
        shares = shares.set_index("territory").reindex(chosen)
        shares["language_share"] = shares["language_share"].fillna(0.0)
        shares["languages"] = shares["languages"].fillna("")
        shares = shares.rename_axis("territory").reset_index()
    dropped = check_territories(list(exclude), base.index, "exclude") if exclude else []
    shares = shares[~shares["territory"].isin(dropped)]

    rows = base.loc[shares["territory"]]
    population = check_nonnegative(rows["population"].astype(float), "population")
    pct = rows["internet_pct"].astype(float)
    internet = pct / 100.0
    check_share(internet.dropna(), "internet_pct / 100 (countries.internet_pct is a percentage, 0-100)")

    markets = pd.DataFrame({
        "territory": shares["territory"].to_numpy(),
        "name": rows["name"].astype(str).to_numpy() if "name" in rows else shares["territory"].to_numpy(),
        "population": population.to_numpy(),
        "language_share": shares["language_share"].to_numpy(dtype=float),
        "internet_share": internet.to_numpy(),
        "internet_known": internet.notna().to_numpy(),
        "languages": shares["languages"].to_numpy(),
    })
    if isinstance(missing_internet, str):
        _choice(missing_internet, MISSING_INTERNET_RULES, "missing_internet")
        if missing_internet == "drop":
            markets = markets[markets["internet_known"]]
        fill = 0.0
    else:
        fill = float(check_share(missing_internet, "missing_internet"))
    markets["internet_share"] = markets["internet_share"].fillna(fill)
    markets = markets.sort_values(["territory"]).reset_index(drop=True)
    markets.attrs["languages"] = "all" if languages is None else ";".join(languages)
    markets.attrs["combine"] = combine
    return markets


def chinese_speakers_outside_mainland(countries: pd.DataFrame, territory_languages: pd.DataFrame, *,
                                      combine: str = "max",
                                      include_hk_mo_tw: bool = True) -> pd.DataFrame:
    """Chinese speakers per territory outside mainland China (CN), largest first.

    Columns: territory, name, population, language_share, speakers, languages,
    greater_china (True for HK, MO, TW: outside the mainland, inside Weibo's home reach).
    """
    exclude = [MAINLAND_CHINA] + ([] if include_hk_mo_tw else list(HONG_KONG_MACAU_TAIWAN))
    markets = build_markets(countries, territory_languages, exclude=exclude,
                            languages=CHINESE_LANGUAGES, combine=combine)
    markets["speakers"] = markets["population"] * markets["language_share"]
    markets["greater_china"] = markets["territory"].isin(HONG_KONG_MACAU_TAIWAN)
    columns = ["territory", "name", "population", "language_share", "speakers", "languages",
               "internet_share", "internet_known", "greater_china"]
    return markets[columns].sort_values("speakers", ascending=False).reset_index(drop=True)


def top_down_vs_bottom_up(countries: pd.DataFrame, territory_languages: pd.DataFrame,
                          diaspora: pd.DataFrame, *, combine: str = "max") -> pd.DataFrame:
    """Top-down speakers (CLDR population x Chinese share) against bottom-up diaspora counts.

    ``diaspora`` has ``territory`` and ``value`` (people of Chinese ethnicity, ancestry or
    nationality, as each source defines it; a ``definition`` column is kept). Returns one
    row per territory in either (outside CN): name, top_down, top_down_online, bottom_up,
    definition, ratio (top_down / bottom_up) and where (which side has the territory).
    Rows of ``diaspora`` for regions (numeric UN M49 codes such as 001, the world) are
    totals and are left out.
    """
    _require_columns(diaspora, ("territory", "value"), "diaspora")
    check_nonnegative(diaspora["value"].astype(float), "diaspora.value")
    speakers = chinese_speakers_outside_mainland(countries, territory_languages, combine=combine)
    top = speakers.set_index("territory")
    bottom = diaspora.assign(territory=diaspora["territory"].astype(str)).drop_duplicates("territory")
    # Numeric codes are UN M49 regions (001 is the world): totals, not territories.
    aggregate = bottom["territory"].str.isdigit()
    bottom = bottom[~aggregate & (bottom["territory"] != MAINLAND_CHINA)].set_index("territory")
    check_territories(list(bottom.index), countries["territory"].astype(str), "diaspora.territory")
    index = top.index.union(bottom.index)
    names = countries.assign(territory=countries["territory"].astype(str)).set_index("territory")
    out = pd.DataFrame(index=index)
    out["name"] = names["name"].reindex(index).astype(str) if "name" in names else index
    out["top_down"] = top["speakers"].reindex(index)
    out["top_down_online"] = (top["speakers"] * top["internet_share"].where(top["internet_known"])).reindex(index)
    out["bottom_up"] = bottom["value"].astype(float).reindex(index)
    if "definition" in bottom:
        out["definition"] = bottom["definition"].reindex(index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["top_down"] / out["bottom_up"]
    has_top, has_bottom = out["top_down"].notna(), out["bottom_up"].notna()
    out["where"] = np.select([has_top & has_bottom, has_top], ["both", "top-down only"], "bottom-up only")
    out = out.rename_axis("territory").reset_index()
    order = out[["top_down", "bottom_up"]].max(axis=1)
    return out.loc[order.sort_values(ascending=False).index].reset_index(drop=True)


# ------------------------------------------------------------- growth and unit economics


def cagr(start, end, years):
    """Compound annual growth rate: (end / start) ** (1 / years) - 1.

    Works on numbers or aligned Series/arrays. ``start`` > 0, ``end`` >= 0, ``years`` > 0.
    """
    check_positive(start, "start")
    check_nonnegative(end, "end")
    check_positive(years, "years")
    ratio = np.asarray(end, dtype=float) / np.asarray(start, dtype=float)
    result = ratio ** (1.0 / np.asarray(years, dtype=float)) - 1.0
    if isinstance(end, pd.Series):
        return pd.Series(result, index=end.index, name="cagr")
    if isinstance(start, pd.Series):
        return pd.Series(result, index=start.index, name="cagr")
    return float(result) if np.ndim(result) == 0 else result


def years_between(start, end) -> float:
    """Years between two dates (365.25-day years): for the ``years`` of :func:`cagr`."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    years = (end - start).days / 365.25
    if years <= 0:
        raise SizingError(f"end ({end.date()}) must come after start ({start.date()})")
    return years


def project(value, rate, years) -> pd.Series:
    """``value`` grown at ``rate`` a year: one projection per entry of ``years``.

    ``years`` is a count (projects 0..years) or a sequence of year offsets. ``rate`` is a
    fraction (0.05 for 5 % a year) and must be above -1. Returns a Series indexed by the
    offsets, named ``projection``.
    """
    check_nonnegative(value, "value")
    if not _is_number(rate) or not math.isfinite(rate) or rate <= -1:
        raise SizingError(f"rate must be a number above -1 (a fraction: 0.05 is 5 % a year); got {rate!r}")
    if rate > 1:
        raise SizingError(f"rate must be a fraction (0.05 is 5 % a year), at most 1 (100 % a year); "
                          f"got {rate!r}. It looks like a percentage: divide by 100.")
    offsets = np.arange(int(years) + 1) if _is_number(years) else np.asarray(list(years), dtype=float)
    check_nonnegative(offsets, "years")
    return pd.Series(float(value) * (1.0 + rate) ** offsets, index=pd.Index(offsets, name="years"),
                     name="projection")


def active_share(active, registered):
    """Share of registered accounts that are active (e.g. MAU / registered users)."""
    check_nonnegative(active, "active")
    check_positive(registered, "registered")
    result = np.asarray(active, dtype=float) / np.asarray(registered, dtype=float)
    return float(result) if np.ndim(result) == 0 else result


def active_from_registered(registered, share):
    """Active users from registered accounts and an activation share (a fraction)."""
    check_nonnegative(registered, "registered")
    check_share(share, "share")
    result = np.asarray(registered, dtype=float) * np.asarray(share, dtype=float)
    return float(result) if np.ndim(result) == 0 else result


def revenue_per_user(revenue, users, *, periods_per_year: float = 1):
    """Revenue per user (ARPU) for a period; ``periods_per_year=4`` annualises a quarter.

    ``users`` should be the period's average active users (e.g. average MAU), not
    registered accounts.
    """
    check_nonnegative(revenue, "revenue")
    check_positive(users, "users")
    check_positive(periods_per_year, "periods_per_year")
    result = np.asarray(revenue, dtype=float) / np.asarray(users, dtype=float) * float(periods_per_year)
    return float(result) if np.ndim(result) == 0 else result


def users_per_staff(users, staff):
    """Users per member of staff, e.g. monthly active users per content verifier."""
    check_nonnegative(users, "users")
    check_positive(staff, "staff")
    result = np.asarray(users, dtype=float) / np.asarray(staff, dtype=float)
    return float(result) if np.ndim(result) == 0 else result


# -------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True)
class Uncertainty:
    """A low and a high value for one funnel input, and why.

    ``relative=True`` multiplies the base value (per territory for the data columns);
    otherwise ``low``/``high`` replace it. Shares are capped at 1 after multiplying.
    ``factor="language_share"`` with ``low``/``high`` of ``"max"``/``"sum"`` switches
    the overlap rule instead (see the module docstring).
    """
    factor: str
    low: float | str
    high: float | str
    relative: bool = True
    why: str = ""
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or FACTOR_LABELS[self.factor]

    def describe(self) -> str:
        if isinstance(self.low, str):
            return f"{self.low} to {self.high}"
        if self.relative:
            return f"x{self.low:g} to x{self.high:g}"
        return f"{self.low:g} to {self.high:g}"


DEFAULT_UNCERTAINTIES = (
    Uncertainty("population", 0.97, 1.03, why="CLDR population figures are rounded estimates of "
                "varying vintage: a few per cent either way"),
    Uncertainty("language_share", 0.7, 1.3, why="CLDR language shares are rough estimates; "
                "who counts as a speaker is a matter of definition"),
    Uncertainty("internet_share", 0.9, 1.1, why="ITU penetration varies by survey year and method "
                "(capped at 100 %)"),
    Uncertainty("adoption", 0.6, 1.2, why="adoption of a platform category varies by market and age"),
    Uncertainty("obtainable_share", 0.25, 2.0, why="the share a product wins is the least known input"),
)


def _som_total(population, language, internet, adoption, obtainable) -> float:
    return float(np.sum(population * language * internet * adoption * obtainable))


def sensitivity(markets: pd.DataFrame, *, adoption, obtainable_share,
                uncertainties: Sequence[Uncertainty] = DEFAULT_UNCERTAINTIES,
                territory_languages: pd.DataFrame | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of the total SOM: the data behind a tornado chart.

    Each uncertainty moves one input to its low and its high value with every other
    input at its base. Returns factor, range (text), som_low, som_high, som_base and
    swing (som_high - som_low, absolute), largest swing first. The overlap rule
    (``low="max", high="sum"`` for language_share) needs ``territory_languages``.
    """
    result = funnel(markets, adoption=adoption, obtainable_share=obtainable_share)
    base = {f: result[f].to_numpy(dtype=float) for f in FACTORS}
    som_base = _som_total(*(base[f] for f in FACTORS))
    rows = []
    for u in uncertainties:
        _choice(u.factor, FACTORS, "uncertainty factor")
        outcomes = []
        for end in (u.low, u.high):
            values = dict(base)
            if isinstance(end, str):
                if u.factor != "language_share" or territory_languages is None:
                    raise SizingError("an overlap rule ('max'/'sum') applies to language_share only "
                                      "and needs territory_languages")
                languages = markets.attrs.get("languages", ";".join(CHINESE_LANGUAGES)).split(";")
                rule = _choice(end, COMBINE_RULES, "low/high")
                shares = language_shares(territory_languages, languages, combine=rule)
                values["language_share"] = (markets["territory"]
                                            .map(shares.set_index("territory")["language_share"])
                                            .fillna(0.0).to_numpy(dtype=float))
            elif u.relative:
                check_nonnegative(end, f"{u.factor} multiplier")
                values[u.factor] = base[u.factor] * end
                if u.factor in SHARE_FACTORS:
                    values[u.factor] = np.minimum(values[u.factor], 1.0)
            else:
                if u.factor in SHARE_FACTORS:
                    check_share(end, f"{u.factor} low/high")
                else:
                    check_nonnegative(end, f"{u.factor} low/high")
                values[u.factor] = np.full(len(markets), float(end))
            outcomes.append(_som_total(*(values[f] for f in FACTORS)))
        rows.append({"factor": u.factor, "label": u.name, "range": u.describe(), "why": u.why,
                     "som_low": outcomes[0], "som_high": outcomes[1], "som_base": som_base})
    out = pd.DataFrame(rows, columns=["factor", "label", "range", "why", "som_low", "som_high", "som_base"])
    out["swing"] = (out["som_high"] - out["som_low"]).abs()
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


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


def latest_figure(platform_users: pd.DataFrame, platform: str, metric: str, *, scope: str = "global",
                  on_or_before=None) -> pd.Series:
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
        raise SizingError(f"no {metric!r} figure for platform {platform!r} (scope {scope!r}"
                          f"{'' if on_or_before is None else f', on or before {on_or_before}'}); "
                          f"metrics listed for it: {have}")
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
    users = latest_figure(t["platform_users"], platform, metric,
                          scope="global" if territory == MAINLAND_CHINA else territory)
    online = internet_users(t["countries"], territory)
    return float(users["value"]) / online, (
        f"{platform} {metric} ({pd.Timestamp(users['period_end']).date()}) / internet users in "
        f"{territory} (population x internet_pct)")


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
        "MAU, so an optimistic share")


def _twitter_reach_outside_china(t):
    twitter = latest_figure(t["platform_users"], "twitter", "MAU", on_or_before="2015-05-26")
    markets = build_markets(t["countries"], languages=None, exclude=(MAINLAND_CHINA,),
                            missing_internet="drop")
    online = float((markets["population"] * markets["internet_share"]).sum())
    return float(twitter["value"]) / online, (
        f"Twitter MAU ({pd.Timestamp(twitter['period_end']).date()}, the quarter before the CES Asia "
        "keynote) / internet users in the markets with ITU data outside China (today's "
        "penetration: mixes years)")


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
        return float(self.value), self.explanation


LANGUAGE_OVERLAP = Uncertainty(
    "language_share", "max", "sum", label="Language overlap rule",
    why="overlapping CLDR shares: the largest share per territory (lower bound) against their sum "
        "capped at 100 % (upper bound)")


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
WEIBO_ADOPTION = Assumption(derive="weibo_home_reach", explanation=(
    "Share of online Chinese speakers who would use a Weibo-like microblog if they took "
    "to it as mainland internet users do."))
WEIBO_OBTAINABLE_ABROAD = Assumption(0.2, explanation=(
    "Share of those adopters a platform from the mainland could win abroad, where "
    "WeChat, LINE, WhatsApp, Facebook and Instagram are already in use."))

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
        adoption=Assumption(derive="tiktok_us_reach", explanation=(
            "Share of online Americans who use TikTok (the pool of would-be refugees).")),
        obtainable_share=Assumption(derive="rednote_share_of_tiktok_us", explanation=(
            "Share of US TikTok users RedNote drew at the peak of the inflow.")),
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
        adoption=Assumption(derive="twitter_reach_outside_china", explanation=(
            "Share of online people outside China who used Twitter.")),
        obtainable_share=Assumption(0.1, explanation=(
            "Share of Twitter's audience in an advertiser's target segment (age, interests, "
            "markets served).")),
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
    return pd.DataFrame([{
        "id": s.id, "title": s.title, "platform": s.platform,
        "languages": "all" if s.languages is None else ", ".join(s.languages),
        "territories": "all listed" if s.territories is None else ", ".join(s.territories),
        "exclude": ", ".join(s.exclude),
        "adoption": s.adoption.basis, "obtainable_share": s.obtainable_share.basis,
    } for s in SCENARIOS])


def scenario_markets(scenario_id, *, tables: Mapping[str, pd.DataFrame] | None = None,
                     territories: Iterable[str] | None = None, combine: str = "max") -> pd.DataFrame:
    """The markets of a scenario (see :func:`build_markets`); ``territories`` narrows them."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, "countries", "territory_languages")
    markets = build_markets(t["countries"], t["territory_languages"], territories=s.territories,
                            exclude=s.exclude, languages=s.languages, combine=combine,
                            missing_internet=s.missing_internet)
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


def size_scenario(scenario_id, *, adoption=None, obtainable_share=None,
                  territories: Iterable[str] | None = None, combine: str = "max",
                  tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The funnel of a scenario per territory; adoption/obtainable_share default to the scenario's."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    adoption, obtainable_share = _assumptions(s, t, adoption, obtainable_share)
    markets = scenario_markets(s, tables=t, territories=territories, combine=combine)
    return funnel(markets, adoption=adoption, obtainable_share=obtainable_share)


def scenario_sensitivity(scenario_id, *, adoption=None, obtainable_share=None,
                         territories: Iterable[str] | None = None,
                         tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The tornado table (see :func:`sensitivity`) of a scenario with its uncertainties."""
    s = get_scenario(scenario_id)
    t = ensure_tables(tables, *s.tables)
    adoption, obtainable_share = _assumptions(s, t, adoption, obtainable_share)
    markets = scenario_markets(s, tables=t, territories=territories)
    return sensitivity(markets, adoption=adoption, obtainable_share=obtainable_share,
                       uncertainties=s.uncertainties, territory_languages=t["territory_languages"])
