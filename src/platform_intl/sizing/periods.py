"""Figures with their period, and ratios that refuse to mix periods silently.

A share, a ratio or a per-user value divides one figure by another. Both describe a
period (a day, a month, a quarter, a year) and a metric (MAU, DAU, internet users). The
helpers here carry the two along with the value and compare them:

>>> mau = Figure(446e6, "MAU", "2018-09-30", "Weibo MAU")
>>> online = Figure(829e6, "internet users", "2018-12-31", "China internet users (CNNIC)")
>>> r = ratio(mau, online)
>>> round(r.value, 3), r.matched
(0.538, True)
>>> later = Figure(1.097e9, "internet users", "2023-12-31", "China internet users (ITU)")
>>> try:
...     ratio(mau, later)
... except PeriodMismatchError as error:
...     print(str(error)[:80])
Weibo MAU (2018-09-30) and China internet users (ITU) (2023-12-31) are 1918 days

With ``mismatch_reason`` the ratio is computed and its ``note`` says why the periods
differ, so that the explanation travels with the number into every table and caption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .markets import SizingError

#: Two figures whose period ends lie at most this many days apart describe "the same
#: period" by default: half a year, so that a quarter-end MAU and a year-end count of
#: internet users of the same year match, and figures from different years do not.
DEFAULT_MAX_GAP_DAYS = 184


class PeriodMismatchError(SizingError):
    """Two figures combined into one ratio describe different periods, and nobody said why."""


@dataclass(frozen=True)
class Figure:
    """A value with what it counts (``metric``), the end of the period it describes, and a label."""

    value: float
    metric: str
    period_end: str | pd.Timestamp
    label: str

    def __post_init__(self):
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
            raise SizingError(f"Figure value must be a finite number; got {self.value!r} for {self.label!r}")
        try:
            stamp = pd.Timestamp(self.period_end)
        except (TypeError, ValueError):
            raise SizingError(
                f"Figure period_end must be a date such as '2018-09-30'; got {self.period_end!r} for {self.label!r}"
            ) from None
        if pd.isna(stamp):
            raise SizingError(
                f"Figure period_end is missing for {self.label!r}; give the end of the period it describes"
            )
        object.__setattr__(self, "period_end", stamp)

    @property
    def period(self) -> str:
        return pd.Timestamp(self.period_end).strftime("%Y-%m-%d")

    def describe(self) -> str:
        return f"{self.label} ({self.period})"

    @classmethod
    def from_row(cls, row: pd.Series, label: str | None = None) -> Figure:
        """A Figure from a row of ``platform_users`` (platform, metric, value, period_end, scope)."""
        for column in ("metric", "value", "period_end"):
            if column not in row:
                raise SizingError(f"a figure row needs a {column!r} entry; it has {list(row.index)}")
        if label is None:
            scope = row.get("scope", "global")
            where = "" if str(scope) == "global" else f" {scope}"
            label = f"{row.get('platform', '')}{where} {row['metric']}".strip()
        return cls(float(row["value"]), str(row["metric"]), row["period_end"], label)


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` with both figures and a note that names both periods."""

    value: float
    numerator: Figure
    denominator: Figure
    matched: bool
    note: str

    def __float__(self) -> float:
        return self.value

    @property
    def gap_days(self) -> int:
        return period_gap_days(self.numerator, self.denominator)


def period_gap_days(a: Figure, b: Figure) -> int:
    """Days between the period ends of two figures (always >= 0)."""
    return abs(int((pd.Timestamp(a.period_end) - pd.Timestamp(b.period_end)).days))


def ratio(
    numerator: Figure,
    denominator: Figure,
    *,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
    mismatch_reason: str | None = None,
    same_metric: bool = False,
) -> Ratio:
    """Divide two figures, checking that they describe the same period.

    - Periods more than ``max_gap_days`` apart raise :class:`PeriodMismatchError`, unless
      ``mismatch_reason`` says why the mismatch is acceptable; the reason then goes into
      the ``note``.
    - ``same_metric=True`` also requires the same metric (e.g. DAU against DAU); otherwise a
      difference of metric is stated in the note.
    """
    for name, figure in (("numerator", numerator), ("denominator", denominator)):
        if not isinstance(figure, Figure):
            raise SizingError(
                f"{name} must be a Figure (value, metric, period_end, label); got {type(figure).__name__}"
            )
    if not isinstance(max_gap_days, int) or max_gap_days < 0:
        raise SizingError(f"max_gap_days must be a whole number of days, 0 or more; got {max_gap_days!r}")
    if denominator.value == 0:
        raise SizingError(f"the denominator {denominator.describe()} is 0: a ratio needs a denominator other than 0")
    gap = period_gap_days(numerator, denominator)
    matched = gap <= max_gap_days
    if not matched and not mismatch_reason:
        raise PeriodMismatchError(
            f"{numerator.describe()} and {denominator.describe()} are {gap} days apart; allowed: at most "
            f"{max_gap_days} days. Choose figures of the same period, or pass mismatch_reason='...' to say "
            "why the mismatch is acceptable."
        )
    if same_metric and numerator.metric != denominator.metric:
        raise SizingError(
            f"{numerator.describe()} counts {numerator.metric!r} and {denominator.describe()} counts "
            f"{denominator.metric!r}; allowed: the same metric on both sides (same_metric=True)"
        )
    note = f"{numerator.describe()} / {denominator.describe()}"
    if matched:
        note += ": same period" if gap == 0 else f": periods {gap} days apart, treated as the same period"
    else:
        note += f": periods {gap} days apart, because {str(mismatch_reason).rstrip('.')}"
    if numerator.metric != denominator.metric:
        note += f"; {numerator.metric} against {denominator.metric}"
    return Ratio(numerator.value / denominator.value, numerator, denominator, matched, note)


def figure_on(platform_users: pd.DataFrame, platform: str, metric: str, date, *, scope: str = "global") -> pd.Series:
    """The row of ``platform_users`` for a platform, metric and scope on exactly ``date``.

    Unlike "the latest figure", this cannot switch silently to another day when a row is
    added. Raises SizingError listing the dates that exist.
    """
    for column in ("platform", "metric", "value", "period_end"):
        if column not in platform_users:
            raise SizingError(f"platform_users lacks the column {column!r}")
    rows = platform_users[(platform_users["platform"] == platform) & (platform_users["metric"] == metric)]
    if "scope" in rows:
        rows = rows[rows["scope"] == scope]
    stamps = pd.to_datetime(rows["period_end"])
    hit = rows[stamps == pd.Timestamp(date)]
    if hit.empty:
        dates = ", ".join(sorted(stamps.dt.strftime("%Y-%m-%d"))) or "none"
        raise SizingError(
            f"no {platform} {metric} figure (scope {scope!r}) for {pd.Timestamp(date).date()}; dates: {dates}"
        )
    return hit.iloc[0]
