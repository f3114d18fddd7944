"""Markets and the TAM -> SAM -> SOM funnel, per territory, with the checks on their inputs."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..validation import one_of, require_columns

# --------------------------------------------------------------------------- constants

#: Chinese languages (ISO 639-3 / BCP 47 primary subtags) that CLDR lists as spoken in
#: some territory: Mandarin/Chinese (zh), Cantonese (yue), Min Nan/Hokkien/Taiwanese
#: (nan), Hakka (hak), Wu (wuu), Gan (gan), Xiang (hsn), Min Dong (cdo), Jin (cjy) and
#: other Sinitic languages. Literary Chinese (lzh), a written register, is left out.
CHINESE_LANGUAGES = ("zh", "yue", "nan", "hak", "wuu", "gan", "hsn", "cdo", "cjy", "cpx", "czh", "czo", "mnp")
MAINLAND_CHINA = "CN"
#: Outside mainland China, yet inside Weibo's home reach (its Hong Kong and Taiwan sites).
HONG_KONG_MACAU_TAIWAN = ("HK", "MO", "TW")

#: The funnel's stages, widest first, with the column that holds each. For an online
#: platform the addressable market is people it could reach online: the TAM is the online
#: speakers, not every speaker (offline people are counted in ``speakers`` only).
STAGES = ("population", "speakers", "tam", "sam", "som")
STAGE_LABELS = {
    "population": "Population",
    "speakers": "Speakers",
    "tam": "Online speakers (TAM)",
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
    if isinstance(value, (bool, str, bytes)):
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
        raise SizingError(
            f"{name} must be a fraction between 0 and 1; it has missing (NaN) values: "
            f"{_examples(value, np.isnan(array))}"
        )
    bad = (array < 0) | (array > 1)
    if bad.any():
        looks_like_percent = bool(((array > 1) & (array <= 100)).any())
        hint = " It looks like a percentage: divide by 100 (45 % is 0.45)." if looks_like_percent else ""
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
            f"territory codes of the countries table (CLDR / ISO 3166-1 alpha-2, e.g. {sample})"
        )
    return wanted


def _choice(value, allowed: Sequence[str], name: str) -> str:
    return one_of(value, allowed, name, error=SizingError)


def _require_columns(frame, columns: Iterable[str], name: str) -> None:
    require_columns(frame, columns, name, error=SizingError)


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
            raise SizingError(
                f"{name} has no value for territory(ies) {missing}; give a Series "
                "keyed by territory code, or one number for every market"
            )
        return _as_float_array(aligned.to_numpy(), name)
    array = _as_float_array(value, name)
    if array.ndim == 0:
        return np.full(len(markets), float(array))
    if array.shape != (len(markets),):
        raise SizingError(f"{name} must be one number or one per market ({len(markets)}); got shape {array.shape}")
    return array


def funnel(markets: pd.DataFrame, *, adoption, obtainable_share, revenue_per_user=None) -> pd.DataFrame:
    """The TAM -> SAM -> SOM funnel per territory, and, given ``revenue_per_user``, revenue.

    ``markets`` has one row per territory with ``territory``, ``population`` (people),
    ``language_share`` and ``internet_share`` (fractions); :func:`build_markets` makes
    one. ``adoption`` and ``obtainable_share`` are fractions: one number for every
    market, or a Series keyed by territory. Returns ``markets`` with the inputs and the
    columns ``speakers``, ``tam`` (online speakers), ``sam`` and ``som`` (people), widest
    first. ``revenue_per_user`` (money per obtainable user and period, one number or a
    Series keyed by territory) adds ``revenue`` = som x revenue per user: the funnel carried
    to money.
    """
    _require_columns(markets, MARKET_COLUMNS, "markets")
    if markets["territory"].duplicated().any():
        dupes = markets.loc[markets["territory"].duplicated(), "territory"].unique().tolist()
        raise SizingError(
            f"markets lists territory(ies) {dupes} more than once: each territory "
            "must appear once, or it is counted twice"
        )
    # Checked with territory codes as the index, so that an error names the territory.
    by_code = markets.set_index("territory")[["population", "language_share", "internet_share"]].astype(float)
    population = check_nonnegative(by_code["population"], "population").to_numpy()
    language = check_share(by_code["language_share"], "language_share").to_numpy()
    internet = check_share(by_code["internet_share"], "internet_share").to_numpy()
    adopt = _per_market(adoption, markets, "adoption")
    obtain = _per_market(obtainable_share, markets, "obtainable_share")
    check_share(adopt if np.ndim(adoption) == 0 else pd.Series(adopt, index=by_code.index), "adoption")
    check_share(
        obtain if np.ndim(obtainable_share) == 0 else pd.Series(obtain, index=by_code.index), "obtainable_share"
    )

    out = markets.copy()
    out["adoption"] = adopt
    out["obtainable_share"] = obtain
    out["speakers"] = population * language
    out["tam"] = out["speakers"] * internet
    out["sam"] = out["tam"] * adopt
    out["som"] = out["sam"] * obtain
    if revenue_per_user is not None:
        arpu = _per_market(revenue_per_user, markets, "revenue_per_user")
        check_nonnegative(arpu, "revenue_per_user")
        out["revenue_per_user"] = arpu
        out["revenue"] = out["som"] * arpu
    return out


def funnel_totals(result: pd.DataFrame) -> pd.Series:
    """Sum of each stage over territories: population, speakers, tam, sam, som (and revenue if there)."""
    _require_columns(result, STAGES, "result")
    columns = list(STAGES) + (["revenue"] if "revenue" in result else [])
    return result[columns].sum()


def funnel_stages(result: pd.DataFrame) -> pd.DataFrame:
    """The totals as a tidy table (stage, label, people, share_of_previous) for charts."""
    totals = funnel_totals(result)[list(STAGES)]
    people = totals.to_numpy(dtype=float)
    previous = np.concatenate([[np.nan], people[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(previous > 0, people / previous, np.nan)
    return pd.DataFrame(
        {
            "stage": list(STAGES),
            "label": [STAGE_LABELS[s] for s in STAGES],
            "people": people,
            "share_of_previous": ratio,
        }
    )


# ------------------------------------------------------------------ markets from data


def _primary_subtag(tags: pd.Series) -> pd.Series:
    return tags.astype(str).str.replace("_", "-", regex=False).str.split("-").str[0].str.lower()


def language_shares(
    territory_languages: pd.DataFrame, languages: Iterable[str] = CHINESE_LANGUAGES, *, combine: str = "max"
) -> pd.DataFrame:
    """Share of each territory's people speaking any of ``languages``.

    ``languages`` are primary subtags (``"zh"`` matches zh, zh-Hans and zh-Hant) or full
    tags (``"zh-Hant"`` matches only that). Overlapping shares are combined by
    ``combine``: ``"max"`` (default, lower bound) or ``"sum"`` capped at 1 (upper bound).
    Returns territory, language_share, languages (the tags counted, ``;``-separated).
    Territories where CLDR lists a language without a share estimate count 0 for it.
    """
    _require_columns(territory_languages, ("territory", "language", "population_share"), "territory_languages")
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
    return pd.DataFrame(
        {
            "territory": share.index.astype(str),
            "language_share": share.to_numpy(),
            "languages": listed.reindex(share.index).to_numpy(),
        }
    ).reset_index(drop=True)


def build_markets(
    countries: pd.DataFrame,
    territory_languages: pd.DataFrame | None = None,
    *,
    territories: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    languages: Iterable[str] | None = CHINESE_LANGUAGES,
    combine: str = "max",
    missing_internet="zero",
) -> pd.DataFrame:
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
            raise SizingError(
                "territory_languages is needed when languages are given (pass languages=None to count everyone)"
            )
        languages = [languages] if isinstance(languages, str) else list(languages)
        if not languages:
            raise SizingError(
                "languages must name at least one language tag, e.g. ('zh', 'yue'); or None to count everyone"
            )
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

    markets = pd.DataFrame(
        {
            "territory": shares["territory"].to_numpy(),
            "name": rows["name"].astype(str).to_numpy() if "name" in rows else shares["territory"].to_numpy(),
            "population": population.to_numpy(),
            "language_share": shares["language_share"].to_numpy(dtype=float),
            "internet_share": internet.to_numpy(),
            "internet_known": internet.notna().to_numpy(),
            "languages": shares["languages"].to_numpy(),
        }
    )
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


def chinese_speakers_outside_mainland(
    countries: pd.DataFrame, territory_languages: pd.DataFrame, *, combine: str = "max", include_hk_mo_tw: bool = True
) -> pd.DataFrame:
    """Chinese speakers per territory outside mainland China (CN), largest first.

    Columns: territory, name, population, language_share, speakers, languages,
    greater_china (True for HK, MO, TW: outside the mainland, inside Weibo's home reach).
    """
    exclude = [MAINLAND_CHINA] + ([] if include_hk_mo_tw else list(HONG_KONG_MACAU_TAIWAN))
    markets = build_markets(
        countries, territory_languages, exclude=exclude, languages=CHINESE_LANGUAGES, combine=combine
    )
    markets["speakers"] = markets["population"] * markets["language_share"]
    markets["greater_china"] = markets["territory"].isin(HONG_KONG_MACAU_TAIWAN)
    columns = [
        "territory",
        "name",
        "population",
        "language_share",
        "speakers",
        "languages",
        "internet_share",
        "internet_known",
        "greater_china",
    ]
    return markets[columns].sort_values("speakers", ascending=False).reset_index(drop=True)


def top_down_vs_bottom_up(
    countries: pd.DataFrame, territory_languages: pd.DataFrame, diaspora: pd.DataFrame, *, combine: str = "max"
) -> pd.DataFrame:
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
