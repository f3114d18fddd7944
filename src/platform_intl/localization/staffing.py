"""Content-moderation staffing: how many moderators a language needs, and what they cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..validation import TOLERANCE
from .assumptions import ASSUMPTIONS
from .costs import MODERATOR_COST_PER_YEAR, REVIEWS_PER_MODERATOR_DAY
from .languages import _check_fraction, _check_non_negative, _finite_number, _require_columns

#: Share of paid time a moderator is not available for reviews (leave, sickness, training,
#: breaks): a course assumption anchored on contact-centre surveys (see ASSUMPTIONS).
SHRINKAGE = ASSUMPTIONS["shrinkage"].value

# ---------------------------------------------------------------------------------------
# Content-moderation staffing
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """Moderators one language needs.

    ``workload_shifts`` = posts per day x share reviewed / reviews per moderator-day;
    ``coverage_shifts`` = shifts needed so that someone is on duty during every covered
    hour; ``headcount`` = the larger of the two, x 7 days / workdays per week, / (1 -
    shrinkage), rounded up.
    """

    reviews_per_day: float
    workload_shifts: float
    coverage_shifts: int
    shifts_per_day: float
    headcount: int
    shrinkage: float = 0.0


def moderation_staffing(
    posts_per_day,
    share_reviewed,
    reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY,
    *,
    coverage_hours: float = 24,
    shift_hours: float = 8,
    workdays_per_week: float = 5,
    shrinkage: float = SHRINKAGE,
) -> Staffing:
    """Moderators needed for one language, from volume, coverage and shrinkage.

    >>> moderation_staffing(1_000_000, 0.02, 800).headcount   # 25 shifts a day, 7 days a week, 30 % shrinkage
    50
    >>> moderation_staffing(1_000_000, 0.02, 800, shrinkage=0).headcount   # before shrinkage
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
    lost = _finite_number(shrinkage, "shrinkage")
    if not 0 <= lost < 1:
        extra = " (a percentage? divide by 100)" if 1 <= lost <= 100 else ""
        raise ValueError(f"shrinkage must be a fraction from 0 up to (not including) 1; got {lost:g}{extra}")
    reviews = posts * share
    workload = reviews / rate
    coverage_shifts = math.ceil(coverage / shift - TOLERANCE)
    shifts = max(workload, float(coverage_shifts))
    headcount = math.ceil(shifts * 7 / workdays / (1 - lost) - TOLERANCE)
    return Staffing(reviews, workload, coverage_shifts, shifts, headcount, lost)


def staffing_plan(
    frame: pd.DataFrame,
    *,
    moderator_cost_per_year: float = MODERATOR_COST_PER_YEAR,
    shift_hours: float = 8,
    workdays_per_week: float = 5,
    shrinkage: float = SHRINKAGE,
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
            shrinkage=shrinkage,
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
    moderators,
    reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY,
    *,
    workdays_per_week: float = 5,
    shrinkage: float = SHRINKAGE,
) -> float:
    """Items a team reviews per calendar day (each moderator works ``workdays_per_week`` days,
    and ``shrinkage`` of paid time goes to leave, sickness, training and breaks)."""
    team = _check_non_negative(moderators, "moderators")
    rate = _check_non_negative(reviews_per_moderator_day, "reviews_per_moderator_day")
    workdays = _finite_number(workdays_per_week, "workdays_per_week")
    if not 0 < workdays <= 7:
        raise ValueError(f"workdays_per_week must be more than 0 and at most 7; got {workdays:g}")
    lost = _finite_number(shrinkage, "shrinkage")
    if not 0 <= lost < 1:
        raise ValueError(f"shrinkage must be a fraction from 0 up to (not including) 1; got {lost:g}")
    return team * rate * workdays / 7 * (1 - lost)


def inflow_staffing(daily_users, *, coverage_hours: float = 24, shrinkage: float = SHRINKAGE, **overrides) -> Staffing:
    """Reviewers for a language's daily users under the course's shared assumptions.

    posts a day = daily users x ``posts_per_user_day``; humans see ``share_reviewed_by_humans``
    of them at ``reviews_per_moderator_shift`` each (ASSUMPTIONS); ``overrides`` replace any
    of the three by name.
    """
    unknown = set(overrides) - {"posts_per_user_day", "share_reviewed_by_humans", "reviews_per_moderator_shift"}
    if unknown:
        raise ValueError(
            f"unknown assumption(s) {sorted(unknown)}; allowed: posts_per_user_day, share_reviewed_by_humans, "
            "reviews_per_moderator_shift"
        )
    values = {
        name: overrides.get(name, ASSUMPTIONS[name].value)
        for name in ("posts_per_user_day", "share_reviewed_by_humans", "reviews_per_moderator_shift")
    }
    users = _check_non_negative(daily_users, "daily_users")
    return moderation_staffing(
        users * values["posts_per_user_day"],
        values["share_reviewed_by_humans"],
        values["reviews_per_moderator_shift"],
        coverage_hours=coverage_hours,
        shrinkage=shrinkage,
    )
