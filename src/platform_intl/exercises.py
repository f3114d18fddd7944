"""Your-turn exercises of the lectures, with an instant, ungraded check for each.

A lecture's exercise cell (tagged ``exercise``) asks the student to replace ``...`` with an
answer and ends with a check::

    stickiness = ...
    exercises.check("01.stickiness", stickiness)

:func:`check` never raises and never prints: it returns a :class:`Feedback`, which a
notebook shows as a short note (HTML, plain text for ``print``). The note says

- *not attempted yet* while the answer is still ``...``;
- what kind of mistake a wrong answer is (the ratio upside down, a percentage where a
  share belongs, another period or metric, units, a category that means something else),
  without the expected value, except for predictions, where the comparison is the point;
- *correct*, with the reasoning, when it is right.

Each exercise is one :class:`Exercise` of :data:`EXERCISES`: its id (``"01.stickiness"``,
the lecture's number first), what it asks, how its answer is computed *from the course
data or models* (never typed in), its tolerance, the typical mistakes it recognises (each
computed the way the mistake computes it), and for classifications the allowed values.
The generic diagnoses come from :mod:`platform_intl.diagnosis` and the number and text
rules from :mod:`platform_intl.checks`, so exercises and problem sets speak alike.

>>> check("01.stickiness").status
'not_attempted'
>>> check("01.stickiness", 2.287).kind
'known'
>>> check("01.stickiness", answer("01.stickiness")).correct
True
"""

from __future__ import annotations

import html
import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import checks

#: What a :class:`Feedback` can say, with the heading a note shows.
STATUSES = {
    "not_attempted": "Not attempted yet",
    "correct": "Correct",
    "incorrect": "Not yet",
    "invalid": "Cannot check this answer",
}

#: The kinds of exercise: a number computed with pandas or the course models, a prediction
#: (a number written before a widget or a cell shows it), one of a set of allowed values,
#: and a text (a formatted number).
KINDS = ("number", "prediction", "choice", "text")

_COLOURS = {  # left border of the note; the text stays dark on a light background
    "not_attempted": "#6b6b6b",
    "correct": "#027a5a",
    "incorrect": "#a65e00",
    "invalid": "#a61b1b",
}


def _nothing() -> dict:
    return {}


@dataclass(frozen=True)
class Exercise:
    """One exercise: what it asks, how its answer is computed, and how a check reads an answer.

    ``expected`` computes the answer from the course data (for a choice: the accepted
    value, or a tuple of accepted values, as canonical options); ``explain`` turns it into
    the reasoning a correct answer is confirmed with. ``mistakes`` maps a sentence naming a
    typical mistake to the value that mistake gives (numbers and texts). ``options`` maps
    every accepted spelling of a choice (case-folded) to its canonical value; ``wrong``
    explains a wrong canonical choice, ``otherwise`` any other. A prediction is right
    within ``rel``; its note always gives the model's value and how far off the guess was.
    """

    id: str
    lecture: str
    asks: str
    answer: str
    kind: str
    expected: Callable[[], Any]
    explain: Callable[[Any], str]
    unit: str = "number"
    rel: float = 1e-3
    mistakes: Callable[[], Mapping[str, Any]] = _nothing
    hint: str = ""
    options: Callable[[], Mapping[str, str]] = _nothing
    wrong: Callable[[], Mapping[str, str]] = _nothing
    otherwise: str = ""
    case_sensitive: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}")
        if not self.id.startswith(self.lecture + "."):
            raise ValueError(f"an exercise id starts with its lecture ({self.lecture}.); got {self.id!r}")


@dataclass(frozen=True)
class Feedback:
    """What a check says about one answer: a status (a key of :data:`STATUSES`) and a message.

    ``kind`` names the mistake when the check recognised one: ``"known"`` for a mistake the
    exercise anticipates, else a kind of :data:`platform_intl.diagnosis.KINDS` (``"inverse"``,
    ``"percent"``, ...), ``"choice"`` for a wrong classification, ``"type"`` for an answer of
    the wrong type, ``"prediction"`` for a prediction outside the tolerance.
    """

    exercise: str
    status: str
    message: str
    kind: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def heading(self) -> str:
        if self.kind == "prediction" or (self.status == "correct" and self.exercise in _PREDICTIONS):
            return "Good prediction" if self.correct else "Prediction off"
        return STATUSES[self.status]

    def __str__(self) -> str:
        return f"{self.heading} ({self.exercise}): {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        message = _html_message(self.message)
        return (
            f'<div class="platform-intl-exercise" role="status" data-exercise="{html.escape(self.exercise)}" '
            f'data-status="{self.status}" style="border-left:4px solid {colour};padding:0.35em 0.8em;'
            'margin:0.3em 0;background:#f7f7f7;color:#1a1a1a">'
            f'<p style="margin:0"><strong style="color:{colour}">{html.escape(self.heading)}</strong> '
            f'<span style="color:#4a4a4a">(exercise {html.escape(self.exercise)})</span>: {message}</p></div>'
        )


def _html_message(message: str) -> str:
    """The message escaped, with `code` in backticks shown as code."""
    parts = message.split("`")
    return "".join(
        f"<code>{html.escape(part)}</code>" if index % 2 else html.escape(part) for index, part in enumerate(parts)
    )


# --------------------------------------------------------------------------- formatting


