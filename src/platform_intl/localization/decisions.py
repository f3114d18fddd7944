"""A weighted decision matrix for compliance and data-localization trade-offs between markets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .languages import _check_non_negative

# ---------------------------------------------------------------------------------------
# Weighted decision matrix
# ---------------------------------------------------------------------------------------


def weighted_decision_matrix(
    scores: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    lower_is_better: Iterable[str] = (),
    scale: tuple[float, float] = (0, 5),
) -> pd.DataFrame:
    """Rank options (rows) by the weighted sum of their criterion scores (columns).

    Scores are on a common ``scale`` (default 0 to 5, higher is better). A criterion in
    ``lower_is_better`` (a cost or a risk, e.g. data-localization burden) is flipped
    within the scale first. Weights must be 0 or more and are normalised to sum to 1, so
    the weighted score stays on the scale. Returns the scores as given plus
    ``weighted_score`` and ``rank`` (1 = best; ties share the better rank), best first.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(
            f"scores must be a pandas DataFrame (options as rows, criteria as columns); got {type(scores).__name__}"
        )
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError("weights must be a non-empty mapping criterion -> weight")
    criteria = list(weights)
    missing = [c for c in criteria if c not in scores.columns]
    if missing:
        raise ValueError(f"no scores for the weighted criteria {missing}; the columns are {list(scores.columns)}")
    lower = list(lower_is_better)
    unknown = [c for c in lower if c not in weights]
    if unknown:
        raise ValueError(f"lower_is_better names {unknown}, which are not weighted criteria {criteria}")
    values = {c: _check_non_negative(w, f"the weight of {c!r}") for c, w in weights.items()}
    total = sum(values.values())
    if total <= 0:
        raise ValueError("at least one weight must be more than 0")
    low, high = (float(s) for s in scale)
    if not low < high:
        raise ValueError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    table = scores[criteria].apply(pd.to_numeric, errors="coerce").astype(float)
    if table.isna().any().any():
        raise ValueError("every score must be a number; found missing or non-numeric scores")
    if ((table < low) | (table > high)).any().any():
        raise ValueError(f"scores must lie on the scale {low:g} to {high:g}")
    oriented = table.copy()
    for c in lower:
        oriented[c] = low + high - oriented[c]
    table["weighted_score"] = sum(oriented[c] * (values[c] / total) for c in criteria)
    table["rank"] = table["weighted_score"].round(12).rank(ascending=False, method="min").astype(int)
    return table.sort_values(["rank"], kind="stable")
