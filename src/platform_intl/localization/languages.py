"""Language tags (BCP 47) and the checks on prices and budgets that every costing model shares."""

from __future__ import annotations

import math
import numbers as _numbers

import langcodes

from ..validation import require_columns

# ---------------------------------------------------------------------------------------
# Input validation: language tags, prices, budgets
# ---------------------------------------------------------------------------------------

_TAG_HINT = (
    "use a BCP 47 language tag: an ISO 639 language code such as 'da', 'de', 'ja' "
    "or 'yue', optionally with a script ('zh-Hant') or a region ('pt-BR'), "
    "separated by hyphens"
)

#: Above this many USD per word a price is almost certainly in the wrong unit (cents).
MAX_PRICE_PER_WORD = 2.0
#: A wide range of translation quotes per word: an agency blog quotes USD 0.05 to 0.50
#: (reference material, not in the datasets); the vendor list in the datasets runs 0.07 to
#: 0.20. Used only to word the error message for a price in the wrong unit.
TYPICAL_PRICE_RANGE = (0.05, 0.50)


class LanguageTagError(ValueError):
    """A language code that is not a valid BCP 47 tag."""


class BudgetError(ValueError):
    """A budget that is negative or not a number."""


class PriceUnitError(ValueError):
    """A price per word outside the plausible range, usually cents given for dollars."""


def validate_language_tag(tag) -> str:
    """Return the standard spelling of a BCP 47 tag, or raise :class:`LanguageTagError`.

    >>> validate_language_tag("ZH-hant")
    'zh-Hant'

    CLDR locale identifiers with an underscore (``da_DK``) are locales, not language
    tags; the error suggests the hyphenated form.
    """
    if not isinstance(tag, str) or not tag.strip():
        raise LanguageTagError(f"a language tag must be a non-empty string; got {tag!r}: {_TAG_HINT}")
    text = tag.strip()
    if "_" in text:
        raise LanguageTagError(
            f"{tag!r} is not a BCP 47 language tag (BCP 47 separates subtags with "
            f"hyphens): did you mean {text.replace('_', '-')!r}? {_TAG_HINT}"
        )
    if not langcodes.tag_is_valid(text):
        raise LanguageTagError(f"{tag!r} is not a valid BCP 47 language tag: {_TAG_HINT}")
    return langcodes.standardize_tag(text)


def _finite_number(value, name: str, error=ValueError) -> float:
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise error(f"{name} must be a number; got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise error(f"{name} must be a finite number; got {number}")
    return number


def check_budget(budget) -> float:
    """A budget in USD: a finite number, 0 or more. Raise :class:`BudgetError` otherwise."""
    amount = _finite_number(budget, "the budget (USD)", BudgetError)
    if amount < 0:
        raise BudgetError(f"the budget must be 0 USD or more; got {amount:,.2f}")
    return amount


def check_price_per_word(price, language: str | None = None) -> float:
    """A price in USD per word between 0 and :data:`MAX_PRICE_PER_WORD`.

    Raise :class:`PriceUnitError` otherwise; a price above the range is usually given in
    cents, so the message says what it would be in dollars.
    """
    where = f" for {language!r}" if language else ""
    number = _finite_number(price, f"the price per word{where}", PriceUnitError)
    allowed = (
        f"allowed: 0 to {MAX_PRICE_PER_WORD:g} USD per word (quotes usually run "
        f"{TYPICAL_PRICE_RANGE[0]:g} to {TYPICAL_PRICE_RANGE[1]:g})"
    )
    if number < 0:
        raise PriceUnitError(f"the price per word{where} is negative ({number:g}); {allowed}")
    if number > MAX_PRICE_PER_WORD:
        raise PriceUnitError(
            f"the price per word{where} is {number:g} USD, which looks like the wrong "
            f"unit: {number:g} cents would be {number / 100:g} USD; {allowed}"
        )
    return number


def _check_fraction(value, name: str) -> float:
    number = _finite_number(value, name)
    if not 0 <= number <= 1:
        extra = " (a percentage? divide by 100)" if 1 < number <= 100 else ""
        raise ValueError(f"{name} must be a fraction between 0 and 1; got {number:g}{extra}")
    return number


def _check_non_negative(value, name: str) -> float:
    number = _finite_number(value, name)
    if number < 0:
        raise ValueError(f"{name} must be 0 or more; got {number:g}")
    return number


def _require_columns(frame, columns, name: str) -> None:
    require_columns(frame, columns, name)


def language_name(tag: str) -> str:
    """English display name of a language tag: 'zh-Hant' -> 'Chinese (Traditional)'."""
    return langcodes.Language.get(validate_language_tag(tag)).display_name("en")