def _num(value: float) -> str:
    """A number for a reader: three significant digits, grouped, never scientific, millions and billions in words."""
    from .localization import format_number

    number = float(value)
    if number == 0 or not math.isfinite(number):
        return "0" if number == 0 else "not a finite number"
    size = abs(number)
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if size >= scale:
            scaled = number / scale
            text = format_number(round(scaled, 2), decimals=2 if abs(scaled) < 10 else 1)
            return f"{text.rstrip('0').rstrip('.')} {word}"
    if number == int(number):
        return format_number(int(number))
    digits = 2 - math.floor(math.log10(size))
    rounded = round(number, digits)
    decimals = max(0, min(4, digits))
    text = format_number(rounded, decimals=decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _pct(share: float, decimals: int = 1) -> str:
    from .localization import format_percent

    share = float(share)
    if 0 < abs(share) < 0.01:
        decimals = max(decimals, 2)
    return format_percent(share, decimals=decimals)


def _usd(amount: float) -> str:
    from .localization import format_currency

    if abs(float(amount)) >= 1e6:
        return f"USD {_num(amount)}"
    return format_currency(float(amount), "USD")


def _shown(value: float, unit: str) -> str:
    if unit == "share" and 0 <= value <= 1:
        return f"{_num(value)} ({_pct(value)})"
    if unit == "usd":
        return _usd(value)
    return _num(value)


# --------------------------------------------------------------------------- the course data


@cache
def _table(name: str):
    from . import data

    return data.load(name)


def _figure(platform: str, metric: str, period_end: str, scope: str = "global") -> float:
    from . import data

    return float(data.figure(platform, metric, period_end, scope))


def _date(value) -> str:
    from .localization import format_date

    return format_date(value, length="long")


def _node_options(keys: Sequence[str]) -> dict[str, str]:
    """Accepted spellings of lineage nodes: the key, the label on one line, its first line."""
    from .sources import LINEAGE_NODES

    options: dict[str, str] = {}
    for node in LINEAGE_NODES:
        if node.key in keys:
            for spelling in (node.key, node.label.replace("\n", " "), node.label.split("\n")[0], node.document):
                if spelling:
                    options[checks.normalise_text(spelling).casefold()] = node.key
    return options


def _node_label(key: str) -> str:
    from .sources import LINEAGE_NODES

    return next(n.label.replace("\n", " ") for n in LINEAGE_NODES if n.key == key)


def _edge_into(document: str):
    from .sources import LINEAGE_EDGES

    return next(e for e in LINEAGE_EDGES if e.target == document and e.derived)


def _lineage_keys(document: str) -> list[str]:
    from .sources import LINEAGE_EDGES, upstream

    keys = set(upstream(document))
    return sorted(keys | {e.source for e in LINEAGE_EDGES if e.target in keys} | {"la_presse", "english_copies"})


# --------------------------------------------------------------------------- lecture 01


def _weibo_sept_2018() -> tuple[float, float]:
    return _figure("weibo", "DAU", "2018-09-30"), _figure("weibo", "MAU", "2018-09-30")


def _story_figure() -> float:
    """The headline figure of the AFP story, as the claims registry holds it."""
    from .sources import get_claim

    return float(get_claim("weibo_mau_2018").headline or 0)


def _understatement() -> float:
    reported = _figure("weibo", "MAU", "2018-09-30")
    return (reported - _story_figure()) / reported


def _understatement_mistakes() -> dict[str, float]:
    reported, later = _figure("weibo", "MAU", "2018-09-30"), _figure("weibo", "MAU", "2018-12-31")
    story = _story_figure()
    return {
        "the gap as a share of the story's figure; divide by the reported figure instead": (reported - story) / story,
        "the gap in users; divide it by the reported figure to make it a share": reported - story,
        "the share the phrase keeps (story over reported); the understatement is the part missing": story / reported,
        "December 2018's figure, reported after the story; use the latest report before it": (later - story) / later,
    }


def _explain_understatement(share: float) -> str:
    reported = _figure("weibo", "MAU", "2018-09-30")
    story = _story_figure()
    return (
        f"Weibo reported {_num(reported)} monthly active users for September 2018; the story says more than "
        f"{_num(story)}, {_num(reported - story)} fewer, {_pct(share)} of the reported figure. True, but a "
        "reader cannot tell how much the phrase rounds away."
    )


def _stickiness_mistakes() -> dict[str, float]:
    dau, mau = _weibo_sept_2018()
    out = {"MAU over DAU, the ratio upside down; stickiness is daily users over monthly users": mau / dau}
    for period in ("2018-12-31", "2024-09-30", "2013-12-31"):
        ratio = _figure("weibo", "DAU", period) / _figure("weibo", "MAU", period)
        out[f"the ratio for the period ending {_date(period)}; take the rows of September 2018"] = ratio
    return out


def _explain_stickiness(share: float) -> str:
    dau, mau = _weibo_sept_2018()
    return (
        f"{_num(dau)} daily over {_num(mau)} monthly active users is {_pct(share)}: on an average day about "
        f"{round(share * 100)} in every 100 of the month's users came back."
    )


def _explain_s2_parent(key: str) -> str:
    edge = _edge_into("S2")
    return (
        f"S2's only hop is '{edge.relation}' from the {_node_label(key)}: {edge.changed}. The English wire "
        "(S1's parent) and S2 share only the interview."
    )


def _s2_wrong() -> dict[str, str]:
    s1 = _edge_into("S1")
    return {
        "afp_en": f"the English wire is S1's parent ('{s1.relation}'); read the row of the S2 table whose 'to' is S2",
        "zhang_interview": "the interview is the event at the start; S2 was made from a text about it, one hop later",
        "la_presse": "La Presse republished the same French dispatch: S2's sibling, not its parent",
        "english_copies": "the English copies descend from the English wire, which is not on S2's lineage",
        "S2": "that is S2 itself; the question asks for the text it was made from",
        "S1": "S1 is the other version, made from the English wire; S2 does not descend from it",
    }


# --------------------------------------------------------------------------- lecture 02


def _active_share() -> float:
    return _figure("weibo", "MAU", "2013-12-31") / _figure("weibo", "registered", "2012-12-31")


def _active_share_mistakes() -> dict[str, float]:
    mau, registered = _figure("weibo", "MAU", "2013-12-31"), _figure("weibo", "registered", "2012-12-31")
    return {
        "registered accounts over MAU, the ratio upside down": registered / mau,
        "daily active users over registered accounts; the question asks for monthly users": _figure(
            "weibo", "DAU", "2013-12-31"
        )
        / registered,
        "the registered count of February 2012; the post's figure is December 2012's": mau
        / _figure("weibo", "registered", "2012-02-29"),
    }


def _explain_active_share(share: float) -> str:
    mau, registered = _figure("weibo", "MAU", "2013-12-31"), _figure("weibo", "registered", "2012-12-31")
    return (
        f"{_num(mau)} monthly active users (December 2013) over {_num(registered)} registered accounts "
        f"(December 2012) is {_pct(share)}: about one account in {round(1 / share)} was used in a month. The two "
        "dates are a year apart, so this is not an activation rate."
    )


def _per_monthly_user() -> float:
    return _figure("weibo", "messages_per_day", "2012-12-31") / _figure("weibo", "MAU", "2013-12-31")


def _per_monthly_user_mistakes() -> dict[str, float]:
    messages = _figure("weibo", "messages_per_day", "2012-12-31")
    return {
        "messages per registered account (the cell above); divide by the monthly active users": messages
        / _figure("weibo", "registered", "2012-12-31"),
        "messages per daily active user; the question asks per monthly active user": messages
        / _figure("weibo", "DAU", "2013-12-31"),
    }


def _explain_per_monthly_user(rate: float) -> str:
    messages, mau = _figure("weibo", "messages_per_day", "2012-12-31"), _figure("weibo", "MAU", "2013-12-31")
    per_account = messages / _figure("weibo", "registered", "2012-12-31")
    return (
        f"{_num(messages)} messages a day over {_num(mau)} monthly active users is {_num(rate)} a day each, "
        f"{_num(rate / per_account)} times the rate per registered account. The messages are from about 2012 and "
        "the users from December 2013: an assumption the explorer below lets you move."
    )


def _activity_start() -> tuple[float, float, float]:
    """The ActivityExplorer's starting point: monthly and daily shares as its sliders start."""
    registered = _figure("weibo", "registered", "2012-12-31")
    mau, dau = _figure("weibo", "MAU", "2013-12-31"), _figure("weibo", "DAU", "2013-12-31")
    return registered, round(mau / registered, 3), round(dau / mau, 3)


def _per_daily_user() -> float:
    registered, monthly, daily = _activity_start()
    return _figure("weibo", "messages_per_day", "2012-12-31") / (registered * monthly * daily)


def _explain_per_daily_user(rate: float) -> str:
    registered, monthly, daily = _activity_start()
    return (
        f"The explorer starts at {_num(rate)} messages a day per daily active user: the same messages over "
        f"{_num(registered)} accounts × {_pct(monthly)} active in a month × {_pct(daily)} of those on a day. Each "
        "denominator is a subset of the one before: fewer people, more messages each."
    )


def _metric_options() -> dict[str, str]:
    spellings = {
        "registered": ("registered", "registered accounts", "registered users", "accounts", "registrations"),
        "MAU": ("MAU", "monthly active users", "monthly users", "monthly active"),
        "DAU": ("DAU", "daily active users", "daily users", "daily active"),
    }
    return {checks.normalise_text(s).casefold(): metric for metric, names in spellings.items() for s in names}


def _metric_503() -> str:
    from .sources import get_claim

    return get_claim("weibo_registered_2012").metric


def _explain_metric_503(metric: str) -> str:
    return (
        f"The {_num(_figure('weibo', metric, '2012-12-31'))} of December 2012 are registered accounts: every "
        "account ever opened, abandoned and duplicate ones included. Weibo's first count of monthly active users "
        f"came a year later: {_num(_figure('weibo', 'MAU', '2013-12-31'))}."
    )


def _metric_503_wrong() -> dict[str, str]:
    first = _table("platform_users")
    weibo = first[(first["platform"] == "weibo")]
    out = {}
    for metric in ("MAU", "DAU"):
        dated = weibo[weibo["metric"] == metric]["period_end"].min()
        out[metric] = (
            f"Weibo's first {metric} figure is for {_date(dated)}, a year after the post's figure; the post calls "
            "every account ever opened a user"
        )
    return out


# --------------------------------------------------------------------------- lecture 03


def _facebook_multiple() -> float:
    return _figure("facebook", "MAU", "2015-03-31") / _figure("twitter", "MAU", "2015-03-31")


def _facebook_mistakes() -> dict[str, float]:
    twitter = _figure("twitter", "MAU", "2015-03-31")
    return {
        "Twitter over Facebook, the ratio upside down": twitter / _figure("facebook", "MAU", "2015-03-31"),
        "Facebook's December 2014 figure, a quarter earlier; take the same quarter on both sides": _figure(
            "facebook", "MAU", "2014-12-31"
        )
        / twitter,
    }


def _explain_facebook(multiple: float) -> str:
    facebook, twitter = _figure("facebook", "MAU", "2015-03-31"), _figure("twitter", "MAU", "2015-03-31")
    return (
        f"{_num(facebook)} against {_num(twitter)} monthly active users at the end of March 2015: Facebook was "
        f"{_num(multiple)} times Twitter's size, so 'world's largest' is false."
    )


def _revenue(company: str, metric: str, period_end: str) -> float:
    revenue = _table("revenue")
    rows = revenue[
        (revenue["company"] == company) & (revenue["metric"] == metric) & (revenue["period_end"] == period_end)
    ]
    return float(rows["value"].iloc[0])


def _arpu_year() -> float:
    return 4 * _revenue("twitter", "total_revenue", "2015-03-31") / _figure("twitter", "MAU", "2015-03-31")


def _arpu_mistakes() -> dict[str, float]:
    mau = _figure("twitter", "MAU", "2015-03-31")
    return {
        "revenue per user for one quarter; a year at that rate is four quarters": _revenue(
            "twitter", "total_revenue", "2015-03-31"
        )
        / mau,
        "advertising revenue only; the question asks for total revenue": 4
        * _revenue("twitter", "advertising_revenue", "2015-03-31")
        / mau,
        "users per dollar, the ratio upside down": mau / (4 * _revenue("twitter", "total_revenue", "2015-03-31")),
    }


def _explain_arpu(value: float) -> str:
    revenue, mau = _revenue("twitter", "total_revenue", "2015-03-31"), _figure("twitter", "MAU", "2015-03-31")
    return (
        f"{_usd(revenue)} of revenue in the first quarter of 2015 over {_num(mau)} monthly active users is "
        f"{_usd(revenue / mau)} per user for the quarter, {_usd(value)} a year at that rate."
    )


def _airline_edge():
    from .sources import LINEAGE_EDGES

    return next(e for e in LINEAGE_EDGES if "Chinese Airlines" in e.changed)


def _airline_entered() -> tuple[str, ...]:
    edge = _airline_edge()
    return (edge.source, edge.target)


def _explain_airline(_accepted) -> str:
    from .sources import LINEAGE_EDGES

    edge = _airline_edge()
    cnet = next(e for e in LINEAGE_EDGES if e.target == "cnet")
    return (
        f"The reports name real airlines (CNET: {cnet.changed}). The invented name first shows on the hop "
        f"'{edge.relation}' from {_node_label(edge.source)} to S5 ({edge.changed}): it entered in the financial-news "
        "rewrite or in the spin, after the reporting; without the rewrite's text the course cannot say which."
    )


def _airline_wrong() -> dict[str, str]:
    return {
        "cnet": "CNET wrote China Airlines, a real (Taiwanese) carrier; look for the hop where the name first changes",
        "reuters": "Reuters named Air China, a real carrier; the invented name is not in either report",
        "ces_asia": "the keynote is the event; the reports of it name real airlines",
    }


def _gap_rates() -> tuple[float, float]:
    revenue = _table("revenue")
    rows = revenue[revenue["metric"] == "ad_revenue_per_1000_timeline_views"].set_index("scope")["value"]
    return float(rows["US"]), float(rows["ex-US"])


#: The share of timeline views abroad that the lecture 03 prediction asks about.
GAP_SHARE_ABROAD = 0.8


def _blended() -> float:
    us, abroad = _gap_rates()
    return (1 - GAP_SHARE_ABROAD) * us + GAP_SHARE_ABROAD * abroad


def _blended_mistakes() -> dict[str, float]:
    us, abroad = _gap_rates()
    return {
        "the plain average of the two rates; weight each by its share of views": (us + abroad) / 2,
        "the weights swapped: most views are abroad, so the rate abroad gets the larger weight": GAP_SHARE_ABROAD * us
        + (1 - GAP_SHARE_ABROAD) * abroad,
    }


def _explain_blended(value: float) -> str:
    us, abroad = _gap_rates()
    return (
        f"With {_pct(GAP_SHARE_ABROAD, 0)} of views abroad the explorer shows {_usd(value)} per 1,000 views: "
        f"{_num(1 - GAP_SHARE_ABROAD)} × {_usd(us)} + {_num(GAP_SHARE_ABROAD)} × {_usd(abroad)}. The blend sits "
        "near the rate abroad, because that is where most views are."
    )


# --------------------------------------------------------------------------- lecture 04


def _share_of_base() -> float:
    return _figure("xiaohongshu", "new_users", "2025-01-14") / _figure("xiaohongshu", "MAU", "2023-12-31")


def _share_of_base_mistakes() -> dict[str, float]:
    new = _figure("xiaohongshu", "new_users", "2025-01-14")
    return {
        "new users against the US daily users of the peak; the base is the monthly active users worldwide": new
        / _figure("xiaohongshu", "DAU", "2025-01-19", "US"),
    }


def _explain_share_of_base(share: float) -> str:
    new, base = _figure("xiaohongshu", "new_users", "2025-01-14"), _figure("xiaohongshu", "MAU", "2023-12-31")
    return (
        f"{_num(new)} sign-ups against {_num(base)} monthly active users is {_pct(share, 2)} of the base, with a "
        "caveat: the base was reported for the end of 2023, the sign-ups are from January 2025. Small against the "
        "base, yet new work: the newcomers post in English."
    )


def _rednote_days() -> tuple[Any, float, Any, float]:
    users = _table("platform_users")
    red = users[(users["platform"] == "xiaohongshu") & (users["metric"] == "DAU") & (users["scope"] == "US")]
    series = red.set_index("period_end")["value"].sort_index()
    peak_day = series.idxmax()
    after_day = series[series.index > peak_day].index[0]
    return peak_day, float(series[peak_day]), after_day, float(series[after_day])


def _fall_after_peak() -> float:
    _, peak, _, after = _rednote_days()
    return 1 - after / peak


def _fall_mistakes() -> dict[str, float]:
    _, peak, _, after = _rednote_days()
    return {
        "the share that came back (next day over peak); the fall is the part that did not": after / peak,
        "the change as the table's change column gives it, which is negative; give the fall as a positive share": after
        / peak
        - 1,
        "the fall measured against the next day; measure it against the peak": (peak - after) / after,
    }


def _explain_fall(share: float) -> str:
    peak_day, peak, after_day, after = _rednote_days()
    return (
        f"From {_num(peak)} on {_date(peak_day)} (the peak) to {_num(after)} on {_date(after_day)}: down "
        f"{_pct(share, 0)} in one day. A headline figure for one day says little about who stays."
    )


#: The share of posts in English the InflowExplorer starts with (its slider's default).
INFLOW_ENGLISH_SHARE = 0.8


def _inflow_start() -> tuple[float, float]:
    from .localization import ASSUMPTIONS

    _, peak, _, _ = _rednote_days()
    return float(int(peak / 1000) * 1000), INFLOW_ENGLISH_SHARE * ASSUMPTIONS["posts_per_user_day"].value


def _reviewers_at_peak() -> float:
    from .localization import inflow_staffing

    daily, posts = _inflow_start()
    return float(inflow_staffing(daily, posts_per_user_day=posts).headcount)


def _explain_reviewers(headcount: float) -> str:
    from .localization import ASSUMPTIONS, inflow_staffing

    daily, posts = _inflow_start()
    plan = inflow_staffing(daily, posts_per_user_day=posts)
    return (
        f"At its defaults the explorer sizes {_num(headcount)} English reviewers: {_num(daily)} US daily users "
        f"(the peak) × {_pct(INFLOW_ENGLISH_SHARE, 0)} posting in English × "
        f"{_num(ASSUMPTIONS['posts_per_user_day'].value)} posts a day, "
        f"{_pct(ASSUMPTIONS['share_reviewed_by_humans'].value, 0)} "
        f"to humans at {_num(ASSUMPTIONS['reviews_per_moderator_shift'].value)} a shift = "
        f"{_num(plan.workload_shifts)} shifts a day; × 7/5 for five-day weeks and ÷ (1 − "
        f"{_pct(plan.shrinkage, 0)}) for shrinkage. The easy steps to forget are the last two."
    )


# --------------------------------------------------------------------------- lecture 05


#: What each MQM Core category covers, in the course's words (for a wrong classification).
MQM_MEANS = {
    "Accuracy": "the meaning changed: something added, dropped or mistranslated",
    "Terminology": "a term rendered wrongly or inconsistently",
    "Linguistic conventions": "grammar, spelling and punctuation of the target language",
    "Style": "correct but unidiomatic text, such as a phrase carried over word for word",
    "Locale conventions": "numbers, dates or currency in another locale's format",
    "Audience appropriateness": "content unsuitable for the readers (none found in the course's documents)",
    "Design and markup": "page furniture, layout or markup that ended up in the text",
}


def _mqm_options() -> dict[str, str]:
    from .sources import ERROR_CATEGORIES

    options = {checks.normalise_text(c).casefold(): c for c in ERROR_CATEGORIES}
    aliases = {
        "fluency": "Linguistic conventions",
        "grammar": "Linguistic conventions",
        "locale convention": "Locale conventions",
        "design": "Design and markup",
        "markup": "Design and markup",
    }
    options.update(aliases)
    return options


def _error_row(document: str, fragment: str):
    from .sources import translation_errors

    errors = translation_errors(document)
    return errors[errors["fragment"] == fragment].iloc[0]


def _mqm_exercise(number: int, document: str, fragment: str, hint: str) -> Exercise:
    def expected() -> str:
        return str(_error_row(document, fragment)["category"])

    def explain(category: str) -> str:
        row = _error_row(document, fragment)
        return f"'{fragment}' is {category}, {row['subtype']}: {row['why']} Better: {row['better']}."

    def wrong() -> dict[str, str]:
        return {c: f"{c} is for {means}" for c, means in MQM_MEANS.items()}

    return Exercise(
        id=f"05.classify_{number}",
        lecture="05",
        asks=f"Classify the {document} error '{fragment}' in an MQM Core category (sources.ERROR_CATEGORIES).",
        answer="category",
        kind="choice",
        expected=expected,
        explain=explain,
        options=_mqm_options,
        wrong=wrong,
        otherwise="not a category of MQM Core; choose one of sources.ERROR_CATEGORIES",
        hint=hint,
    )


def _danish_mau() -> str:
    from .localization import format_number

    return format_number(_figure("weibo", "MAU", "2018-09-30"), "da_DK", decimals=0)


def _danish_mau_mistakes() -> dict[str, str]:
    from .localization import format_number

    mau = _figure("weibo", "MAU", "2018-09-30")
    return {
        "the en_US format: Danish groups thousands with a full stop, and a comma is its decimal mark": format_number(
            mau, "en_US", decimals=0
        ),
        "the figure in millions; the question asks for the whole number": format_number(mau / 1e6, "da_DK", decimals=0),
    }


def _explain_danish_mau(text: str) -> str:
    return (
        f"Babel's da_DK format writes Weibo's MAU as {text}: full stops group the thousands. The Danish machine "
        "translation's '1, 000' is an English separator and a stray space; a Danish reader would take '1,000' "
        "for one, with three decimals."
    )


# --------------------------------------------------------------------------- lecture 06


@cache
def _speakers():
    from . import sizing

    return sizing.chinese_speakers_outside_mainland(_table("countries"), _table("territory_languages"))


def _greater_china_share() -> float:
    speakers = _speakers()
    return float(speakers.loc[speakers["greater_china"], "speakers"].sum() / speakers["speakers"].sum())


def _greater_china_mistakes() -> dict[str, float]:
    speakers = _speakers()
    online = speakers["speakers"] * speakers["internet_share"]
    return {
        "the share outside Hong Kong, Macau and Taiwan; the question asks for the share inside": 1
        - _greater_china_share(),
        "the share of online speakers; the question asks for speakers, before internet use": float(
            online[speakers["greater_china"]].sum() / online.sum()
        ),
    }


def _explain_greater_china(share: float) -> str:
    speakers = _speakers()
    inside = speakers.loc[speakers["greater_china"], "speakers"].sum()
    return (
        f"{_num(inside)} of {_num(speakers['speakers'].sum())} Chinese speakers outside the mainland, "
        f"{_pct(share)}, live in Hong Kong, Macau and Taiwan, where Weibo already ran sites: counting them as new "
        "users counts them twice."
    )


_CAGR_START, _CAGR_END = "2013-12-31", "2018-12-31"


def _cagr() -> float:
    from . import sizing

    start, end = _figure("weibo", "MAU", _CAGR_START), _figure("weibo", "MAU", _CAGR_END)
    return float(sizing.cagr(start, end, sizing.years_between(_CAGR_START, _CAGR_END)))


def _cagr_mistakes() -> dict[str, float]:
    from . import sizing

    start, end = _figure("weibo", "MAU", _CAGR_START), _figure("weibo", "MAU", _CAGR_END)
    years = sizing.years_between(_CAGR_START, _CAGR_END)
    september = _figure("weibo", "MAU", "2018-09-30")
    return {
        "the growth over the whole period; a CAGR is per year: take the root over the years": end / start - 1,
        "simple growth, the total spread evenly over the years; compound growth takes the root": (end / start - 1)
        / years,
        "a year too many in the root; count the years between the two dates": (end / start) ** (1 / (years + 1)) - 1,
        "a year too few in the root; count the years between the two dates": (end / start) ** (1 / (years - 1)) - 1,
        "September 2018's figure at the end; the question ends in December 2018": float(
            sizing.cagr(start, september, sizing.years_between(_CAGR_START, "2018-09-30"))
        ),
    }


def _explain_cagr(rate: float) -> str:
    from . import sizing

    start, end = _figure("weibo", "MAU", _CAGR_START), _figure("weibo", "MAU", _CAGR_END)
    years = sizing.years_between(_CAGR_START, _CAGR_END)
    return (
        f"From {_num(start)} to {_num(end)} monthly active users in {_num(years)} years: "
        f"({_num(end / start)}) ** (1 / {_num(years)}) − 1 = {_pct(rate)} a year. Accounts against accounts "
        "would have shown a decline; users against users, fast growth."
    )


def _tam_parts() -> tuple[float, float]:
    from . import sizing

    funnel = sizing.size_scenario("weibo_diaspora")
    outside = ~funnel["territory"].isin(sizing.HONG_KONG_MACAU_TAIWAN)
    return float(funnel.loc[outside, "tam"].sum()), float(funnel["tam"].sum())


def _tam_left() -> float:
    left, total = _tam_parts()
    return left / total


def _explain_tam_left(share: float) -> str:
    left, total = _tam_parts()
    return (
        f"Unticking Hong Kong, Macau and Taiwan leaves {_pct(share)} of the TAM: {_num(left)} of {_num(total)} "
        "online Chinese speakers outside the mainland. Most of the market Zhang named is where Weibo already was."
    )


# --------------------------------------------------------------------------- lecture 07


@cache
def _danish_reach():
    from . import localization as loc

    return loc.ReachModel.from_course_data(["da"], already_served=["en"]).by_territory(["da"])


def _germany_share() -> float:
    table = _danish_reach()
    return float(table.loc[table["territory"] == "DE", "newly_reached"].sum() / table["newly_reached"].sum())


def _germany_mistakes() -> dict[str, float]:
    table = _danish_reach()
    germany = table["territory"] == "DE"
    return {
        "Germany's share of the online population; the question asks for the newly reached readers": float(
            table.loc[germany, "online_population"].sum() / table["online_population"].sum()
        ),
        "the share outside Germany; the question asks for the share in Germany": 1 - _germany_share(),
        "Germany's readers over Denmark's; divide by the total of every territory": float(
            table.loc[germany, "newly_reached"].sum() / table.loc[table["territory"] == "DK", "newly_reached"].sum()
        ),
    }


def _explain_germany(share: float) -> str:
    table = _danish_reach()
    languages = _table("territory_languages")
    da_de = languages[(languages["territory"] == "DE") & (languages["language"] == "da")]["population_share"]
    germany = table.loc[table["territory"] == "DE", "newly_reached"].sum()
    return (
        f"{_num(germany)} of {_num(table['newly_reached'].sum())} newly reached readers, {_pct(share)}, are in "
        f"Germany, because CLDR lists Danish for {_pct(float(da_de.iloc[0]), 0)} of Germany's population and "
        "Germany is large. Look at the territories before you trust a total."
    )


def _greedy_reaches() -> tuple[float, float]:
    from . import localization as loc

    problem, budget = loc.greedy_loses_example()
    compared = problem.compare(budget).set_index("method")["reach"]
    return float(compared["optimal"]), float(compared["greedy"])


def _greedy_loss() -> float:
    optimal, greedy = _greedy_reaches()
    return (optimal - greedy) / optimal


def _greedy_mistakes() -> dict[str, float]:
    optimal, greedy = _greedy_reaches()
    return {
        "the loss in people; give it as a share of the optimum's reach": optimal - greedy,
        "the loss as a share of greedy's reach; divide by the optimum's": (optimal - greedy) / greedy,
        "the share of the optimum that greedy keeps; the question asks for the part it loses": greedy / optimal,
    }


def _explain_greedy(share: float) -> str:
    from . import localization as loc

    optimal, greedy = _greedy_reaches()
    problem, budget = loc.greedy_loses_example()
    plan = problem.greedy(budget)
    return (
        f"Greedy reaches {_num(greedy)} people against the optimum's {_num(optimal)}: it loses {_pct(share, 0)}, "
        f"because the best deal per dollar ({', '.join(plan.languages)}) leaves too little budget for anything else."
    )


#: The first day of the RedNote surge, which the lecture 07 prediction asks about.
FIRST_DAY = "2025-01-13"


def _first_day_queue():
    from . import localization as loc

    daily = _figure("xiaohongshu", "DAU", FIRST_DAY, "US")
    a = loc.ASSUMPTIONS
    plan = loc.moderation_staffing(
        daily * a["posts_per_user_day"].value,
        a["share_reviewed_by_humans"].value,
        loc.REVIEWS_PER_MODERATOR_DAY,
        coverage_hours=24,
    )
    return daily, plan


def _first_day_reviewers() -> float:
    return float(_first_day_queue()[1].headcount)


def _explain_first_day(headcount: float) -> str:
    from . import localization as loc

    daily, plan = _first_day_queue()
    return (
        f"On {_date(FIRST_DAY)} ({_num(daily)} US daily users) the model needs {_num(headcount)} reviewers: "
        f"{_num(plan.reviews_per_day)} reviews a day are {_num(plan.workload_shifts)} shifts of "
        f"{_num(loc.REVIEWS_PER_MODERATOR_DAY)}, × 7/5 for five-day weeks, ÷ (1 − {_pct(plan.shrinkage, 0)}) for "
        "shrinkage. The peak, ten times the users, needs about ten times the team."
    )


# --------------------------------------------------------------------------- lecture 08

LAUNCH_DAY_NEW_YORK = "2025-01-19"


def _variant_counts() -> tuple[int, int]:
    from . import localization as loc

    same = loc.variant_table()["same_in_both"].eq("yes")
    return int(same.sum()), int((~same).sum())


def _explain_same_words(count: float) -> str:
    same, differ = _variant_counts()
    return (
        f"{_num(same)} of the {_num(same + differ)} words come out the same for Taiwan and Hong Kong; "
        f"{_num(differ)} differ. One converted text cannot serve both: each needs its own review."
    )


def _arabic_forms() -> float:
    from . import localization as loc

    return float(len(loc.plural_categories("ar")))


def _explain_arabic_forms(count: float) -> str:
    from . import localization as loc

    return (
        f"Arabic needs {_num(count)} forms ({', '.join(loc.plural_categories('ar'))}): a string table "
        "with only a singular and a plural leaves most counts wrong."
    )


def _offsets(day: str) -> tuple[float, float]:
    import datetime as dt
    from zoneinfo import ZoneInfo

    moment = dt.datetime.fromisoformat(day + "T12:00")
    taipei = moment.replace(tzinfo=ZoneInfo("Asia/Taipei")).utcoffset()
    new_york = moment.replace(tzinfo=ZoneInfo("America/New_York")).utcoffset()
    assert taipei is not None and new_york is not None
    return taipei.total_seconds() / 3600, new_york.total_seconds() / 3600


def _hours_ahead() -> float:
    taipei, new_york = _offsets(LAUNCH_DAY_NEW_YORK)
    return taipei - new_york


def _explain_hours_ahead(hours: float) -> str:
    taipei, new_york = _offsets(LAUNCH_DAY_NEW_YORK)
    return (
        f"Taipei is UTC+{_num(taipei)} all year; New York in January is on standard time, UTC{_num(new_york)}: "
        f"{_num(hours)} hours apart. Midnight in New York is already 1 p.m. in Taipei."
    )


# --------------------------------------------------------------------------- the registry

_SHARE_HINT = "give a share between 0 and 1, not a percentage"

_ALL = (
    Exercise(
        "01.understatement",
        "01",
        "By what share of Weibo's reported MAU (September 2018) does the story's headline figure understate it?",
        "understatement",
        "number",
        _understatement,
        _explain_understatement,
        unit="share",
        mistakes=_understatement_mistakes,
        hint="(reported - story) / reported, with the report of September 2018; " + _SHARE_HINT,
    ),
    Exercise(
        "01.stickiness",
        "01",
        "Weibo's stickiness in September 2018: DAU divided by MAU, from `users`.",
        "stickiness",
        "number",
        lambda: _weibo_sept_2018()[0] / _weibo_sept_2018()[1],
        _explain_stickiness,
        unit="share",
        mistakes=_stickiness_mistakes,
        hint="select the weibo rows of 2018-09-30, then divide the DAU value by the MAU value; " + _SHARE_HINT,
    ),
    Exercise(
        "01.s2_parent",
        "01",
        "From which text of the lineage was S2 made (a node of sources.lineage_table('S2'))?",
        "s2_parent",
        "choice",
        lambda: _edge_into("S2").source,
        _explain_s2_parent,
        options=lambda: _node_options(_lineage_keys("S1") + _lineage_keys("S2")),
        wrong=_s2_wrong,
        otherwise="not a text of the lineage tables above; copy a name from the 'from' column",
        hint="in the S2 lineage table, read the 'from' of the row whose 'to' is S2",
    ),
    Exercise(
        "02.active_share",
        "02",
        "Weibo's first MAU figure (December 2013) as a share of its registered accounts (December 2012).",
        "active_share",
        "number",
        _active_share,
        _explain_active_share,
        unit="share",
        mistakes=_active_share_mistakes,
        hint="MAU over registered, each from its own row of `users`; " + _SHARE_HINT,
    ),
    Exercise(
        "02.per_monthly_user",
        "02",
        "Messages per day per monthly active user, with Weibo's first MAU figure (December 2013).",
        "per_monthly_user",
        "number",
        _per_monthly_user,
        _explain_per_monthly_user,
        mistakes=_per_monthly_user_mistakes,
        hint="the same `messages` as above, over data.figure('weibo', 'MAU', '2013-12-31')",
    ),
    Exercise(
        "02.per_daily_user",
        "02",
        "Prediction: at its starting values, how many messages a day per daily active user does the explorer show?",
        "prediction",
        "prediction",
        _per_daily_user,
        _explain_per_daily_user,
        rel=0.15,
        hint="daily active users are a share of monthly ones, which are a share of registered accounts",
    ),
    Exercise(
        "02.metric_503",
        "02",
        "The figure the post calls users (December 2012): which metric is it really, 'registered', 'MAU' or 'DAU'?",
        "metric",
        "choice",
        _metric_503,
        _explain_metric_503,
        options=_metric_options,
        wrong=_metric_503_wrong,
        otherwise="not a metric of the course; answer 'registered', 'MAU' or 'DAU'",
        hint="which metric did Weibo report in December 2012?",
    ),
    Exercise(
        "03.facebook_multiple",
        "03",
        "Facebook's MAU was how many times Twitter's, at the end of March 2015?",
        "multiple",
        "number",
        _facebook_multiple,
        _explain_facebook,
        mistakes=_facebook_mistakes,
        hint="Facebook's MAU over Twitter's, both for the quarter ending 2015-03-31",
    ),
    Exercise(
        "03.airline_entered",
        "03",
        "Where in S5's lineage could 'Chinese Airlines' have entered (a node of sources.lineage_table('S5'))?",
        "where",
        "choice",
        _airline_entered,
        _explain_airline,
        options=lambda: _node_options(_lineage_keys("S5")),
        wrong=_airline_wrong,
        otherwise="not a text of S5's lineage; copy a name from the lineage table at the top of the lecture",
        hint="find the first hop whose 'what changed' mentions the invented name",
    ),
    Exercise(
        "03.arpu_year",
        "03",
        "Twitter's revenue per monthly active user for a year at the rate of the first quarter of 2015, in USD.",
        "arpu_year",
        "number",
        _arpu_year,
        _explain_arpu,
        unit="usd",
        mistakes=_arpu_mistakes,
        hint="a quarter's total revenue over the quarter's MAU, times the quarters in a year; in US dollars",
    ),
    Exercise(
        "03.blended",
        "03",
        f"Prediction: with {GAP_SHARE_ABROAD:.0%} of views abroad, what does a blended 1,000 views earn, in USD?",
        "prediction",
        "prediction",
        _blended,
        _explain_blended,
        unit="usd",
        rel=0.1,
        mistakes=_blended_mistakes,
        hint="a weighted average of the two rates, weighted by where the views are",
    ),
    Exercise(
        "04.share_of_base",
        "04",
        "The sign-ups of the first two days as a share of Xiaohongshu's monthly active users.",
        "share_of_base",
        "number",
        _share_of_base,
        _explain_share_of_base,
        unit="share",
        mistakes=_share_of_base_mistakes,
        hint="the new_users row over the MAU row of xiaohongshu in `users`; " + _SHARE_HINT,
    ),
    Exercise(
        "04.fall_after_peak",
        "04",
        "By what share did RedNote's US daily users fall from the peak to the next day?",
        "fall",
        "number",
        _fall_after_peak,
        _explain_fall,
        unit="share",
        mistakes=_fall_mistakes,
        hint="1 - next day / peak, from the `daily` table; a positive share between 0 and 1",
    ),
    Exercise(
        "04.reviewers_at_peak",
        "04",
        "Prediction: at its starting values, how many English reviewers does the inflow explorer say to hire?",
        "prediction",
        "prediction",
        _reviewers_at_peak,
        _explain_reviewers,
        rel=0.2,
        hint="posts a day, the share humans review, reviews per shift, then weekends and shrinkage",
    ),
    _mqm_exercise(
        1, "S4", "Nachfrage für", "the words are German and the meaning survives; what breaks is how German builds it"
    ),
    _mqm_exercise(
        2,
        "S2",
        "sweeping away any possible reservations",
        "nothing false is said; ask whether an English writer would put it this way",
    ),
    _mqm_exercise(
        3, "S4", "DruckenMerkenSendenFeedback", "these words were never part of the article; where on a page are they?"
    ),
    Exercise(
        "05.danish_mau",
        "05",
        "Weibo's MAU of September 2018 written for a Danish reader (text, from localization.format_number).",
        "danish",
        "text",
        _danish_mau,
        _explain_danish_mau,
        mistakes=_danish_mau_mistakes,
        hint="format the figure from the data with the locale 'da_DK' and no decimals",
    ),
    Exercise(
        "06.greater_china_share",
        "06",
        "The share of Chinese speakers outside mainland China who live in Hong Kong, Macau and Taiwan.",
        "greater_china_share",
        "number",
        _greater_china_share,
        _explain_greater_china,
        unit="share",
        mistakes=_greater_china_mistakes,
        hint="greater_china speakers over all speakers, from the `speakers` table; " + _SHARE_HINT,
    ),
    Exercise(
        "06.cagr",
        "06",
        "Weibo's MAU compound annual growth rate from December 2013 (its first MAU) to December 2018.",
        "growth",
        "number",
        _cagr,
        _explain_cagr,
        unit="share",
        mistakes=_cagr_mistakes,
        hint="sizing.cagr(start, end, sizing.years_between(...)); a rate between 0 and 1",
    ),
    Exercise(
        "06.tam_left",
        "06",
        "Prediction: what share of the TAM is left when you untick Hong Kong, Macau and Taiwan in the explorer?",
        "prediction",
        "prediction",
        _tam_left,
        _explain_tam_left,
        unit="share",
        rel=0.1,
        hint="the speakers table above said where most Chinese speakers outside the mainland live",
    ),
    Exercise(
        "07.germany_share",
        "07",
        "The share of Danish's newly reached readers who are in Germany.",
        "germany_share",
        "number",
        _germany_share,
        _explain_germany,
        unit="share",
        mistakes=_germany_mistakes,
        hint="Germany's newly_reached over the column's total, from danish.by_territory(['da']); " + _SHARE_HINT,
    ),
    Exercise(
        "07.greedy_loss",
        "07",
        "In the smallest example, what share of the optimum's reach does the greedy rule lose?",
        "greedy_loss",
        "number",
        _greedy_loss,
        _explain_greedy,
        unit="share",
        mistakes=_greedy_mistakes,
        hint="(optimal reach - greedy reach) / optimal reach, from small.compare(budget); " + _SHARE_HINT,
    ),
    Exercise(
        "07.first_day_reviewers",
        "07",
        "Prediction: how many English reviewers does the model need for RedNote's first day, 13 January 2025?",
        "prediction",
        "prediction",
        _first_day_reviewers,
        _explain_first_day,
        rel=0.2,
        hint="posts a day × share to humans ÷ reviews per shift, then weekends and shrinkage",
    ),
    Exercise(
        "08.same_words",
        "08",
        "How many of the product words in the table does OpenCC write the same for Taiwan and for Hong Kong?",
        "same_words",
        "number",
        lambda: float(_variant_counts()[0]),
        _explain_same_words,
        mistakes=lambda: {"the words that differ, not those that are the same": float(_variant_counts()[1])},
        hint="count the rows whose same_in_both column is 'yes', e.g. with (column == 'yes').sum().",
    ),
    Exercise(
        "08.arabic_forms",
        "08",
        "How many plural forms must an Arabic string table hold for a message with a count?",
        "arabic_forms",
        "number",
        _arabic_forms,
        _explain_arabic_forms,
        mistakes=lambda: {
            "English's two forms; Arabic has more": 2.0,
            "the forms without 'other', which every language needs as well": _arabic_forms() - 1,
        },
        hint="loc.plural_categories('ar') lists them; count them with len().",
    ),
    Exercise(
        "08.hours_ahead",
        "08",
        "On 19 January 2025, how many hours ahead of New York was Taipei?",
        "hours_ahead",
        "number",
        _hours_ahead,
        _explain_hours_ahead,
        mistakes=lambda: {
            "New York on summer time (UTC−4); in January it is on standard time": _hours_ahead() - 1,
            "New York's offset minus Taipei's: how far New York is behind, the sign the other way": -_hours_ahead(),
        },
        hint="each city's UTC offset on that day (loc.launch_times shows both), Taipei's minus New York's.",
    ),
)

#: Every exercise of the course by id, in lecture order.
EXERCISES: dict[str, Exercise] = {exercise.id: exercise for exercise in _ALL}
_PREDICTIONS = {e.id for e in _ALL if e.kind == "prediction"}


def for_lecture(lecture: str) -> list[Exercise]:
    """The exercises of one lecture ("01" to "08"), in order."""
    return [e for e in EXERCISES.values() if e.lecture == lecture]


def answer(exercise_id: str) -> Any:
    """The expected answer, computed from the course data (for tests and instructors).

    For a choice with several accepted values, the first.
    """
    value = EXERCISES[exercise_id].expected()
    return value[0] if isinstance(value, tuple) else value


# --------------------------------------------------------------------------- checking


def _not_attempted(exercise: Exercise) -> Feedback:
    return Feedback(
        exercise.id,
        "not_attempted",
        f"replace `...` with your answer (`{exercise.answer}`) and run the cell. {exercise.asks}",
    )


def _one_number(value) -> tuple[Any, str]:
    """A number out of what a pandas step may give (a one-value Series or array), and a note."""
    module = type(value).__module__.split(".")[0]
    if module not in ("pandas", "numpy") or checks.is_number(value):
        return value, ""
    size = getattr(value, "size", None)
    if size is None:
        return value, ""
    if size == 1:
        item = value.to_numpy().ravel()[0] if hasattr(value, "to_numpy") else value.ravel()[0]
        kind = type(value).__name__
        return item, f" (Your answer is a {kind} of one value; `.iloc[0]` or `float(...)` gives the number itself.)"
    return value, ""


def _type_problem(value, exercise: Exercise) -> str:
    kind = type(value).__name__
    size = getattr(value, "size", None)
    if kind in ("Series", "DataFrame", "ndarray") and size is not None:
        import numpy as np

        flat = np.asarray(value, dtype="object").ravel()
        if size and all(isinstance(v, float) and v != v for v in flat):
            return (
                f"`{exercise.answer}` is a {kind} of missing values. Dividing two pandas Series matches rows by their "
                "index labels, and rows from different lines of the table do not match. Take each number out first: "
                "`.iloc[0]`, or `data.figure(platform, metric, period_end)`."
            )
        return (
            f"`{exercise.answer}` is a {kind} of {size} values; the answer is one number. Select the one row you "
            "need (by platform, metric and period) and take its value with `.iloc[0]`."
        )
    if isinstance(value, bool):
        return f"`{exercise.answer}` is {value}, a yes or no; the answer is a number."
    if isinstance(value, str):
        try:
            float(value.replace(",", "").replace("_", ""))
        except ValueError:
            return f"`{exercise.answer}` is text; the answer is a number, computed with arithmetic."
        return f"`{exercise.answer}` is a number in quotes (text); remove the quotes."
    return f"`{exercise.answer}` is a {kind}; the answer is a number."


def _matches(number: float, target: float, rel: float) -> bool:
    return math.isclose(number, target, rel_tol=rel, abs_tol=1e-12)


def _known_mistake(number: float, exercise: Exercise) -> str | None:
    for label, value in exercise.mistakes().items():
        if isinstance(value, (int, float)) and math.isfinite(value) and _matches(number, float(value), 1e-3):
            return label
    return None


def _generic(number: float, expected: float, exercise: Exercise) -> tuple[str, str]:
    try:
        diagnosis = importlib.import_module("platform_intl.diagnosis")
    except ImportError:  # the generic diagnoses arrive with platform_intl.diagnosis
        diagnosis = None
    if diagnosis is not None:
        found = diagnosis.diagnose(number, expected, rel=exercise.rel)
        if found is not None:
            return found.kind, found.message
    if expected and _matches(number, 1 / expected, 1e-3):
        return "inverse", "the inverse of the expected ratio (divide the other way round)"
    if expected and (_matches(number, expected * 100, 1e-3) or _matches(number, expected / 100, 1e-3)):
        return "percent", "off by a factor of 100 (percent vs share)"
    return "far", "not the expected value"


def _check_number(exercise: Exercise, value) -> Feedback:
    value, note = _one_number(value)
    if not checks.is_number(value):
        return Feedback(exercise.id, "incorrect", _type_problem(value, exercise) + _hint(exercise), "type")
    number = float(value)
    if not math.isfinite(number):
        message = (
            f"`{exercise.answer}` is not a finite number (missing or infinite): look for a division by zero or "
            "an empty selection."
        )
        return Feedback(exercise.id, "incorrect", message + _hint(exercise), "not_finite")
    expected = float(exercise.expected())
    shown = _shown(number, exercise.unit)
    if _matches(number, expected, exercise.rel):
        return Feedback(exercise.id, "correct", f"{shown}. {exercise.explain(expected)}{note}")
    label = _known_mistake(number, exercise)
    if label is not None:
        return Feedback(exercise.id, "incorrect", f"{shown} looks like {label}.{_hint(exercise)}{note}", "known")
    kind, message = _generic(number, expected, exercise)
    return Feedback(exercise.id, "incorrect", f"{shown} is {message}.{_hint(exercise)}{note}", kind)


def _check_prediction(exercise: Exercise, value) -> Feedback:
    value, note = _one_number(value)
    if not checks.is_number(value) or not math.isfinite(float(value)):
        problem = _type_problem(value, exercise) if not checks.is_number(value) else "not a finite number."
        return Feedback(exercise.id, "incorrect", f"{problem} Write your prediction as a number.", "type")
    guess, model = float(value), float(exercise.expected())
    if _matches(guess, model, exercise.rel):
        return Feedback(exercise.id, "correct", f"you said {_shown(guess, exercise.unit)}. {exercise.explain(model)}")
    if model and guess:
        ratio = guess / model
        how = (
            f"{_pct(abs(ratio - 1), 0)} too {'high' if ratio > 1 else 'low'}"
            if 0.5 <= ratio <= 2
            else f"{_num(ratio if ratio > 1 else 1 / ratio)} times too {'high' if ratio > 1 else 'low'}"
        )
    else:
        how = "off"
    label = _known_mistake(guess, exercise)
    why = f" It looks like {label}." if label else ""
    message = f"you said {_shown(guess, exercise.unit)}, {how}.{why} {exercise.explain(model)}{note}"
    return Feedback(exercise.id, "incorrect", message, "prediction")


def _check_choice(exercise: Exercise, value) -> Feedback:
    if not isinstance(value, str):
        kind = type(value).__name__
        return Feedback(
            exercise.id,
            "incorrect",
            f"`{exercise.answer}` is a {kind}; the answer is text, in quotes.{_hint(exercise)}",
            "type",
        )
    options = exercise.options()
    chosen = options.get(checks.normalise_text(value).casefold())
    expected = exercise.expected()
    accepted = expected if isinstance(expected, tuple) else (expected,)
    if chosen is None:
        allowed = ", ".join(f"'{o}'" for o in dict.fromkeys(options.values()))
        message = f"'{value}' is {exercise.otherwise or 'not one of the allowed answers'}. Allowed: {allowed}."
        return Feedback(exercise.id, "incorrect", message, "choice")
    if chosen in accepted:
        return Feedback(exercise.id, "correct", exercise.explain(chosen))
    why = exercise.wrong().get(chosen, f"'{chosen}' is not the answer")
    return Feedback(exercise.id, "incorrect", f"'{value}': {why}.{_hint(exercise)}", "choice")


def _check_text(exercise: Exercise, value) -> Feedback:
    if not isinstance(value, str):
        return Feedback(
            exercise.id,
            "incorrect",
            f"`{exercise.answer}` is a {type(value).__name__}; the answer is text (a formatted number, in quotes)."
            + _hint(exercise),
            "type",
        )
    expected = exercise.expected()
    tidy = checks.normalise_text(value)
    if tidy == checks.normalise_text(expected):
        return Feedback(exercise.id, "correct", exercise.explain(expected))
    for label, mistake in exercise.mistakes().items():
        if isinstance(mistake, str) and tidy == checks.normalise_text(mistake):
            return Feedback(exercise.id, "incorrect", f"'{value}' is {label}.{_hint(exercise)}", "known")
    try:
        diagnosis = importlib.import_module("platform_intl.diagnosis")
        found = diagnosis.diagnose_text(value, expected, case_sensitive=exercise.case_sensitive)
        kind, message = (found.kind, found.message) if found is not None else ("text_other", "a different answer")
    except ImportError:
        kind, message = "text_other", "a different answer"
    return Feedback(exercise.id, "incorrect", f"'{value}' is {message}.{_hint(exercise)}", kind)


def _hint(exercise: Exercise) -> str:
    return f" Hint: {exercise.hint}." if exercise.hint else ""


_CHECKERS = {
    "number": _check_number,
    "prediction": _check_prediction,
    "choice": _check_choice,
    "text": _check_text,
}


def check(exercise_id: str, value: Any = Ellipsis) -> Feedback:
    """Check one answer of an exercise: never raises, never prints; the note says what to do next."""
    exercise = EXERCISES.get(exercise_id) if isinstance(exercise_id, str) else None
    if exercise is None:
        known = ", ".join(EXERCISES)
        return Feedback(str(exercise_id), "invalid", f"there is no exercise {exercise_id!r}; the course has: {known}.")
    if value is Ellipsis or value is None:
        return _not_attempted(exercise)
    try:
        return _CHECKERS[exercise.kind](exercise, value)
    except Exception as error:  # an answer no rule foresaw must still get a note, not a traceback
        return Feedback(
            exercise.id,
            "invalid",
            f"this answer could not be checked ({type(error).__name__}); `{exercise.answer}` should be "
            f"{'text' if exercise.kind in ('choice', 'text') else 'one number'}.",
            "type",
        )
