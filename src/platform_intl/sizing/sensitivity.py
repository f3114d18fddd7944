"""One-at-a-time (tornado) sensitivity of the obtainable market."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from platform_intl.localization.formatting import format_percent

from .markets import (
    CHINESE_LANGUAGES,
    COMBINE_RULES,
    FACTOR_LABELS,
    FACTORS,
    SHARE_FACTORS,
    SizingError,
    _choice,
    check_nonnegative,
    check_share,
    funnel,
    language_shares,
)

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
            # Two decimals say what a factor does; 0.963497 only looks precise.
            return f"×{self.low:.3g} to ×{self.high:.3g}"
        return f"{format_percent(self.low)} to {format_percent(self.high)}"


DEFAULT_UNCERTAINTIES = (
    Uncertainty(
        "population",
        0.97,
        1.03,
        why="CLDR population figures are rounded estimates of varying vintage: a few per cent either way",
    ),
    Uncertainty(
        "language_share",
        0.7,
        1.3,
        why="CLDR language shares are rough estimates; who counts as a speaker is a matter of definition",
    ),
    Uncertainty("internet_share", 0.9, 1.1, why="ITU penetration varies by survey year and method (capped at 100 %)"),
    Uncertainty("adoption", 0.6, 1.2, why="adoption of a platform category varies by market and age"),
    Uncertainty("obtainable_share", 0.25, 2.0, why="the share a product wins is the least known input"),
)


def _som_total(population, language, internet, adoption, obtainable) -> float:
    return float(np.sum(population * language * internet * adoption * obtainable))


def sensitivity(
    markets: pd.DataFrame,
    *,
    adoption,
    obtainable_share,
    uncertainties: Sequence[Uncertainty] = DEFAULT_UNCERTAINTIES,
    territory_languages: pd.DataFrame | None = None,
) -> pd.DataFrame:
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
                    raise SizingError(
                        "an overlap rule ('max'/'sum') applies to language_share only and needs territory_languages"
                    )
                languages = markets.attrs.get("languages", ";".join(CHINESE_LANGUAGES)).split(";")
                rule = _choice(end, COMBINE_RULES, "low/high")
                shares = language_shares(territory_languages, languages, combine=rule)
                values["language_share"] = (
                    markets["territory"]
                    .map(shares.set_index("territory")["language_share"])
                    .fillna(0.0)
                    .to_numpy(dtype=float)
                )
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
        rows.append(
            {
                "factor": u.factor,
                "label": u.name,
                "range": u.describe(),
                "why": u.why,
                "som_low": outcomes[0],
                "som_high": outcomes[1],
                "som_base": som_base,
            }
        )
    out = pd.DataFrame(rows, columns=["factor", "label", "range", "why", "som_low", "som_high", "som_base"])
    out["swing"] = (out["som_high"] - out["som_low"]).abs()
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def equal_width_uncertainties(width: float = 0.2, factors: Sequence[str] = FACTORS) -> tuple[Uncertainty, ...]:
    """The same relative range (x(1 - width) to x(1 + width)) for every factor.

    The SOM is a product of its factors, so each one moves it in proportion: with equal
    relative ranges every bar of the tornado has the same length, except where a share is
    capped at 100 %. A tornado therefore ranks the ranges you chose, which is why each range
    needs a stated basis.
    """
    check_share(width, "width")
    for factor in factors:
        _choice(factor, FACTORS, "factor")
    return tuple(
        Uncertainty(f, 1 - width, 1 + width, why=f"equal relative range (+/-{width:.0%}) for comparison")
        for f in factors
    )
