"""Reach: the online speakers a set of languages would newly reach.

CLDR gives, per territory, the share of the population that speaks each language; see the
package docstring of :mod:`platform_intl.localization` for how multilingual speakers are
counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import langcodes
import numpy as np
import pandas as pd

from .languages import _require_columns, validate_language_tag

# ---------------------------------------------------------------------------------------
# Reach: online speakers a set of languages would newly reach
# ---------------------------------------------------------------------------------------

#: How shares of several languages combine within one territory (see the module docstring).
OVERLAP_RULES = ("independent", "max")


@lru_cache(maxsize=4096)
def _row_script(language: str, territory: str) -> tuple[str, str | None]:
    """(language subtag, script) of a CLDR row, the script filled in for its territory."""
    parsed = langcodes.Language.get(language)
    if parsed.script:
        return parsed.language or "und", parsed.script
    try:
        likely = langcodes.Language.get(f"{parsed.language}-{territory}").maximize()
    except (LookupError, ValueError):
        likely = parsed.maximize()
    return parsed.language or "und", likely.script


@lru_cache(maxsize=1024)
def _candidate_key(tag: str) -> tuple[str, str | None, str | None]:
    parsed = langcodes.Language.get(tag)
    return parsed.language or "und", parsed.script or parsed.maximize().script, parsed.territory


def _combine(shares: np.ndarray, overlap: str, axis: int = -1) -> np.ndarray:
    """Share of a territory reached by several languages together."""
    if shares.shape[axis] == 0:
        return np.zeros(np.delete(shares.shape, axis if axis >= 0 else shares.ndim + axis))
    if overlap == "independent":
        return 1.0 - np.prod(1.0 - shares, axis=axis)
    return np.max(shares, axis=axis)


def _check_weight(weight) -> float:
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= float(weight) <= 1:
        raise ValueError(f"bilingual_weight must be a fraction between 0 and 1 (0.4 for 40 %); got {weight!r}")
    return float(weight)


def _check_overlap(overlap: str) -> str:
    if overlap not in OVERLAP_RULES:
        raise ValueError(f"overlap must be one of {OVERLAP_RULES}; got {overlap!r}")
    return overlap


class ReachModel:
    """Online speakers that candidate languages would newly reach, territory by territory.

    ``territory_languages`` has columns territory, language (BCP 47), population_share
    (a fraction); ``countries`` has territory, population and internet_pct (a
    percentage; rows without it are left out). Candidates and ``already_served`` are
    BCP 47 tags. ``exclude_territories`` leaves out markets the platform cannot enter
    (e.g. ``("CN",)`` for a platform blocked by the Great Firewall). The reach of every
    subset of candidates is computed once, on first use, so that a widget can look any
    subset up instantly.
    """

    MAX_CANDIDATES = 20

    def __init__(
        self,
        territory_languages,
        countries,
        candidates: Sequence[str],
        *,
        already_served: Sequence[str] = (),
        overlap: str = "independent",
        exclude_territories: Iterable[str] = (),
    ):
        _require_columns(territory_languages, ("territory", "language", "population_share"), "territory_languages")
        _require_columns(countries, ("territory", "population", "internet_pct"), "countries")
        self.overlap = _check_overlap(overlap)
        self.candidates = tuple(dict.fromkeys(validate_language_tag(c) for c in candidates))
        if not self.candidates:
            raise ValueError("give at least one candidate language")
        if len(self.candidates) > self.MAX_CANDIDATES:
            raise ValueError(
                f"at most {self.MAX_CANDIDATES} candidate languages (exact enumeration "
                f"visits 2^n subsets); got {len(self.candidates)}"
            )
        self.already_served = tuple(dict.fromkeys(validate_language_tag(c) for c in already_served))
        overlap_tags = set(self.candidates) & set(self.already_served)
        if overlap_tags:
            raise ValueError(f"{sorted(overlap_tags)} are already served; remove them from the candidates")

        countries = countries[["territory", "population", "internet_pct"]].copy()
        countries["population"] = pd.to_numeric(countries["population"], errors="coerce")
        countries["internet_pct"] = pd.to_numeric(countries["internet_pct"], errors="coerce")
        total_population = float(countries["population"].sum())
        known = countries.dropna(subset=["population", "internet_pct"])
        bad = known[(known["internet_pct"] < 0) | (known["internet_pct"] > 100)]
        if len(bad):
            raise ValueError(f"internet_pct must be a percentage between 0 and 100; see {list(bad['territory'])[:5]}")
        self.coverage = float(known["population"].sum()) / total_population if total_population else 0.0
        online = dict(zip(known["territory"], known["population"] * known["internet_pct"] / 100.0))
        self.excluded = tuple(sorted({str(t).upper() for t in exclude_territories}))
        unknown = [t for t in self.excluded if t not in set(countries["territory"])]
        if unknown:
            raise ValueError(f"unknown territories to exclude {unknown}: use ISO 3166 alpha-2 codes such as 'CN'")
        for territory in self.excluded:
            online.pop(territory, None)

        tags = self.candidates + self.already_served
        keys = {tag: _candidate_key(tag) for tag in tags}
        wanted = {key[0] for key in keys.values()}
        rows = territory_languages[["territory", "language", "population_share"]]
        rows = rows[rows["language"].astype(str).str.split("-").str[0].isin(wanted)]
        rows = rows.dropna(subset=["population_share"])
        shares = pd.to_numeric(rows["population_share"], errors="coerce")
        if ((shares < 0) | (shares > 1)).any():
            raise ValueError("population_share must be a fraction between 0 and 1 (not a percentage)")

        per_tag: dict[str, dict[str, float]] = {tag: {} for tag in tags}
        for territory, language, share in zip(rows["territory"], rows["language"], shares):
            row_language, row_script = _row_script(str(language), str(territory))
            for tag, (lang, script, region) in keys.items():
                if lang == row_language and script == row_script and region in (None, territory):
                    # Two rows of one tag in a territory (yue and yue-Hans in CN) are the
                    # same readers: take the larger share, do not combine them.
                    previous = per_tag[tag].get(territory, 0.0)
                    per_tag[tag][territory] = max(previous, float(share))
        unmatched = [tag for tag in tags if not per_tag[tag]]
        if unmatched:
            raise ValueError(
                f"no CLDR territory data for {unmatched}: check the tags (e.g. 'zh-Hant', "
                "'pt', 'es', 'ja'); a region subtag limits a tag to that territory"
            )

        territories = sorted(t for t in online if any(t in per_tag[c] for c in self.candidates))
        self.territories = tuple(territories)
        self.online_population = np.array([online[t] for t in territories], dtype=float)
        self.shares = np.array(
            [[per_tag[c].get(t, 0.0) for c in self.candidates] for t in territories], dtype=float
        ).reshape(len(territories), len(self.candidates))
        served = np.array(
            [[per_tag[s].get(t, 0.0) for s in self.already_served] for t in territories], dtype=float
        ).reshape(len(territories), len(self.already_served))
        self.served_share = _combine(served, self.overlap)
        self._subset_reach: np.ndarray | None = None

    @classmethod
    def from_course_data(
        cls,
        candidates: Sequence[str],
        *,
        already_served: Sequence[str] = ("en",),
        overlap: str = "independent",
        exclude_territories: Iterable[str] = (),
    ) -> ReachModel:
        """The model on the course datasets ``territory_languages`` and ``countries``."""
        from platform_intl import data

        return cls(
            data.load("territory_languages"),
            data.load("countries"),
            candidates,
            already_served=already_served,
            overlap=overlap,
            exclude_territories=exclude_territories,
        )

    def _mask(self, languages: Iterable[str]) -> int:
        mask = 0
        for tag in languages:
            standard = validate_language_tag(tag)
            if standard not in self.candidates:
                raise ValueError(f"{tag!r} is not a candidate; the candidates are {list(self.candidates)}")
            mask |= 1 << self.candidates.index(standard)
        return mask

    def covered_share(self, languages: Iterable[str]) -> np.ndarray:
        """Per territory, the share reading a served or a given language."""
        mask = self._mask(languages)
        chosen = self.shares[:, [i for i in range(len(self.candidates)) if mask >> i & 1]]
        if self.overlap == "independent":
            return 1.0 - (1.0 - self.served_share) * np.prod(1.0 - chosen, axis=1)
        return np.maximum(self.served_share, chosen.max(axis=1)) if chosen.shape[1] else self.served_share.copy()

    def reach(self, languages: Iterable[str]) -> float:
        """Online speakers newly reached by adding ``languages`` to the served ones."""
        return float(self.subset_reach()[self._mask(languages)])

    def subset_reach(self) -> np.ndarray:
        """Newly reached online speakers for every subset; index bit i = candidate i."""
        if self._subset_reach is None:
            n = len(self.candidates)
            if self.overlap == "independent":
                # unreached[mask] = (1 - served) * prod over chosen (1 - s): one column per
                # new top bit, so the 2^n subsets cost n vectorised steps.
                state = np.empty((1 << n, len(self.territories)))
                state[0] = 1.0 - self.served_share
                for b in range(n):
                    state[1 << b : 2 << b] = state[: 1 << b] * (1.0 - self.shares[:, b])
                covered = 1.0 - state
            else:
                covered = np.empty((1 << n, len(self.territories)))
                covered[0] = self.served_share
                for b in range(n):
                    covered[1 << b : 2 << b] = np.maximum(covered[: 1 << b], self.shares[:, b])
            gained = np.clip(covered - self.served_share, 0.0, None)
            self._subset_reach = gained @ self.online_population
        return self._subset_reach

    def subset_effective_reach(self, bilingual_weight: float) -> np.ndarray:
        """Preference-weighted reach of every subset (see :meth:`effective_reach`); bit i = candidate i."""
        w = _check_weight(bilingual_weight)
        n = len(self.candidates)
        any_chosen = np.empty((1 << n, len(self.territories)))
        if self.overlap == "independent":
            unreached = np.empty_like(any_chosen)
            unreached[0] = 1.0
            for b in range(n):
                unreached[1 << b : 2 << b] = unreached[: 1 << b] * (1.0 - self.shares[:, b])
            any_chosen = 1.0 - unreached
            newly = any_chosen * (1.0 - self.served_share)
            bilingual = any_chosen * self.served_share
        else:
            any_chosen[0] = 0.0
            for b in range(n):
                any_chosen[1 << b : 2 << b] = np.maximum(any_chosen[: 1 << b], self.shares[:, b])
            newly = np.clip(any_chosen - self.served_share, 0.0, None)
            bilingual = np.minimum(any_chosen, self.served_share)
        return (newly + w * bilingual) @ self.online_population

    def effective_reach(self, languages: Iterable[str], bilingual_weight: float) -> float:
        """People newly reached plus ``bilingual_weight`` x those who read a chosen *and* a served language.

        :meth:`reach` counts a bilingual as fully served by the language already offered
        (weight 0). CSA Research's survey says most shoppers prefer their own language (76 %)
        and 40 % never buy in another: a weight between 0 and 0.40 gives the value of a
        language to people who could manage without it. Because the bilingual share differs
        from territory to territory, the weight can change which languages come first,
        which a single multiplier on reach cannot.
        """
        return float(self.subset_effective_reach(bilingual_weight)[self._mask(languages)])

    def standalone_reach(self) -> pd.Series:
        """Each candidate's new reach on its own (served languages only as the baseline)."""
        table = self.subset_reach()
        return pd.Series({c: float(table[1 << i]) for i, c in enumerate(self.candidates)}, name="reach")

    def by_territory(self, languages: Iterable[str]) -> pd.DataFrame:
        """Territory by territory: online population, share served before and after, people gained."""
        languages = list(languages)
        after = self.covered_share(languages)
        frame = pd.DataFrame(
            {
                "territory": list(self.territories),
                "online_population": self.online_population,
                "share_served_before": self.served_share,
                "share_served_after": after,
            }
        )
        frame["newly_reached"] = (frame["share_served_after"] - frame["share_served_before"]).clip(lower=0) * frame[
            "online_population"
        ]
        return frame.sort_values("newly_reached", ascending=False, ignore_index=True)
