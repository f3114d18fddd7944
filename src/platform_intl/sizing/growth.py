"""Growth and unit economics: CAGR, projections, registered-to-active, revenue per user."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .markets import SizingError, _is_number, check_nonnegative, check_positive, check_share
from .periods import Figure, ratio


def _unwrap(numerator, denominator, mismatch_reason, **options):
    """Plain values of two inputs; if both are Figures, their periods must match (or a reason be given)."""
    if isinstance(numerator, Figure) and isinstance(denominator, Figure):
        ratio(numerator, denominator, mismatch_reason=mismatch_reason, **options)  # raises on a silent mismatch
        return numerator.value, denominator.value
    if isinstance(numerator, Figure) or isinstance(denominator, Figure):
        raise SizingError(
            "give both inputs as Figures (so that their periods can be compared) or both as numbers; "
            f"got {type(numerator).__name__} and {type(denominator).__name__}"
        )
    return numerator, denominator


# ------------------------------------------------------------- growth and unit economics


def cagr(start, end, years):
    """Compound annual growth rate: (end / start) ** (1 / years) - 1.

    Works on numbers or aligned Series/arrays. ``start`` > 0, ``end`` >= 0, ``years`` > 0.

    >>> round(float(cagr(100, 200, 10)), 4)   # doubling in ten years: about 7.2 % a year
    0.0718
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
        raise SizingError(
            f"rate must be a fraction (0.05 is 5 % a year), at most 1 (100 % a year); "
            f"got {rate!r}. It looks like a percentage: divide by 100."
        )
    offsets = np.arange(int(years) + 1) if _is_number(years) else np.asarray(list(years), dtype=float)
    check_nonnegative(offsets, "years")
    return pd.Series(float(value) * (1.0 + rate) ** offsets, index=pd.Index(offsets, name="years"), name="projection")


def active_share(active, registered, *, mismatch_reason: str | None = None):
    """Share of registered accounts that are active (e.g. MAU / registered users).

    Given as :class:`Figure` objects, the two must describe the same period, or
    ``mismatch_reason`` must say why not (Weibo's first MAU came a year after its last
    registered count).
    """
    active, registered = _unwrap(active, registered, mismatch_reason)
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


def revenue_per_user(revenue, users, *, periods_per_year: float = 1, mismatch_reason: str | None = None):
    """Revenue per user (ARPU) for a period; ``periods_per_year=4`` annualises a quarter.

    ``users`` should be the period's average active users (e.g. average MAU), not
    registered accounts. Given as :class:`Figure` objects, revenue and users must describe
    the same period (or ``mismatch_reason`` say why not).
    """
    revenue, users = _unwrap(revenue, users, mismatch_reason)
    check_nonnegative(revenue, "revenue")
    check_positive(users, "users")
    check_positive(periods_per_year, "periods_per_year")
    result = np.asarray(revenue, dtype=float) / np.asarray(users, dtype=float) * float(periods_per_year)
    return float(result) if np.ndim(result) == 0 else result


def users_per_staff(users, staff, *, mismatch_reason: str | None = None):
    """Users per member of staff, e.g. monthly active users per content verifier (Figures: same period)."""
    users, staff = _unwrap(users, staff, mismatch_reason)
    check_nonnegative(users, "users")
    check_positive(staff, "staff")
    result = np.asarray(users, dtype=float) / np.asarray(staff, dtype=float)
    return float(result) if np.ndim(result) == 0 else result


def bottom_up(units: pd.DataFrame, *, count: str = "users", value: str = "revenue_per_user") -> pd.DataFrame:
    """A bottom-up estimate: units that pay (users, advertisers) x what each pays, per row.

    ``units`` has one row per region or segment with a ``count`` column (users or
    advertisers, each as counted) and a ``value`` column (money per unit and period).
    Returns the table with ``revenue`` = count x value and a final ``total`` row. Unlike a
    top-down funnel, which starts from a population and keeps multiplying shares, a
    bottom-up sum starts from the units that generate the money.

    >>> table = pd.DataFrame({"region": ["home", "abroad"], "users": [100, 50], "revenue_per_user": [3.0, 0.5]})
    >>> bottom_up(table)["revenue"].tolist()
    [300.0, 25.0, 325.0]
    """
    if not isinstance(units, pd.DataFrame):
        raise SizingError(f"units must be a pandas DataFrame; got {type(units).__name__}")
    missing = [c for c in (count, value) if c not in units.columns]
    if missing:
        raise SizingError(f"units lacks the column(s) {missing}; it has {list(units.columns)}")
    check_nonnegative(units[count].astype(float), count)
    check_nonnegative(units[value].astype(float), value)
    out = units.copy()
    out["revenue"] = out[count].astype(float) * out[value].astype(float)
    total: dict[str, object] = {c: "" for c in out.columns}
    first = out.columns[0]
    total.update(
        {first: "total", count: float(out[count].sum()), value: float("nan"), "revenue": float(out["revenue"].sum())}
    )
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)
