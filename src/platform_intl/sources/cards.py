"""The five documents as source cards: who published what, when, in which language, from what."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from platform_intl import localization

DOCUMENTS = ("S1", "S2", "S3", "S4", "S5")
LECTURE_OF = {"S1": "01", "S2": "01", "S3": "02", "S5": "03", "S4": "04"}

#: What each document is good for in the course and what to watch for (course notes).
READING_NOTES = {
    "S1": (
        "Complete text of the AFP story with every figure, but read through a machine "
        "translation: check any surprising word against the English wire.",
        "Named entities translated as common nouns, English number format, broken Danish "
        "word order; an undated copy on a site that republishes wire stories.",
    ),
    "S2": (
        "The same interview seen through AFP's French service: useful to compare what two language desks kept.",
        "French calques, no figures, truncated; overstates New Zealand's decision as a nationwide ban.",
    ),
    "S3": (
        "A student's reading of a 2013 feature plus four comments that argue for and against Weibo abroad.",
        "Registered accounts presented as users; the cited Mashable article was not found; "
        "figures come from Wikipedia of the time.",
    ),
    "S4": (
        "How Chinese state media framed the 2025 inflow: an opportunity calling for "
        "localization, with experts' advice.",
        "State media on both ends (China Daily, then its German edition); the 300 million "
        "MAU figure dates from 2023; web-page leftovers in the text.",
    ),
    "S5": (
        "Twitter's strategy of selling reach abroad to Chinese brands, as reported by Reuters and CNET.",
        "A spun rewrite two steps from the reporting: 'world's largest' is false and "
        "'Chinese Airlines' mixes up two carriers.",
    ),
}


# --------------------------------------------------------------------------- loading


def sources_frame() -> pd.DataFrame:
    """The ``sources`` dataset (one row per document), indexed by id."""
    from platform_intl import data

    return data.load("sources").set_index("id", drop=False)


def _language_name(code) -> str:
    if not isinstance(code, str) or not code.strip():
        return ""
    return localization.parse_locale(code).get_display_name("en") or str(code)


def _text(value) -> str:
    """A cell as text: empty for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


# --------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class SourceCard:
    """What a reader needs before trusting a document: who, when, in what language, from what."""

    document: str
    title: str
    outlet: str
    date: str
    language: str
    translated_from: str
    byline: str
    kind: str
    link: str
    upstream: str
    lineage: str
    read_for: str = ""
    watch_for: str = ""

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("Document", self.document),
            ("Title", self.title),
            ("Outlet", self.outlet),
            ("Date", self.date),
            (
                "Language",
                self.language + (f" (translated from {self.translated_from})" if self.translated_from else ""),
            ),
            ("Byline", self.byline or "none given"),
            ("Kind of source", self.kind),
            ("Link", self.link or "address not recorded"),
            ("Derives from (copy of the original)", self.upstream or "no upstream copy known"),
            ("Lineage", self.lineage),
            ("Read it for", self.read_for),
            ("Watch for", self.watch_for),
        ]

    def _repr_html_(self) -> str:
        def cell(label, value):
            if value.startswith("http"):
                shown = f'<a href="{html.escape(value, quote=True)}">{html.escape(value)}</a>'
            else:
                shown = html.escape(value)
            return (
                f'<tr><th style="text-align:left;vertical-align:top;padding-right:1em">'
                f'{html.escape(label)}</th><td style="text-align:left">{shown}</td></tr>'
            )

        body = "".join(cell(label, value) for label, value in self.rows() if value)
        return (
            f'<table class="source-card" aria-label="Source card {html.escape(self.document)}">'
            f'<caption style="text-align:left"><strong>Source card {html.escape(self.document)}'
            f"</strong></caption>{body}</table>"
        )

    def __repr__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows() if value)


def source_card(document: str, *, locale: str = "en_US", frame: pd.DataFrame | None = None) -> SourceCard:
    """The card of one document (``"S1"``...``"S5"``), its date formatted for ``locale``."""
    frame = sources_frame() if frame is None else frame
    if document not in frame.index:
        raise KeyError(f"unknown document {document!r}; choose one of {sorted(frame.index)}")
    row = frame.loc[document]
    original = _text(row.get("original_language"))
    language = _text(row["language"])
    read_for, watch_for = READING_NOTES.get(document, ("", ""))
    return SourceCard(
        document=document,
        title=_text(row["title"]),
        outlet=_text(row["outlet"]),
        date=localization.format_date(pd.Timestamp(row["date"]).date(), locale, length="long"),
        language=_language_name(language),
        translated_from=_language_name(original) if original and original != language else "",
        byline=_text(row.get("byline")),
        kind=_text(row["kind"]),
        link=_text(row.get("original_url")),
        upstream=_text(row.get("upstream_url")),
        lineage=_text(row["lineage"]),
        read_for=read_for,
        watch_for=watch_for,
    )


def translated_from(document: str, frame: pd.DataFrame | None = None) -> str | None:
    """English name of the language a document was translated from, or None if it was not."""
    card = source_card(document, frame=frame)
    return card.translated_from or None


# --------------------------------------------------------------------------- the S3 debate

_COMMENTS = [
    (
        1,
        "pessimist",
        "Outside China people are already on Facebook, Twitter and Instagram, and a "
        "mostly Asian user base may not attract others.",
        "network effects of incumbents",
        "Share of Weibo's users outside mainland China, and how it changed after 2013.",
    ),
    (
        2,
        "pessimist",
        "Beijing will soon stop foreigners signing up through Facebook, as it blocks "
        "foreign media; meanwhile US firms lose a cheap window on Chinese consumers.",
        "political risk",
        "Whether the Facebook sign-up survived, and on which of Weibo's sites.",
    ),
    (
        3,
        "mixed",
        "Language is the main barrier and censors remove unwanted posts quickly, yet Weibo is "
        "the best view of what young Chinese people think.",
        "language, culture and moderation",
        "Languages of posts and of active users; deletion rates for posts by foreign accounts.",
    ),
    (
        4,
        "optimist",
        "It can work slowly if Weibo differentiates itself from Facebook and Twitter with "
        "something distinctly Asian that US firms cannot copy.",
        "product differentiation",
        "Growth of features or niche products launched for users abroad.",
    ),
]


def debate_table() -> pd.DataFrame:
    """The four comments under S3, paraphrased, with the evidence that would settle each."""
    return pd.DataFrame(
        _COMMENTS,
        columns=["comment", "stance", "argument (paraphrased)", "kind of reason", "evidence that would test it"],
    )
