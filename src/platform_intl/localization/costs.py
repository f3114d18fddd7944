"""The cost and value of a language: translation, review and moderation against the people reached."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from .assumptions import ASSUMPTIONS
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
#: of the translation. Replace with a quote before any real decision. (ASSUMPTIONS)
REVIEW_QA_SHARE = ASSUMPTIONS["review_qa_share"].value
#: Course assumption: items one moderator reviews in an 8-hour shift (about 36 s each),
#: the one throughput lectures 04 and 07 share.
REVIEWS_PER_MODERATOR_DAY = int(ASSUMPTIONS["reviews_per_moderator_shift"].value)
#: Course assumption: yearly cost of one moderator (salary and overhead), USD.
MODERATOR_COST_PER_YEAR = ASSUMPTIONS["moderator_cost_per_year"].value
#: Post-editing machine translation costs this share of the translation rate: (low, high).
POST_EDIT_SHARE_RANGE = (ASSUMPTIONS["post_edit_share"].low, ASSUMPTIONS["post_edit_share"].high)
#: OpenCC configurations for the Traditional Chinese variants (Taiwan with its vocabulary, Hong Kong).
OPENCC_CONFIGS = {"TW": "s2twp", "HK": "s2hk"}


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
    """CSA Research 2020: share of online shoppers who never buy from sites in another language (0.40).

    What it measures is a share of shoppers, bilinguals included. The course uses it where
    it can change a choice: as the weight of people who already read a served language but
    would rather have their own (:meth:`ReachModel.effective_reach`, ``bilingual_weight``).
    Used as one multiplier on every language's reach it would change no choice at all.
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


def post_editing_cost(words, price_per_word, share_range=POST_EDIT_SHARE_RANGE) -> tuple[float, float]:
    """(low, high) USD to post-edit machine translation of ``words``: a share of the translation rate.

    Correcting raw MT is post-editing, not a second linguist's review: light post-editing
    is priced at 60-65 % of the rate at best, full post-editing up to the full rate
    (:data:`POST_EDIT_SHARE_RANGE`, sourced in ``localization_economics``).
    """
    words = _check_non_negative(words, "words")
    price = check_price_per_word(price_per_word)
    low, high = (_check_non_negative(x, "share_range") for x in share_range)
    if low > high:
        raise ValueError(f"share_range must be (low, high) with low <= high; got {share_range!r}")
    return words * price * low, words * price * high


def conversion_cost(
    words, price_per_word, *, variants=("TW", "HK"), review_share: float = ASSUMPTIONS["conversion_review_share"].value
) -> LocalizationCost:
    """zh-Hant from existing Simplified Chinese: OpenCC conversion (software, no cost per word)
    plus a review by a linguist of each variant (Taiwan, Hong Kong) at ``review_share`` of
    the word rate. Returned as translation 0, review_qa = the reviews."""
    words = _check_non_negative(words, "words")
    price = check_price_per_word(price_per_word)
    share = _check_non_negative(review_share, "review_share")
    unknown = [v for v in variants if v not in OPENCC_CONFIGS]
    if unknown or not variants:
        raise ValueError(f"variants must be one or more of {sorted(OPENCC_CONFIGS)}; got {list(variants)!r}")
    return LocalizationCost(0.0, words * price * share * len(variants), 0.0)


def convert_simplified(text: str, variant: str = "TW") -> str:
    """Simplified Chinese text converted for Taiwan (``"TW"``, with Taiwan vocabulary) or Hong Kong (``"HK"``).

    Uses OpenCC (``s2twp``, ``s2hk``). A conversion is a draft for a reviewer, not a
    translation: vocabulary and register still need a local linguist.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    if variant not in OPENCC_CONFIGS:
        raise ValueError(f"variant must be one of {sorted(OPENCC_CONFIGS)}; got {variant!r}")
    return _opencc_converter(OPENCC_CONFIGS[variant]).convert(text)


@functools.cache
def _opencc_converter(config: str):
    """One converter per configuration: loading OpenCC's dictionaries takes a quarter of a second."""
    import opencc

    return opencc.OpenCC(config)


def route_cost(language: str, words, prices: pd.DataFrame | None = None, *, served=("zh-Hans",)) -> LocalizationCost:
    """The one-off cost of a language by its usual route.

    Traditional Chinese for a platform that already publishes Simplified Chinese is
    converted (OpenCC) and reviewed for Taiwan and Hong Kong (:func:`conversion_cost`);
    every other language is translated and reviewed (:func:`localization_cost`).
    """
    tag = validate_language_tag(language)
    served_tags = {validate_language_tag(t) for t in served}
    simplified = {"zh", "zh-Hans"} & served_tags
    if tag == "zh-Hant" and simplified:
        return conversion_cost(words, price_per_word_for("zh-Hant", prices))
    return localization_cost(words, price_per_word_for(tag, prices))


def localization_return(
    effective_reach,
    *,
    revenue_per_user_year,
    one_off_cost,
    recurring_cost_per_year,
    adoption=ASSUMPTIONS["adoption_of_reached"].value,
) -> dict[str, float]:
    """Value against cost for one language: yearly value, net, ROI over a year and payback.

    yearly value = effective reach x adoption x revenue per user and year;
    ROI = (yearly value - recurring cost - one-off cost) / (one-off cost + recurring cost);
    payback (months) = one-off cost / ((yearly value - recurring cost) / 12), infinite when
    the language never pays back its running cost.
    """
    reach = _check_non_negative(effective_reach, "effective_reach")
    arpu = _check_non_negative(revenue_per_user_year, "revenue_per_user_year (USD)")
    once = _check_non_negative(one_off_cost, "one_off_cost (USD)")
    running = _check_non_negative(recurring_cost_per_year, "recurring_cost_per_year (USD)")
    share = _finite_number(adoption, "adoption")
    if not 0 <= share <= 1:
        raise ValueError(f"adoption must be a fraction between 0 and 1; got {share:g}")
    value = reach * share * arpu
    net = value - running
    spent = once + running
    roi = (value - spent) / spent if spent > 0 else float("inf")
    payback = once / (net / 12) if net > 0 else float("inf")
    return {"yearly_value": value, "net_per_year": net, "roi_first_year": roi, "payback_months": payback}
