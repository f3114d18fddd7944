"""Content-moderation staffing: how many moderators a language needs, and what they cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .costs import MODERATOR_COST_PER_YEAR, REVIEWS_PER_MODERATOR_DAY
from .languages import _check_fraction, _check_non_negative, _finite_number, _require_columns

# ---------------------------------------------------------------------------------------
# Content-moderation staffing
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """Moderators one language needs.

    ``workload_shifts`` = posts per day x share reviewed / reviews per moderator-day;
    ``coverage_shifts`` = shifts needed so that someone is on duty during every covered
    hour; ``headcount`` = the larger of the two, x 7 days / workdays per week, rounded up.
    """

    reviews_per_day: float
    workload_shifts: float
    coverage_shifts: int
    shifts_per_day: float
    headcount: int


def moderation_staffing(
    posts_per_day,
    share_reviewed,
    reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY,
    *,
    coverage_hours: float = 24,
    shift_hours: float = 8,
    workdays_per_week: float = 5,
) -> Staffing:
    """Moderators needed for one language, from volume and coverage.

    >>> moderation_staffing(1_000_000, 0.02, 800).headcount   # 25 shifts a day, 7 days a week
    35
    """
    posts = _check_non_negative(posts_per_day, "posts_per_day")
    share = _check_fraction(share_reviewed, "share_reviewed")
    rate = _finite_number(reviews_per_moderator_day, "reviews_per_moderator_day")
    if rate <= 0:
        raise ValueError(f"reviews_per_moderator_day must be more than 0; got {rate:g}")
    coverage = _finite_number(coverage_hours, "coverage_hours")
    if not 0 <= coverage <= 24:
        raise ValueError(f"coverage_hours must be between 0 and 24 hours a day; got {coverage:g}")
    shift = _finite_number(shift_hours, "shift_hours")
    if not 0 < shift <= 24:
        raise ValueError(f"shift_hours must be more than 0 and at most 24; got {shift:g}")
    workdays = _finite_number(workdays_per_week, "workdays_per_week")
    if not 0 < workdays <= 7:
        raise ValueError(f"workdays_per_week must be more than 0 and at most 7; got {workdays:g}")
    reviews = posts * share
    workload = reviews / rate
    coverage_shifts = math.ceil(coverage / shift - 1e-9)
    shifts = max(workload, float(coverage_shifts))
    headcount = math.ceil(shifts * 7 / workdays - 1e-9)
    return Staffing(reviews, workload, coverage_shifts, shifts, headcount)


def staffing_plan(
    frame: pd.DataFrame,
    *,
    moderator_cost_per_year: float = MODERATOR_COST_PER_YEAR,
    shift_hours: float = 8,
    workdays_per_week: float = 5,
) -> pd.DataFrame:
    """Per language: reviews a day, shifts, headcount and yearly cost.

    ``frame`` needs columns language, posts_per_day, share_reviewed,
    reviews_per_moderator_day and coverage_hours.
    """
    columns = ("language", "posts_per_day", "share_reviewed", "reviews_per_moderator_day", "coverage_hours")
    _require_columns(frame, columns, "the staffing table")
    cost = _check_non_negative(moderator_cost_per_year, "moderator_cost_per_year (USD)")
    rows = []
    for record in frame[list(columns)].to_dict("records"):
        result = moderation_staffing(
            record["posts_per_day"],
            record["share_reviewed"],
            record["reviews_per_moderator_day"],
            coverage_hours=record["coverage_hours"],
            shift_hours=shift_hours,
            workdays_per_week=workdays_per_week,
        )
        rows.append(
            {
                **record,
                "reviews_per_day": result.reviews_per_day,
                "workload_shifts": result.workload_shifts,
                "coverage_shifts": result.coverage_shifts,
                "headcount": result.headcount,
                "cost_per_year": result.headcount * cost,
            }
        )
    return pd.DataFrame(rows)


def review_capacity(
    moderators, reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY, *, workdays_per_week: float = 5
) -> float:
    """Items a team reviews per calendar day (each moderator works ``workdays_per_week`` days)."""
    team = _check_non_negative(moderators, "moderators")
    rate = _check_non_negative(reviews_per_moderator_day, "reviews_per_moderator_day")
    workdays = _finite_number(workdays_per_week, "workdays_per_week")
    if not 0 < workdays <= 7:
        raise ValueError(f"workdays_per_week must be more than 0 and at most 7; got {workdays:g}")
    return team * rate * workdays / 7
