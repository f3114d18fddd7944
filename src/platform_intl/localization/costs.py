"""The cost and value of a language: translation, review and moderation against the people reached."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .languages import (
    PriceUnitError,
    _check_non_negative,
    _finite_number,
    _require_columns,
    check_price_per_word,
    validate_language_tag,
)
from .reach import _candidate_key

# ---------------------------------------------------------------------------------------
# Cost and value
# ---------------------------------------------------------------------------------------

#: Course assumption, not a sourced figure: review and QA by a second linguist cost 30 %
#: of the translation. Replace with a quote before any real decision.
REVIEW_QA_SHARE = 0.30
#: Course assumption: items one moderator reviews in an 8-hour shift (about 36 s each).
REVIEWS_PER_MODERATOR_DAY = 800
#: Course assumption: yearly cost of one moderator (salary and overhead), USD.
MODERATOR_COST_PER_YEAR = 40_000


@dataclass(frozen=True)
class LocalizationCost:
    """The cost of one language, in USD: translation + review/QA + ongoing moderation."""

    translation: float
    review_qa: float
    moderation: float

    @property
    def total(self) -> float:
        return self.translation + self.review_qa + self.moderation

    def __add__(self, other: LocalizationCost) -> LocalizationCost:
        if not isinstance(other, LocalizationCost):
            return NotImplemented
        return LocalizationCost(
            self.translation + other.translation, self.review_qa + other.review_qa, self.moderation + other.moderation
        )


def localization_cost(
    words,
    price_per_word,
    *,
    review_qa_share: float = REVIEW_QA_SHARE,
    moderation_per_year: float = 0.0,
    years: float = 1.0,
) -> LocalizationCost:
    """Cost of localizing ``words`` source words into one language.

    Translation is words x price per word (USD); review and QA are ``review_qa_share`` of
    it; moderation is ``moderation_per_year`` x ``years``.
    """
    words = _check_non_negative(words, "words")
    price = check_price_per_word(price_per_word)
    review_qa_share = _check_non_negative(review_qa_share, "review_qa_share")
    moderation_per_year = _check_non_negative(moderation_per_year, "moderation_per_year (USD)")
    years = _check_non_negative(years, "years")
    translation = words * price
    return LocalizationCost(translation, translation * review_qa_share, moderation_per_year * years)


def translation_prices(economics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Price per word by target language from ``localization_economics``.

    Columns: language, price_per_word (USD), is_assumption, source_title. Rows marked
    as course assumptions keep that label so that no one mistakes them for quotes.
    """
    if economics is None:
        from platform_intl import data

        economics = data.load("localization_economics")
    _require_columns(
        economics, ("item", "language", "value", "unit", "is_assumption", "source_title"), "localization_economics"
    )
    rows = economics[(economics["item"] == "translation_price_per_word") & economics["language"].notna()]
    wrong_unit = rows[rows["unit"] != "USD_per_word"]
    if len(wrong_unit):
        raise PriceUnitError(f"translation prices must be in USD_per_word; found {sorted(set(wrong_unit['unit']))}")
    table = pd.DataFrame(
        {
            "language": rows["language"].astype(str).map(validate_language_tag),
            "price_per_word": [
                check_price_per_word(float(v), str(lang)) for v, lang in zip(rows["value"], rows["language"])
            ],
            "is_assumption": rows["is_assumption"].astype("boolean").fillna(False).astype(bool),
            "source_title": rows["source_title"].astype(str),
        }
    )
    return table.reset_index(drop=True)


def price_per_word_for(language: str, prices: pd.DataFrame | None = None) -> float:
    """The listed price per word for a language (exact tag, else same language and script)."""
    prices = translation_prices() if prices is None else prices
    tag = validate_language_tag(language)
    exact = prices[prices["language"] == tag]
    if len(exact):
        return float(exact["price_per_word"].iloc[0])
    lang, script, _ = _candidate_key(tag)
    for other, price in zip(prices["language"], prices["price_per_word"]):
        other_lang, other_script, _ = _candidate_key(other)
        if (other_lang, other_script) == (lang, script):
            return float(price)
    raise ValueError(f"no price per word listed for {language!r}; listed: {sorted(prices['language'])}")


def conversion_lift_from_csa(economics: pd.DataFrame | None = None) -> float:
    """CSA Research 2020: share of online shoppers who never buy from sites in another language.

    The course uses it as the conversion lift of localization: the share of newly reached
    speakers whom a product in their language can win and a foreign one cannot. It is
    an upper-bound style teaching assumption, not a measured lift.
    """
    if economics is None:
        from platform_intl import data

        economics = data.load("localization_economics")
    row = economics[economics["item"] == "csa_b2c_2020_never_buy_other_language"]
    if len(row) != 1 or str(row["unit"].iloc[0]) != "percent":
        raise ValueError("localization_economics lacks the CSA 2020 'never buy' percentage")
    return float(row["value"].iloc[0]) / 100.0


def reach_per_dollar(reach, cost) -> float:
    """People reached per USD spent; the cost must be positive."""
    reach = _check_non_negative(reach, "reach")
    cost = _finite_number(cost, "cost (USD)")
    if cost <= 0:
        raise ValueError(f"cost must be more than 0 USD to compute reach per dollar; got {cost:g}")
    return reach / cost
