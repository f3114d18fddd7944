"""The course's assumptions for costing and staffing, in one table that every lecture reads.

Lecture 04 (the RedNote inflow) and lecture 07 (localization trade-offs) used to assume
different throughputs (500 and 800 reviews a day). Every assumption now lives here once,
with a range and the basis it rests on, so that a change in one place changes every
lecture and problem set that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class CourseAssumption:
    """A course assumption: its value, a plausible range, its unit and what it rests on."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    basis: str


ASSUMPTIONS: dict[str, CourseAssumption] = {
    a.name: a
    for a in (
        CourseAssumption(
            "reviews_per_moderator_shift",
            800,
            500,
            1200,
            "items per 8-hour shift",
            "course assumption (about 36 seconds an item); no public source. Used by lectures 04 and 07 and ps3",
        ),
        CourseAssumption(
            "share_reviewed_by_humans",
            0.05,
            0.01,
            0.10,
            "fraction of posts",
            "course assumption: machines triage, people see a small share",
        ),
        CourseAssumption(
            "posts_per_user_day",
            0.5,
            0.1,
            2.0,
            "posts per daily user per day",
            "course assumption; most users read more than they post",
        ),
        CourseAssumption(
            "shrinkage",
            0.30,
            0.20,
            0.35,
            "fraction of paid time",
            "anchored on the Knowlagent contact-centre survey (average 24 %, most frequent answer 26-30 %; "
            "localization_economics) and the 30-35 % that workforce vendors quote; paid time lost to leave, "
            "sickness, training and breaks",
        ),
        CourseAssumption(
            "moderator_cost_per_year",
            40_000,
            15_000,
            80_000,
            "USD per moderator and year",
            "course assumption (salary and overhead); varies a lot by market",
        ),
        CourseAssumption(
            "review_qa_share",
            0.30,
            0.20,
            0.40,
            "fraction of the translation cost",
            "course assumption for a second linguist reviewing a human translation",
        ),
        CourseAssumption(
            "post_edit_share",
            0.80,
            0.60,
            1.00,
            "fraction of the translation rate",
            "Nimdzi: light post-editing of MT justifies at most a 35-40 % discount (60-65 % of the rate), full "
            "post-editing can cost as much as translation (100 %); Semantix expects about twice the throughput",
        ),
        CourseAssumption(
            "conversion_review_share",
            0.30,
            0.20,
            0.50,
            "fraction of the translation rate, per variant",
            "course assumption: a Taiwan or Hong Kong linguist reviews OpenCC's conversion as a second linguist "
            "reviews a translation",
        ),
        CourseAssumption(
            "adoption_of_reached",
            0.05,
            0.01,
            0.15,
            "fraction of newly reached people",
            "course assumption: the share of newly reached people who become active users in a year",
        ),
    )
}


def assumption(name: str) -> float:
    """The value of one course assumption; ValueError lists the names when it is unknown."""
    try:
        return ASSUMPTIONS[name].value
    except KeyError:
        raise ValueError(f"unknown course assumption {name!r}; allowed: {sorted(ASSUMPTIONS)}") from None


def assumptions_table() -> pd.DataFrame:
    """The assumptions as a table: name, value, low, high, unit, basis."""
    return pd.DataFrame([a.__dict__ for a in ASSUMPTIONS.values()])
