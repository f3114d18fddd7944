"""The documents' user-number claims, and how to check them against the platform_users data."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from platform_intl import localization

# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Claim:
    """A figure a document states, and where the data holds the reported one."""

    key: str
    document: str
    wording: str  # a few words, paraphrased or quoted
    headline: float | None  # the number the document gives (None for superlatives)
    qualifier: str  # "more than", "about", "exactly", "largest", "unverified"
    platform: str
    metric: str
    as_of: str  # date the document speaks for (ISO)
    comparator: str = ""  # for superlatives: the platform to compare with
    lesson: str = ""
    contrast_metric: str = ""  # another metric of the same platform worth putting beside it


CLAIMS = (
    Claim(
        "weibo_mau_2018",
        "S1",
        "more than 400 million monthly active users",
        400e6,
        "more than",
        "weibo",
        "MAU",
        "2018-11-30",
        lesson="True but rounded down: the latest report before the story said 446 million.",
    ),
    Claim(
        "weibo_registered_2012",
        "S3",
        "503 million registered users (December 2012)",
        503e6,
        "exactly",
        "weibo",
        "registered",
        "2012-12-31",
        lesson=(
            "Right figure, easy to misread: registered accounts are not users. Weibo's first "
            "MAU figure, a year later, was about a quarter of it."
        ),
        contrast_metric="MAU",
    ),
    Claim(
        "xiaohongshu_mau_2025",
        "S4",
        "rund 300 Millionen monatlich aktive Nutzer",
        300e6,
        "about",
        "xiaohongshu",
        "MAU",
        "2025-01-17",
        lesson="Matches the last reported figure, but that figure is for the end of 2023.",
    ),
    Claim(
        "twitter_largest_2015",
        "S5",
        "the world's largest social media network",
        None,
        "largest",
        "twitter",
        "MAU",
        "2015-05-28",
        comparator="facebook",
        lesson="False: Facebook had several times Twitter's monthly active users.",
    ),
)

_CLAIMS = {claim.key: claim for claim in CLAIMS}


def get_claim(key: str) -> Claim:
    if key not in _CLAIMS:
        raise KeyError(f"unknown claim {key!r}; choose one of {sorted(_CLAIMS)}")
    return _CLAIMS[key]


def reported(
    users: pd.DataFrame, platform: str, metric: str, as_of, scope: str = "global", *, after: bool = False
) -> pd.Series | None:
    """The row of ``users`` for platform/metric/scope with the last period ending on or before
    ``as_of`` (or, with ``after=True``, the first ending on or after it); None if there is none."""
    ends = pd.to_datetime(users["period_end"])
    when = ends >= pd.Timestamp(as_of) if after else ends <= pd.Timestamp(as_of)
    rows = users[(users["platform"] == platform) & (users["metric"] == metric) & (users["scope"] == scope) & when]
    if rows.empty:
        return None
    rows = rows.sort_values("period_end")
    return rows.iloc[0] if after else rows.iloc[-1]


@dataclass
class ClaimCheck:
    claim: Claim
    headline: float | None
    reported_value: float | None
    reported_period: str
    comparator_value: float | None = None
    comparator_period: str = ""
    verdict: str = ""
    details: list[str] = field(default_factory=list)
    rows: list[pd.Series] = field(default_factory=list, repr=False)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        lesson = f"<p><em>{html.escape(self.claim.lesson)}</em></p>" if self.claim.lesson else ""
        return (
            f"<p><b>{html.escape(self.claim.document)}: “{html.escape(self.claim.wording)}”</b>"
            f" — {html.escape(self.verdict)}.</p><ul>{items}</ul>{lesson}"
        )

    @property
    def gap(self) -> float | None:
        """Reported minus headline (positive: the headline understates)."""
        if self.headline is None or self.reported_value is None:
            return None
        return self.reported_value - self.headline

    @property
    def gap_share(self) -> float | None:
        """The gap as a fraction of the reported figure."""
        gap = self.gap
        return None if gap is None or not self.reported_value else gap / self.reported_value

    @property
    def ratio(self) -> float | None:
        """For superlatives: comparator over the claimed leader."""
        if self.comparator_value is None or not self.reported_value:
            return None
        return self.comparator_value / self.reported_value

    @property
    def staleness_days(self) -> int | None:
        if not self.reported_period:
            return None
        return (pd.Timestamp(self.claim.as_of) - pd.Timestamp(self.reported_period)).days


def _platform_name(platform: str) -> str:
    from platform_intl import data

    return data.PLATFORMS[platform].name if platform in data.PLATFORMS else platform


def check_claim(
    key: str, users: pd.DataFrame | None = None, *, headline: float | None = None, locale: str = "en_US"
) -> ClaimCheck:
    """Compare a document's figure with the data; ``headline`` overrides the document's number."""
    from platform_intl import data

    claim = get_claim(key)
    users = data.load("platform_users") if users is None else users
    row = reported(users, claim.platform, claim.metric, claim.as_of)
    figure = claim.headline if headline is None else float(headline)
    check = ClaimCheck(
        claim,
        figure,
        None if row is None else float(row["value"]),
        "" if row is None else str(pd.Timestamp(row["period_end"]).date()),
    )
    if row is not None:
        check.rows.append(row)

    def fmt(value):
        return localization.format_compact(value, locale, fraction_digits=1)

    if check.reported_value is None:
        check.verdict = "cannot be checked: no reported figure on or before the document's date"
        return check
    when = localization.format_date(check.reported_period, locale, length="medium")
    check.details.append(
        f"Reported {claim.metric} of {_platform_name(claim.platform)}: {fmt(check.reported_value)} "
        f"for the period ending {when}."
    )
    if claim.qualifier == "largest":
        other = reported(users, claim.comparator, claim.metric, claim.as_of)
        if other is not None:
            check.rows.append(other)
            check.comparator_value = float(other["value"])
            check.comparator_period = str(pd.Timestamp(other["period_end"]).date())
            other_when = localization.format_date(check.comparator_period, locale, length="medium")
            check.details.append(
                f"Reported {claim.metric} of {_platform_name(claim.comparator)}: "
                f"{fmt(check.comparator_value)} for the period ending {other_when}."
            )
            leader = check.comparator_value <= check.reported_value
            times = localization.format_number(check.ratio, locale, decimals=1)
            check.verdict = (
                "consistent with the data"
                if leader
                else f"false: {_platform_name(claim.comparator)} was {times} times as large"
            )
        return check
    gap, share = check.gap, check.gap_share
    if gap is None or share is None:
        check.verdict = "no reported figure to compare with"
        return check
    if claim.qualifier == "more than":
        if gap > 0:
            check.verdict = (
                f"true, but understated by {fmt(gap)} "
                f"({localization.format_percent(share, locale)} of the reported figure)"
            )
        else:
            check.verdict = f"false: the reported figure is {fmt(-gap)} below the claim"
    elif abs(share) < 0.0005:
        check.verdict = "matches the reported figure"
    else:
        close = abs(share) <= 0.05
        check.verdict = (
            "close to the reported figure"
            if close
            else f"off by {localization.format_percent(abs(share), locale)} of the reported figure"
        )
    if claim.contrast_metric:
        other = reported(users, claim.platform, claim.contrast_metric, claim.as_of, after=True)
        if other is not None:
            check.rows.append(other)
            ratio = localization.format_percent(float(other["value"]) / check.reported_value, locale)
            other_when = localization.format_date(other["period_end"], locale, length="medium")
            check.details.append(
                f"Next {claim.contrast_metric} figure reported: {fmt(other['value'])} for the "
                f"period ending {other_when}, {ratio} of this figure."
            )
    stale = check.staleness_days
    if stale is not None and stale > 183:
        age = round(stale / 365.25, 1)
        whole = age == int(age)  # "1 year", "2 years", "1.5 years"; never "1.0 years"
        years = localization.format_number(age, locale, decimals=0 if whole else 1)
        unit = "year" if age == 1 else "years"
        check.details.append(f"The reported figure is {years} {unit} older than the document.")
    return check
