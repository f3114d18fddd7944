"""Machine-translation errors as data: the categories, and the errors of the Danish machine
translation of AFP's Weibo story.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

# ---------------------------------------------------------------------------------------
# Machine-translation error taxonomy, with the Danish examples
# ---------------------------------------------------------------------------------------

#: Error categories: identifier -> what goes wrong.
MT_ERROR_CATEGORIES = {
    "proper_noun_translated": "A name (company, product, person, place) translated as if it were an ordinary word.",
    "word_sense": "A word or phrase rendered with the wrong one of its meanings, or its grammar misread.",
    "grammar_word_order": "Word order or sentence structure of the source language carried over.",
    "agreement": "Gender, number or case that does not agree with the word it refers to.",
    "number_format": "Numbers or dates written with the source locale's conventions (MQM: Locale conventions).",
    "punctuation": "Punctuation placed or shaped against the target language's rules (MQM: Linguistic conventions).",
    "terminology_consistency": "One source term translated in different ways within the same text.",
    "untranslated_text": "Source-language words left standing in the translation.",
}

#: Display names of the categories, as a reader would write them.
MT_ERROR_LABELS = {
    "proper_noun_translated": "proper noun translated",
    "word_sense": "word sense",
    "grammar_word_order": "grammar and word order",
    "agreement": "agreement",
    "number_format": "number format",
    "punctuation": "punctuation",
    "terminology_consistency": "terminology consistency",
    "untranslated_text": "untranslated text",
}


@dataclass(frozen=True)
class MTExample:
    """One error of a machine translation, with what the source meant and a fix."""

    fragment: str
    english: str
    category: str
    explanation: str
    correction: str


#: Errors of the Danish machine translation (a content-farm site) of AFP's English story
#: "Weibo eyes expansion to 'Chinese-speaking world'" (November 2018). ``english`` is the
#: English wording or its meaning; ``correction`` is what a Danish editor would write.
DANISH_MT_EXAMPLES: tuple[MTExample, ...] = (
    MTExample(
        "Gnist",
        "Spark (New Zealand's largest telecom company)",
        "proper_noun_translated",
        "The company name Spark was translated as the common noun for a spark.",
        "Spark",
    ),
    MTExample(
        "datasikkerhedschef",
        "data security chief among the concerns",
        "word_sense",
        "'chief among the concerns' was read as a job title, a head of data security.",
        "med overvågning og datasikkerhed som de største bekymringer",
    ),
    MTExample(
        "sammenhold",
        "tie-up (a business partnership)",
        "word_sense",
        "'sammenhold' means solidarity; a partnership is meant.",
        "samarbejde",
    ),
    MTExample(
        "kontrol",
        "scrutiny",
        "word_sense",
        "'kontrol' (control) for 'scrutiny'; examination by others is meant.",
        "granskning",
    ),
    MTExample(
        "bekræfter indhold",
        "verifying content",
        "word_sense",
        "'bekræfte' means to confirm, not to check whether something is true.",
        "kontrollerer indhold",
    ),
    MTExample(
        "flere nicheprodukter",
        "more niche products",
        "word_sense",
        "Read as a larger number of niche products; the source means products that are more niche.",
        "mere nicheprægede produkter",
    ),
    MTExample(
        "Denne uge, New Zealand blokerede",
        "This week New Zealand blocked",
        "grammar_word_order",
        "Danish main clauses put the verb second: after 'I denne uge' comes the verb, then the subject.",
        "I denne uge blokerede New Zealand",
    ),
    MTExample(
        "han sagde",
        "he said (after a quotation)",
        "grammar_word_order",
        "After a quotation Danish inverts: verb before subject.",
        "sagde han",
    ),
    MTExample(
        "ikke længere tilfreds",
        "no longer content (said of companies)",
        "agreement",
        "The adjective refers to plural 'virksomheder' and needs the plural form.",
        "ikke længere tilfredse",
    ),
    MTExample(
        "gør det til",
        "making it (Weibo, the platform)",
        "agreement",
        "The pronoun refers to a common-gender noun ('platform'), which takes 'den', not 'det'.",
        "hvilket gør den til",
    ),
    MTExample(
        "1, 000",
        "1,000",
        "number_format",
        "English thousands separator plus a stray space; Danish groups thousands with a full stop.",
        "1.000",
    ),
    MTExample(
        'Weibo, "',
        "closing quotation mark",
        "punctuation",
        "A space before the closing mark and English quotation marks kept; Danish often uses »...«.",
        "Weibo«",
    ),
    MTExample(
        "niveau tre, række fire byer",
        "tier-three, tier-four cities",
        "terminology_consistency",
        "One term, 'tier', translated two ways in the same phrase.",
        "tredje- og fjerderangsbyer",
    ),
    MTExample(
        "Falske nyheder … fake news",
        "Fake news (heading) … fake news (body)",
        "terminology_consistency",
        "The heading translates the term, the body keeps the English one.",
        "falske nyheder (both)",
    ),
    MTExample(
        "a flytte",
        "a move (New Zealand's decision)",
        "untranslated_text",
        "The English article 'a' is left in the Danish sentence (and 'move' became the verb 'relocate').",
        "et træk",
    ),
)

#: Names in the AFP story that a Danish translation must keep as they are (a do-not-translate list).
DANISH_TEXT_DO_NOT_TRANSLATE = (
    "AFP",
    "ByteDance",
    "Dongguan",
    "Facebook",
    "Huawei",
    "NBA",
    "SINA",
    "Spark",
    "Sports Connects",
    "Tencent",
    "TikTok",
    "Twitter",
    "WeChat",
    "Weibo",
    "Weibo Sports",
    "Zhang Zhe",
)


def mt_error_category(label: str) -> str:
    """The category identifier for a label such as 'Proper noun translated' or 'word_sense'."""
    if not isinstance(label, str):
        raise ValueError(f"a category must be text; allowed: {list(MT_ERROR_CATEGORIES)}")
    key = " ".join(unicodedata.normalize("NFC", label).replace("_", " ").replace("-", " ").split()).casefold()
    for identifier, name in MT_ERROR_LABELS.items():
        if key in (name, identifier.replace("_", " "), name.replace(" and ", " ")):
            return identifier
    raise ValueError(f"unknown error category {label!r}; allowed: {list(MT_ERROR_CATEGORIES)}")


def mt_error_examples(category: str | None = None) -> pd.DataFrame:
    """The Danish examples as a table (fragment, english, category, explanation, correction)."""
    frame = pd.DataFrame([vars(e) for e in DANISH_MT_EXAMPLES])
    if category is not None:
        frame = frame[frame["category"] == mt_error_category(category)].reset_index(drop=True)
    return frame
