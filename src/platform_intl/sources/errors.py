"""The translation errors of the documents, classified after the MQM typology."""

from __future__ import annotations

import pandas as pd

from platform_intl import localization

# --------------------------------------------------------------------------- translation errors

#: Categories after the MQM Core typology (Multidimensional Quality Metrics, the MQM
#: Council's current version, which replaced MQM 1.0/DQF-MQM), in display order. MQM Core
#: renamed "Fluency" to "Linguistic conventions" and "Markup"/"Design" to "Design and
#: markup", and added "Audience appropriateness" (no error of ours falls there).
MQM_VERSION = "MQM Core (MQM 2.0 typology, themqm.org)"
ERROR_CATEGORIES = (
    "Accuracy",
    "Terminology",
    "Linguistic conventions",
    "Style",
    "Locale conventions",
    "Audience appropriateness",
    "Design and markup",
)

#: Broad (MQM-style) category of each error type in the course's machine-translation
#: taxonomy (platform_intl.localization.MT_ERROR_CATEGORIES), for counting errors per
#: document; the subtype column keeps the taxonomy's own label.
TAXONOMY_TO_CATEGORY = {
    "proper_noun_translated": "Accuracy",
    "word_sense": "Accuracy",
    "untranslated_text": "Accuracy",
    "grammar_word_order": "Linguistic conventions",
    "agreement": "Linguistic conventions",
    "punctuation": "Linguistic conventions",
    "terminology_consistency": "Terminology",
    "number_format": "Locale conventions",
}

# The Danish (S1) errors come from localization.DANISH_MT_EXAMPLES, the list ps3 grades,
# so the lecture and the problem set classify every fragment the same way.
_DANISH_ERRORS = [
    (
        "S1",
        TAXONOMY_TO_CATEGORY[e.category],
        localization.MT_ERROR_LABELS[e.category],
        e.fragment,
        f"'{e.english}'",
        e.correction,
        e.explanation,
    )
    for e in localization.DANISH_MT_EXAMPLES
]

_OTHER_ERRORS = [
    # document, category, subtype, fragment as printed, intended (English or French source), better rendering, why
    (
        "S2",
        "Style",
        "calque",
        "sweeping away any possible reservations",
        "'balayant toute éventuelle réserve'",
        "brushing aside concerns",
        "French idiom rendered word for word.",
    ),
    (
        "S2",
        "Accuracy",
        "wrong sense",
        "monitoring",
        "'lorgne' (eyes, covets)",
        "eyeing",
        "'Lorgner' means to eye something one wants, not to monitor it.",
    ),
    (
        "S2",
        "Style",
        "calque",
        "sports economy",
        "'économie du sport'",
        "sports business",
        "French phrase carried over; English says sports business.",
    ),
    (
        "S2",
        "Accuracy",
        "addition (overstatement)",
        "across the country",
        "one operator's plan declined",
        "blocked Spark's plan to use Huawei equipment",
        "A regulator's decision on one company becomes a national ban.",
    ),
    (
        "S2",
        "Accuracy",
        "omission",
        "(figures and ending missing)",
        "user numbers, the 1,000-strong team",
        "the complete dispatch",
        "Truncated after the New Zealand paragraph; every figure dropped.",
    ),
    (
        "S4",
        "Linguistic conventions",
        "preposition",
        "Nachfrage für",
        "'demand for'",
        "Nachfrage nach",
        "German demand is 'nach' something.",
    ),
    (
        "S4",
        "Style",
        "calque",
        "ausländische Social-Media-Plattform",
        "'overseas' (seen from China)",
        "internationale Plattform",
        "The Chinese vantage point of 'overseas' was kept for German readers.",
    ),
    (
        "S4",
        "Terminology",
        "unidiomatic term",
        "Internetprotokolladressen (IP)",
        "'IP addresses'",
        "IP-Adressen",
        "German uses the short form.",
    ),
    (
        "S4",
        "Style",
        "repetition",
        "so die Experten (twice)",
        "'experts said' twice",
        "vary or drop the second attribution",
        "Two consecutive sentences end with the same attribution.",
    ),
    (
        "S4",
        "Design and markup",
        "web leftovers",
        "DruckenMerkenSendenFeedback",
        "page buttons",
        "(remove)",
        "Navigation and button labels were scraped with the text.",
    ),
]

_ERRORS = _DANISH_ERRORS + _OTHER_ERRORS


def translation_errors(document: str | None = None) -> pd.DataFrame:
    """The course's catalogue of translation errors in S1, S2 and S4 (MQM categories)."""
    frame = pd.DataFrame(_ERRORS, columns=["document", "category", "subtype", "fragment", "intended", "better", "why"])
    if document is not None:
        if document not in set(frame["document"]):
            raise KeyError(
                f"no translation errors catalogued for {document!r}; choose one of {sorted(set(frame['document']))}"
            )
        frame = frame[frame["document"] == document].reset_index(drop=True)
    return frame


def error_counts() -> pd.DataFrame:
    """Errors per document and MQM category (plain string columns, zero counts included)."""
    errors = translation_errors()
    documents = sorted(errors["document"].unique())
    rows = [
        {
            "document": doc,
            "category": cat,
            "errors": int(((errors["document"] == doc) & (errors["category"] == cat)).sum()),
        }
        for doc in documents
        for cat in ERROR_CATEGORIES
    ]
    return pd.DataFrame(rows)
