"""Localization trade-offs: which languages first, at what cost, who reviews, how it reads.

The module has six parts, each usable on its own:

1. **Locale formatting on Babel** (:func:`format_number`, :func:`format_compact`,
   :func:`format_percent`, :func:`format_currency`, :func:`format_date`,
   :func:`format_for_locales`). Numbers shown to people are formatted for their locale:
   446,000,000 reads "446M" in en_US, "4.5亿" in zh_CN, "446 mio." in da_DK and
   "446 Mio." in de_DE; 1000 reads "1,000" in en_US and "1.000" in da_DK and de_DE. Every
   formatter accepts a CLDR locale identifier in either spelling, ``da_DK`` or the
   BCP 47 form ``da-DK``, and raises :class:`LocaleError` for anything else.
2. **Reach** (:class:`ReachModel`): the online speakers a set of languages would newly
   reach, from CLDR territory-language shares x population x internet use.
3. **Cost, value and the language budget** (:func:`localization_cost`,
   :class:`LanguageBudgetProblem`): translation (words x price per word) plus review and
   QA plus ongoing moderation; value = reach x conversion lift x revenue per user; the
   optimal language set under a budget by exact enumeration, against a greedy
   value-per-cost heuristic, and the budgets at which greedy loses.
4. **Moderation staffing** (:func:`moderation_staffing`, :func:`staffing_plan`).
5. **Machine-translation error taxonomy** (:data:`MT_ERROR_CATEGORIES`,
   :data:`DANISH_MT_EXAMPLES`, :func:`mt_error_examples`): the errors of the Danish
   machine translation of AFP's Weibo story, as data.
6. **Weighted decision matrix** (:func:`weighted_decision_matrix`) for compliance and
   data-localization trade-offs between markets.
7. **Figures** for lecture 07 (:func:`reach_chart`, :func:`ad_yield_chart`); show them
   with :func:`platform_intl.plots.show_figure`.

Course assumptions (not sourced figures, labelled wherever they are used):
:data:`REVIEW_QA_SHARE`, :data:`REVIEWS_PER_MODERATOR_DAY`, :data:`MODERATOR_COST_PER_YEAR`.

Bad input raises an error that says what is allowed: :class:`LocaleError` (unknown
locale), :class:`LanguageTagError` (not a BCP 47 language tag), :class:`BudgetError`
(negative budget), :class:`PriceUnitError` (a price per word outside 0 to 2 USD, usually
cents given where dollars are expected). All are ``ValueError`` subclasses.

Multilingual speakers: how nobody is counted twice
--------------------------------------------------
CLDR gives, per territory, the share of the population that speaks each language, and
the shares of a multilingual territory add up to more than 100 % (Denmark: Danish 93 %,
English 86 %, German 47 %). Adding them would count a Dane who reads both Danish and
English twice. Within a territory the share reached by a set of languages is therefore
taken as ``1 - prod(1 - s_i)``: the chance that a resident reads at least one of them,
if knowing one language says nothing about knowing another (``overlap="independent"``,
the default). Across territories people are distinct, so reach adds up.

Why this rule: the data only bound the true share. It is at least ``max(s_i)`` (every
speaker of a smaller language also speaks the bigger one) and at most
``min(1, sum(s_i))`` (nobody speaks two). The independent rule always lies between the
bounds, so it never exceeds the territory's population, and it gives a second language
some credit, which matches places where languages are spoken by different groups
(Malay and Chinese in Malaysia). The lower bound is available as ``overlap="max"`` for
comparison: under it, a language adds nobody in a territory where a more widely spoken
chosen language already reaches more people. The tests check both bounds.

A language a platform already serves (``already_served``, e.g. English) counts in the
same way, so "newly reached" means reached by served + chosen languages minus reached
by the served ones alone. Online population is population x internet use (%), with
internet use assumed independent of language within a territory. Territories without an
internet-use figure in the course data are left out (their reach counts as zero);
:attr:`ReachModel.coverage` reports the share of world population that is covered.

Language tags follow BCP 47 and CLDR's likely subtags: ``zh`` means Chinese in its
default (Simplified) script, ``zh-Hant`` Traditional; a region restricts a tag to one
territory (``pt-BR`` counts Portuguese speakers in Brazil only).
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers as _numbers
import re as _re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import langcodes
import numpy as np
import pandas as pd
from babel import Locale, UnknownLocaleError
from babel import dates as _dates
from babel import numbers as _bnumbers

#: The locales the course compares throughout: the readers of its sources.
COURSE_LOCALES = ("en_US", "zh_CN", "da_DK", "de_DE")

_LOCALE_HINT = ("use a CLDR locale identifier such as 'en_US', 'zh_CN', 'zh_Hant_TW', "
                "'da_DK' or 'de_DE' (the BCP 47 spelling 'da-DK' works too)")


class LocaleError(ValueError):
    """An unknown or malformed locale identifier."""


@lru_cache(maxsize=256)
def parse_locale(locale: str | Locale) -> Locale:
    """Return a Babel ``Locale``, or raise :class:`LocaleError` saying what is allowed."""
    if isinstance(locale, Locale):
        return locale
    if not isinstance(locale, str) or not locale.strip():
        raise LocaleError(f"locale must be a non-empty string; got {locale!r}: {_LOCALE_HINT}")
    text = locale.strip()
    try:
        return Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise LocaleError(f"unknown locale {locale!r}: {_LOCALE_HINT}") from None


def _require_number(value, name: str = "value") -> None:
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")


def format_number(value, locale: str = "en_US", *, decimals: int | None = None) -> str:
    """Grouped decimal number: 1234567.5 -> '1,234,567.5' (en_US), '1.234.567,5' (da_DK)."""
    _require_number(value)
    loc = parse_locale(locale)
    if decimals is None:
        return _bnumbers.format_decimal(value, locale=loc)
    pattern_digits = "0" * decimals
    fmt = "#,##0" + (f".{pattern_digits}" if decimals else "")
    return _bnumbers.format_decimal(value, format=fmt, locale=loc, decimal_quantization=True)


def format_compact(value, locale: str = "en_US", *, fraction_digits: int = 1) -> str:
    """Short form: 446,000,000 -> '446M' (en_US), '4.5亿' (zh_CN), '446 mio.' (da_DK)."""
    _require_number(value)
    if fraction_digits < 0:
        raise ValueError(f"fraction_digits must be 0 or more; got {fraction_digits}")
    return _bnumbers.format_compact_decimal(value, locale=parse_locale(locale),
                                            fraction_digits=fraction_digits)


def format_percent(fraction, locale: str = "en_US", *, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.123 -> '12.3%' (en_US), '12,3 %' (da_DK)."""
    _require_number(fraction, "fraction")
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more; got {decimals}")
    # Round first and keep the locale's own pattern, which places the sign and any space.
    return _bnumbers.format_percent(round(float(fraction), decimals + 2), locale=parse_locale(locale),
                                    decimal_quantization=False)


def format_currency(amount, currency: str = "USD", locale: str = "en_US", *,
                    decimals: int | None = None) -> str:
    """Money with the locale's symbol placement: '$1,234.50' (en_US), '1.234,50 US$' (da_DK).

    ``decimals`` overrides the currency's usual number of decimals (``decimals=0`` gives
    '$1,235' and '1.235 US$'), keeping the locale's pattern.
    """
    _require_number(amount, "amount")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"currency must be an ISO 4217 code such as 'USD', 'CNY', 'DKK' or 'EUR'; "
                         f"got {currency!r}")
    loc = parse_locale(locale)
    code = currency.upper()
    if code not in _bnumbers.list_currencies():
        raise ValueError(f"unknown ISO 4217 currency code {currency!r}; e.g. 'USD', 'CNY', 'DKK', 'EUR'")
    if decimals is None:
        return _bnumbers.format_currency(amount, code, locale=loc)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a whole number, 0 or more; got {decimals!r}")
    fraction = "0" + ("." + "0" * decimals if decimals else "")
    pattern = _re.sub(r"0(?:\.0+)?(?![0.#])", fraction, loc.currency_formats["standard"].pattern)
    return _bnumbers.format_currency(amount, code, format=pattern, locale=loc, currency_digits=False)


def format_date(value, locale: str = "en_US", *, length: str = "medium") -> str:
    """A date in the locale's own order and words: 'Jan 17, 2025' (en_US), '17.01.2025' (de_DE)."""
    if length not in ("short", "medium", "long", "full"):
        raise ValueError(f"length must be 'short', 'medium', 'long' or 'full'; got {length!r}")
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"dates given as text must be ISO 8601 (YYYY-MM-DD); got {value!r}") from None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        value = value.date()
    if not isinstance(value, _dt.date):
        raise TypeError(f"value must be a date, a datetime or an ISO 8601 string; got {type(value).__name__}")
    return _dates.format_date(value, format=length, locale=parse_locale(locale))


FORMATS = {
    "number": format_number,
    "compact": format_compact,
    "percent": format_percent,
    "currency": format_currency,
    "date": format_date,
}


def format_for_locales(value, locales=COURSE_LOCALES, kind: str = "number", **options):
    """One value formatted for several locales: a DataFrame with columns locale, language, formatted.

    ``kind`` is one of "number", "compact", "percent", "currency" or "date"; ``options``
    go to the formatter (``currency="EUR"`` for currency, ``decimals=`` for numbers).
    """
    if kind not in FORMATS:
        raise ValueError(f"kind must be one of {sorted(FORMATS)}; got {kind!r}")
    formatter = FORMATS[kind]
    rows = []
    for locale in locales:
        loc = parse_locale(locale)
        if kind == "currency":
            text = formatter(value, options.get("currency", "USD"), locale)
        else:
            text = formatter(value, locale, **options)
        rows.append({"locale": str(loc), "language": loc.get_display_name("en"), "formatted": text})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Input validation: language tags, prices, budgets
# ---------------------------------------------------------------------------------------

_TAG_HINT = ("use a BCP 47 language tag: an ISO 639 language code such as 'da', 'de', 'ja' "
             "or 'yue', optionally with a script ('zh-Hant') or a region ('pt-BR'), "
             "separated by hyphens")

#: Above this many USD per word a price is almost certainly in the wrong unit (cents).
MAX_PRICE_PER_WORD = 2.0
#: Translation-vendor quotes in the course data run from 0.05 to 0.50 USD per word.
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
        raise LanguageTagError(f"{tag!r} is not a BCP 47 language tag (BCP 47 separates subtags with "
                               f"hyphens): did you mean {text.replace('_', '-')!r}? {_TAG_HINT}")
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
    allowed = (f"allowed: 0 to {MAX_PRICE_PER_WORD:g} USD per word (vendor quotes run "
               f"{TYPICAL_PRICE_RANGE[0]:g} to {TYPICAL_PRICE_RANGE[1]:g})")
    if number < 0:
        raise PriceUnitError(f"the price per word{where} is negative ({number:g}); {allowed}")
    if number > MAX_PRICE_PER_WORD:
        raise PriceUnitError(f"the price per word{where} is {number:g} USD, which looks like the wrong "
                             f"unit: {number:g} cents would be {number / 100:g} USD; {allowed}")
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
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}; it needs {list(columns)}")


def language_name(tag: str) -> str:
    """English display name of a language tag: 'zh-Hant' -> 'Chinese (Traditional)'."""
    return langcodes.Language.get(validate_language_tag(tag)).display_name("en")


# ---------------------------------------------------------------------------------------
# Reach: online speakers a set of languages would newly reach
# ---------------------------------------------------------------------------------------

#: How shares of several languages combine within one territory (see the module docstring).
OVERLAP_RULES = ("independent", "max")


@lru_cache(maxsize=4096)
def _row_script(language: str, territory: str) -> tuple[str, str | None]:
    """(language subtag, script) of a CLDR row, the script filled in for its territory."""
    parsed = langcodes.Language.get(language)
    if parsed.script:
        return parsed.language, parsed.script
    try:
        likely = langcodes.Language.get(f"{parsed.language}-{territory}").maximize()
    except (LookupError, ValueError):
        likely = parsed.maximize()
    return parsed.language, likely.script


@lru_cache(maxsize=1024)
def _candidate_key(tag: str) -> tuple[str, str | None, str | None]:
    parsed = langcodes.Language.get(tag)
    return parsed.language, parsed.script or parsed.maximize().script, parsed.territory


def _combine(shares: np.ndarray, overlap: str, axis: int = -1) -> np.ndarray:
    """Share of a territory reached by several languages together."""
    if shares.shape[axis] == 0:
        return np.zeros(np.delete(shares.shape, axis if axis >= 0 else shares.ndim + axis))
    if overlap == "independent":
        return 1.0 - np.prod(1.0 - shares, axis=axis)
    return np.max(shares, axis=axis)


def _check_overlap(overlap: str) -> str:
    if overlap not in OVERLAP_RULES:
        raise ValueError(f"overlap must be one of {OVERLAP_RULES}; got {overlap!r}")
    return overlap


class ReachModel:
    """Online speakers that candidate languages would newly reach, territory by territory.

    ``territory_languages`` has columns territory, language (BCP 47), population_share
    (a fraction); ``countries`` has territory, population and internet_pct (a
    percentage; rows without it are left out). Candidates and ``already_served`` are
    BCP 47 tags. ``exclude_territories`` leaves out markets the platform cannot enter
    (e.g. ``("CN",)`` for a platform blocked by the Great Firewall). The reach of every
    subset of candidates is computed once, on first use, so that a widget can look any
    subset up instantly.
    """

    MAX_CANDIDATES = 20

    def __init__(self, territory_languages, countries, candidates: Sequence[str], *,
                 already_served: Sequence[str] = (), overlap: str = "independent",
                 exclude_territories: Iterable[str] = ()):
        _require_columns(territory_languages, ("territory", "language", "population_share"),
                         "territory_languages")
        _require_columns(countries, ("territory", "population", "internet_pct"), "countries")
        self.overlap = _check_overlap(overlap)
        self.candidates = tuple(dict.fromkeys(validate_language_tag(c) for c in candidates))
        if not self.candidates:
            raise ValueError("give at least one candidate language")
        if len(self.candidates) > self.MAX_CANDIDATES:
            raise ValueError(f"at most {self.MAX_CANDIDATES} candidate languages (exact enumeration "
                             f"visits 2^n subsets); got {len(self.candidates)}")
        self.already_served = tuple(dict.fromkeys(validate_language_tag(c) for c in already_served))
        overlap_tags = set(self.candidates) & set(self.already_served)
        if overlap_tags:
            raise ValueError(f"{sorted(overlap_tags)} are already served; remove them from the candidates")

        countries = countries[["territory", "population", "internet_pct"]].copy()
        countries["population"] = pd.to_numeric(countries["population"], errors="coerce")
        countries["internet_pct"] = pd.to_numeric(countries["internet_pct"], errors="coerce")
        total_population = float(countries["population"].sum())
        known = countries.dropna(subset=["population", "internet_pct"])
        bad = known[(known["internet_pct"] < 0) | (known["internet_pct"] > 100)]
        if len(bad):
            raise ValueError(f"internet_pct must be a percentage between 0 and 100; see {list(bad['territory'])[:5]}")
        self.coverage = float(known["population"].sum()) / total_population if total_population else 0.0
        online = dict(zip(known["territory"], known["population"] * known["internet_pct"] / 100.0))
        self.excluded = tuple(sorted({str(t).upper() for t in exclude_territories}))
        unknown = [t for t in self.excluded if t not in set(countries["territory"])]
        if unknown:
            raise ValueError(f"unknown territories to exclude {unknown}: use ISO 3166 alpha-2 codes such as 'CN'")
        for territory in self.excluded:
            online.pop(territory, None)

        tags = self.candidates + self.already_served
        keys = {tag: _candidate_key(tag) for tag in tags}
        wanted = {key[0] for key in keys.values()}
        rows = territory_languages[["territory", "language", "population_share"]]
        rows = rows[rows["language"].astype(str).str.split("-").str[0].isin(wanted)]
        rows = rows.dropna(subset=["population_share"])
        shares = pd.to_numeric(rows["population_share"], errors="coerce")
        if ((shares < 0) | (shares > 1)).any():
            raise ValueError("population_share must be a fraction between 0 and 1 (not a percentage)")

        per_tag: dict[str, dict[str, float]] = {tag: {} for tag in tags}
        for territory, language, share in zip(rows["territory"], rows["language"], shares):
            row_language, row_script = _row_script(str(language), str(territory))
            for tag, (lang, script, region) in keys.items():
                if lang == row_language and script == row_script and region in (None, territory):
                    # Two rows of one tag in a territory (yue and yue-Hans in CN) are the
                    # same readers: take the larger share, do not combine them.
                    previous = per_tag[tag].get(territory, 0.0)
                    per_tag[tag][territory] = max(previous, float(share))
        unmatched = [tag for tag in tags if not per_tag[tag]]
        if unmatched:
            raise ValueError(f"no CLDR territory data for {unmatched}: check the tags (e.g. 'zh-Hant', "
                             "'pt', 'es', 'ja'); a region subtag limits a tag to that territory")

        territories = sorted(t for t in online if any(t in per_tag[c] for c in self.candidates))
        self.territories = tuple(territories)
        self.online_population = np.array([online[t] for t in territories], dtype=float)
        self.shares = np.array([[per_tag[c].get(t, 0.0) for c in self.candidates] for t in territories],
                               dtype=float).reshape(len(territories), len(self.candidates))
        served = np.array([[per_tag[s].get(t, 0.0) for s in self.already_served] for t in territories],
                          dtype=float).reshape(len(territories), len(self.already_served))
        self.served_share = _combine(served, self.overlap)
        self._subset_reach: np.ndarray | None = None

    @classmethod
    def from_course_data(cls, candidates: Sequence[str], *, already_served: Sequence[str] = ("en",),
                         overlap: str = "independent", exclude_territories: Iterable[str] = ()
                         ) -> "ReachModel":
        """The model on the course datasets ``territory_languages`` and ``countries``."""
        from platform_intl import data

        return cls(data.load("territory_languages"), data.load("countries"), candidates,
                   already_served=already_served, overlap=overlap, exclude_territories=exclude_territories)

    def _mask(self, languages: Iterable[str]) -> int:
        mask = 0
        for tag in languages:
            standard = validate_language_tag(tag)
            if standard not in self.candidates:
                raise ValueError(f"{tag!r} is not a candidate; the candidates are {list(self.candidates)}")
            mask |= 1 << self.candidates.index(standard)
        return mask

    def covered_share(self, languages: Iterable[str]) -> np.ndarray:
        """Per territory, the share reading a served or a given language."""
        mask = self._mask(languages)
        chosen = self.shares[:, [i for i in range(len(self.candidates)) if mask >> i & 1]]
        if self.overlap == "independent":
            return 1.0 - (1.0 - self.served_share) * np.prod(1.0 - chosen, axis=1)
        return np.maximum(self.served_share, chosen.max(axis=1)) if chosen.shape[1] else self.served_share.copy()

    def reach(self, languages: Iterable[str]) -> float:
        """Online speakers newly reached by adding ``languages`` to the served ones."""
        return float(self.subset_reach()[self._mask(languages)])

    def subset_reach(self) -> np.ndarray:
        """Newly reached online speakers for every subset; index bit i = candidate i."""
        if self._subset_reach is None:
            n = len(self.candidates)
            if self.overlap == "independent":
                # unreached[mask] = (1 - served) * prod over chosen (1 - s): one column per
                # new top bit, so the 2^n subsets cost n vectorised steps.
                state = np.empty((1 << n, len(self.territories)))
                state[0] = 1.0 - self.served_share
                for b in range(n):
                    state[1 << b: 2 << b] = state[: 1 << b] * (1.0 - self.shares[:, b])
                covered = 1.0 - state
            else:
                covered = np.empty((1 << n, len(self.territories)))
                covered[0] = self.served_share
                for b in range(n):
                    covered[1 << b: 2 << b] = np.maximum(covered[: 1 << b], self.shares[:, b])
            gained = np.clip(covered - self.served_share, 0.0, None)
            self._subset_reach = gained @ self.online_population
        return self._subset_reach

    def standalone_reach(self) -> pd.Series:
        """Each candidate's new reach on its own (served languages only as the baseline)."""
        table = self.subset_reach()
        return pd.Series({c: float(table[1 << i]) for i, c in enumerate(self.candidates)}, name="reach")

    def by_territory(self, languages: Iterable[str]) -> pd.DataFrame:
        """Territory by territory: online population, share served before and after, people gained."""
        languages = list(languages)
        after = self.covered_share(languages)
        frame = pd.DataFrame({
            "territory": list(self.territories),
            "online_population": self.online_population,
            "share_served_before": self.served_share,
            "share_served_after": after,
        })
        frame["newly_reached"] = (frame["share_served_after"] - frame["share_served_before"]).clip(lower=0) \
            * frame["online_population"]
        return frame.sort_values("newly_reached", ascending=False, ignore_index=True)


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

    def __add__(self, other: "LocalizationCost") -> "LocalizationCost":
        if not isinstance(other, LocalizationCost):
            return NotImplemented
        return LocalizationCost(self.translation + other.translation, self.review_qa + other.review_qa,
                                self.moderation + other.moderation)


def localization_cost(words, price_per_word, *, review_qa_share: float = REVIEW_QA_SHARE,
                      moderation_per_year: float = 0.0, years: float = 1.0) -> LocalizationCost:
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
    _require_columns(economics, ("item", "language", "value", "unit", "is_assumption", "source_title"),
                     "localization_economics")
    rows = economics[(economics["item"] == "translation_price_per_word") & economics["language"].notna()]
    wrong_unit = rows[rows["unit"] != "USD_per_word"]
    if len(wrong_unit):
        raise PriceUnitError(f"translation prices must be in USD_per_word; found {sorted(set(wrong_unit['unit']))}")
    table = pd.DataFrame({
        "language": rows["language"].astype(str).map(validate_language_tag),
        "price_per_word": [check_price_per_word(float(v), str(lang))
                           for v, lang in zip(rows["value"], rows["language"])],
        "is_assumption": rows["is_assumption"].astype("boolean").fillna(False).astype(bool),
        "source_title": rows["source_title"].astype(str),
    })
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


# ---------------------------------------------------------------------------------------
# Language prioritisation under a budget: exact enumeration against greedy
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LanguagePlan:
    """A set of languages chosen under a budget, by one method."""

    method: str
    budget: float
    languages: tuple[str, ...]
    reach: float
    cost: float
    value: float

    @property
    def unspent(self) -> float:
        return self.budget - self.cost

    @property
    def reach_per_dollar(self) -> float:
        return self.reach / self.cost if self.cost > 0 else 0.0


class LanguageBudgetProblem:
    """Choose languages under a budget: exact enumeration of all 2^n subsets vs greedy.

    ``subset_reach[mask]`` is the newly reached population of the subset whose bit i
    stands for ``languages[i]`` (from :meth:`ReachModel.subset_reach`, or additive for
    disjoint audiences, see :meth:`from_table`); ``costs`` are per-language totals in USD
    and add up. Value = reach x ``conversion_lift`` x ``revenue_per_user``.

    The optimal plan maximises reach (hence value) among affordable subsets; ties go to
    the cheaper, then the smaller set. Because a bigger budget only adds affordable
    subsets, more budget never reaches fewer people. Greedy repeatedly adds the
    affordable language with the highest marginal value per dollar; it is fast but can
    lose (see :func:`greedy_loses_example`).
    """

    def __init__(self, languages: Sequence[str], subset_reach, costs, *,
                 conversion_lift: float | None = None, revenue_per_user: float = 1.0):
        self.languages = tuple(validate_language_tag(t) for t in languages)
        n = len(self.languages)
        if n == 0 or n > ReachModel.MAX_CANDIDATES:
            raise ValueError(f"give between 1 and {ReachModel.MAX_CANDIDATES} languages; got {n}")
        if len(set(self.languages)) != n:
            raise ValueError("each language may appear once")
        self.subset_reach = np.asarray(subset_reach, dtype=float)
        if self.subset_reach.shape != (1 << n,):
            raise ValueError(f"subset_reach needs one value per subset (2^{n} = {1 << n})")
        if np.any(self.subset_reach < 0) or not np.all(np.isfinite(self.subset_reach)):
            raise ValueError("reach must be finite and 0 or more")
        if isinstance(costs, Mapping):
            missing = [t for t in self.languages if t not in costs]
            if missing:
                raise ValueError(f"costs lack {missing}")
            costs = [costs[t] for t in self.languages]
        self.costs = np.array([_check_non_negative(c, "a language's cost (USD)") for c in costs], dtype=float)
        if self.costs.shape != (n,):
            raise ValueError(f"give one cost per language ({n})")
        self.conversion_lift = _check_fraction(
            conversion_lift_from_csa() if conversion_lift is None else conversion_lift, "conversion_lift")
        self.revenue_per_user = _check_non_negative(revenue_per_user, "revenue_per_user (USD)")
        subset_cost = np.zeros(1 << n)
        size = np.zeros(1 << n, dtype=np.int64)
        for b in range(n):
            subset_cost[1 << b: 2 << b] = subset_cost[: 1 << b] + self.costs[b]
            size[1 << b: 2 << b] = size[: 1 << b] + 1
        self.subset_cost = subset_cost
        self.subset_size = size

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: pd.DataFrame, **options) -> "LanguageBudgetProblem":
        """From a table with columns language, reach, cost, for audiences that do not overlap.

        Disjoint audiences make reach additive: a subset reaches the sum of its rows.
        """
        _require_columns(table, ("language", "reach", "cost"), "table")
        reach = np.array([_check_non_negative(r, "reach") for r in table["reach"]], dtype=float)
        n = len(reach)
        subset = np.zeros(1 << n)
        for b in range(n):
            subset[1 << b: 2 << b] = subset[: 1 << b] + reach[b]
        return cls(list(table["language"]), subset, list(table["cost"]), **options)

    @classmethod
    def from_reach_model(cls, model: ReachModel, costs, **options) -> "LanguageBudgetProblem":
        return cls(model.candidates, model.subset_reach(), costs, **options)

    def with_costs(self, costs) -> "LanguageBudgetProblem":
        """The same audiences with new costs (reach is reused, not recomputed)."""
        return LanguageBudgetProblem(self.languages, self.subset_reach, costs,
                                     conversion_lift=self.conversion_lift,
                                     revenue_per_user=self.revenue_per_user)

    # -- evaluation ---------------------------------------------------------------------
    def mask(self, languages: Iterable[str]) -> int:
        mask = 0
        for tag in languages:
            standard = validate_language_tag(tag)
            if standard not in self.languages:
                raise ValueError(f"{tag!r} is not a candidate; the candidates are {list(self.languages)}")
            mask |= 1 << self.languages.index(standard)
        return mask

    def languages_of(self, mask: int) -> tuple[str, ...]:
        return tuple(t for i, t in enumerate(self.languages) if mask >> i & 1)

    def reach(self, languages: Iterable[str]) -> float:
        return float(self.subset_reach[self.mask(languages)])

    def cost(self, languages: Iterable[str]) -> float:
        return float(self.subset_cost[self.mask(languages)])

    def value(self, languages: Iterable[str]) -> float:
        return self.reach(languages) * self.conversion_lift * self.revenue_per_user

    def _plan(self, method: str, budget: float, mask: int) -> LanguagePlan:
        reach = float(self.subset_reach[mask])
        return LanguagePlan(method, budget, self.languages_of(mask), reach, float(self.subset_cost[mask]),
                            reach * self.conversion_lift * self.revenue_per_user)

    # -- solvers ------------------------------------------------------------------------
    #: Reaches closer than this (relative) are ties: a set of languages is not "better"
    #: by a floating-point rounding error. Both solvers use it.
    TIE_TOLERANCE = 1e-9

    def _negligible(self, gain: float, scale: float) -> bool:
        return gain <= self.TIE_TOLERANCE * max(1.0, abs(scale))

    def optimal(self, budget) -> LanguagePlan:
        """The affordable subset with the largest reach, by exact enumeration."""
        budget = check_budget(budget)
        affordable = self.subset_cost <= budget * (1 + 1e-12) + 1e-9
        reach = np.where(affordable, self.subset_reach, -1.0)
        best = reach.max()
        ties = np.flatnonzero(reach >= best - self.TIE_TOLERANCE * max(1.0, abs(best)))
        # Among equally good subsets: the cheapest, then the smallest, then the first.
        order = np.lexsort((ties, self.subset_size[ties], self.subset_cost[ties]))
        return self._plan("optimal", budget, int(ties[order[0]]))

    def greedy(self, budget) -> LanguagePlan:
        """Add the affordable language with the best marginal reach per dollar, until none helps."""
        budget = check_budget(budget)
        mask, spent = 0, 0.0
        while True:
            best, best_key = None, None
            for i, cost in enumerate(self.costs):
                if mask >> i & 1 or spent + cost > budget * (1 + 1e-12) + 1e-9:
                    continue
                gain = self.subset_reach[mask | 1 << i] - self.subset_reach[mask]
                if self._negligible(gain, self.subset_reach[mask | 1 << i]):
                    continue
                ratio = math.inf if cost == 0 else gain / cost
                key = (ratio, gain, -i)
                if best_key is None or key > best_key:
                    best, best_key = i, key
            if best is None:
                return self._plan("greedy", budget, mask)
            mask |= 1 << best
            spent += self.costs[best]

    def compare(self, budget) -> pd.DataFrame:
        """Optimal and greedy side by side: languages, reach, cost, value, reach per dollar."""
        rows = []
        for plan in (self.optimal(budget), self.greedy(budget)):
            rows.append({"method": plan.method, "languages": ", ".join(plan.languages) or "(none)",
                         "reach": plan.reach, "cost": plan.cost, "value": plan.value,
                         "reach_per_dollar": plan.reach_per_dollar})
        return pd.DataFrame(rows)

    def greedy_shortfalls(self, budgets: Iterable[float]) -> pd.DataFrame:
        """For each budget: optimal and greedy reach, and the reach greedy leaves on the table."""
        rows = []
        for budget in budgets:
            best, quick = self.optimal(budget), self.greedy(budget)
            rows.append({"budget": best.budget, "optimal_reach": best.reach, "greedy_reach": quick.reach,
                         "shortfall": best.reach - quick.reach,
                         "optimal_languages": ", ".join(best.languages) or "(none)",
                         "greedy_languages": ", ".join(quick.languages) or "(none)"})
        return pd.DataFrame(rows)

    def marginal_table(self, languages: Iterable[str]) -> pd.DataFrame:
        """Per candidate: cost, marginal reach with respect to ``languages``, and reach per dollar.

        For a chosen language the marginal reach is what dropping it would lose; for the
        others, what adding it would gain.
        """
        mask = self.mask(languages)
        rows = []
        for i, tag in enumerate(self.languages):
            chosen = bool(mask >> i & 1)
            with_it, without = mask | 1 << i, mask & ~(1 << i)
            gain = float(self.subset_reach[with_it] - self.subset_reach[without])
            cost = float(self.costs[i])
            rows.append({"language": tag, "chosen": chosen, "cost": cost, "marginal_reach": gain,
                         "reach_per_dollar": gain / cost if cost > 0 else math.inf if gain > 0 else 0.0})
        return pd.DataFrame(rows)


def greedy_loses_example() -> tuple[LanguageBudgetProblem, float]:
    """A small case where greedy value-per-cost loses to the optimal set, and its budget.

    Three audiences that do not overlap (one territory each), budget USD 100,000:

    ======== ================ ============
    language newly reached     cost (USD)
    ======== ================ ============
    ja       7,000,000         60,000
    ko       5,000,000         50,000
    vi       5,000,000         50,000
    ======== ================ ============

    Japanese has the best reach per dollar (117 per USD against 100), so greedy takes it
    first; the 40,000 left buy nothing else: 7 million people. The optimum skips the
    "best deal" and takes Korean and Vietnamese for exactly 100,000: 10 million people.
    Greedy's mistake is to ignore the budget it strands.
    """
    table = pd.DataFrame({"language": ["ja", "ko", "vi"],
                          "reach": [7_000_000, 5_000_000, 5_000_000],
                          "cost": [60_000, 50_000, 50_000]})
    return LanguageBudgetProblem.from_table(table, conversion_lift=1.0), 100_000.0


# ---------------------------------------------------------------------------------------
# Content-moderation staffing
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Staffing:
    """Moderators one language needs.

    ``workload_shifts`` = posts per day x share reviewed / reviews per moderator-day;
    ``coverage_shifts`` = shifts needed so that someone is on duty during every covered
    hour; ``headcount`` = the larger of the two, x 7 days / workdays per week, rounded up.
    """

    reviews_per_day: float
    workload_shifts: float
    coverage_shifts: int
    shifts_per_day: float
    headcount: int


def moderation_staffing(posts_per_day, share_reviewed, reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY,
                        *, coverage_hours: float = 24, shift_hours: float = 8,
                        workdays_per_week: float = 5) -> Staffing:
    """Moderators needed for one language, from volume and coverage.

    >>> moderation_staffing(1_000_000, 0.02, 800).headcount   # 25 shifts a day, 7 days a week
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
    reviews = posts * share
    workload = reviews / rate
    coverage_shifts = math.ceil(coverage / shift - 1e-9)
    shifts = max(workload, float(coverage_shifts))
    headcount = math.ceil(shifts * 7 / workdays - 1e-9)
    return Staffing(reviews, workload, coverage_shifts, shifts, headcount)


def staffing_plan(frame: pd.DataFrame, *, moderator_cost_per_year: float = MODERATOR_COST_PER_YEAR,
                  shift_hours: float = 8, workdays_per_week: float = 5) -> pd.DataFrame:
    """Per language: reviews a day, shifts, headcount and yearly cost.

    ``frame`` needs columns language, posts_per_day, share_reviewed,
    reviews_per_moderator_day and coverage_hours.
    """
    columns = ("language", "posts_per_day", "share_reviewed", "reviews_per_moderator_day", "coverage_hours")
    _require_columns(frame, columns, "the staffing table")
    cost = _check_non_negative(moderator_cost_per_year, "moderator_cost_per_year (USD)")
    rows = []
    for record in frame[list(columns)].to_dict("records"):
        result = moderation_staffing(record["posts_per_day"], record["share_reviewed"],
                                     record["reviews_per_moderator_day"], coverage_hours=record["coverage_hours"],
                                     shift_hours=shift_hours, workdays_per_week=workdays_per_week)
        rows.append({**record, "reviews_per_day": result.reviews_per_day,
                     "workload_shifts": result.workload_shifts, "coverage_shifts": result.coverage_shifts,
                     "headcount": result.headcount, "cost_per_year": result.headcount * cost})
    return pd.DataFrame(rows)


def review_capacity(moderators, reviews_per_moderator_day=REVIEWS_PER_MODERATOR_DAY, *,
                    workdays_per_week: float = 5) -> float:
    """Items a team reviews per calendar day (each moderator works ``workdays_per_week`` days)."""
    team = _check_non_negative(moderators, "moderators")
    rate = _check_non_negative(reviews_per_moderator_day, "reviews_per_moderator_day")
    workdays = _finite_number(workdays_per_week, "workdays_per_week")
    if not 0 < workdays <= 7:
        raise ValueError(f"workdays_per_week must be more than 0 and at most 7; got {workdays:g}")
    return team * rate * workdays / 7


# ---------------------------------------------------------------------------------------
# Machine-translation error taxonomy, with the Danish examples
# ---------------------------------------------------------------------------------------

#: Error categories: identifier -> what goes wrong.
MT_ERROR_CATEGORIES = {
    "proper_noun_translated": "A name (company, product, person, place) translated as if it were an ordinary word.",
    "word_sense": "A word or phrase rendered with the wrong one of its meanings, or its grammar misread.",
    "grammar_word_order": "Word order or sentence structure of the source language carried over.",
    "agreement": "Gender, number or case that does not agree with the word it refers to.",
    "number_format": "Numbers, dates or punctuation written with the source locale's conventions.",
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
    MTExample("Gnist", "Spark (New Zealand's largest telecom company)", "proper_noun_translated",
              "The company name Spark was translated as the common noun for a spark.", "Spark"),
    MTExample("datasikkerhedschef", "data security chief among the concerns", "word_sense",
              "'chief among the concerns' was read as a job title, a head of data security.",
              "med overvågning og datasikkerhed som de største bekymringer"),
    MTExample("sammenhold", "tie-up (a business partnership)", "word_sense",
              "'sammenhold' means solidarity; a partnership is meant.", "samarbejde"),
    MTExample("kontrol", "scrutiny", "word_sense",
              "'kontrol' (control) for 'scrutiny'; examination by others is meant.", "granskning"),
    MTExample("bekræfter indhold", "verifying content", "word_sense",
              "'bekræfte' means to confirm, not to check whether something is true.", "kontrollerer indhold"),
    MTExample("flere nicheprodukter", "more niche products", "word_sense",
              "Read as a larger number of niche products; the source means products that are more niche.",
              "mere nicheprægede produkter"),
    MTExample("Denne uge, New Zealand blokerede", "This week New Zealand blocked", "grammar_word_order",
              "Danish main clauses put the verb second: after 'I denne uge' comes the verb, then the subject.",
              "I denne uge blokerede New Zealand"),
    MTExample("han sagde", "he said (after a quotation)", "grammar_word_order",
              "After a quotation Danish inverts: verb before subject.", "sagde han"),
    MTExample("ikke længere tilfreds", "no longer content (said of companies)", "agreement",
              "The adjective refers to plural 'virksomheder' and needs the plural form.",
              "ikke længere tilfredse"),
    MTExample("gør det til", "making it (Weibo, the platform)", "agreement",
              "The pronoun refers to a common-gender noun ('platform'), which takes 'den', not 'det'.",
              "hvilket gør den til"),
    MTExample("1, 000", "1,000", "number_format",
              "English thousands separator plus a stray space; Danish groups thousands with a full stop.",
              "1.000"),
    MTExample("niveau tre, række fire byer", "tier-three, tier-four cities", "terminology_consistency",
              "One term, 'tier', translated two ways in the same phrase.", "tredje- og fjerderangsbyer"),
    MTExample("Falske nyheder … fake news", "Fake news (heading) … fake news (body)", "terminology_consistency",
              "The heading translates the term, the body keeps the English one.", "falske nyheder (both)"),
    MTExample("a flytte", "a move (by Spark)", "untranslated_text",
              "The English article 'a' is left in the Danish sentence (and 'move' became the verb 'relocate').",
              "et træk"),
)

#: Names in the AFP story that a Danish translation must keep as they are (a do-not-translate list).
DANISH_TEXT_DO_NOT_TRANSLATE = (
    "AFP", "ByteDance", "Dongguan", "Facebook", "Huawei", "NBA", "SINA", "Spark", "Sports Connects",
    "Tencent", "TikTok", "Twitter", "WeChat", "Weibo", "Weibo Sports", "Zhang Zhe",
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


# ---------------------------------------------------------------------------------------
# Weighted decision matrix
# ---------------------------------------------------------------------------------------

def weighted_decision_matrix(scores: pd.DataFrame, weights: Mapping[str, float], *,
                             lower_is_better: Iterable[str] = (), scale: tuple[float, float] = (0, 5)
                             ) -> pd.DataFrame:
    """Rank options (rows) by the weighted sum of their criterion scores (columns).

    Scores are on a common ``scale`` (default 0 to 5, higher is better). A criterion in
    ``lower_is_better`` (a cost or a risk, e.g. data-localization burden) is flipped
    within the scale first. Weights must be 0 or more and are normalised to sum to 1, so
    the weighted score stays on the scale. Returns the scores as given plus
    ``weighted_score`` and ``rank`` (1 = best; ties share the better rank), best first.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame (options as rows, criteria as columns); "
                        f"got {type(scores).__name__}")
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError("weights must be a non-empty mapping criterion -> weight")
    criteria = list(weights)
    missing = [c for c in criteria if c not in scores.columns]
    if missing:
        raise ValueError(f"no scores for the weighted criteria {missing}; the columns are {list(scores.columns)}")
    lower = list(lower_is_better)
    unknown = [c for c in lower if c not in weights]
    if unknown:
        raise ValueError(f"lower_is_better names {unknown}, which are not weighted criteria {criteria}")
    values = {c: _check_non_negative(w, f"the weight of {c!r}") for c, w in weights.items()}
    total = sum(values.values())
    if total <= 0:
        raise ValueError("at least one weight must be more than 0")
    low, high = (float(s) for s in scale)
    if not low < high:
        raise ValueError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    table = scores[criteria].apply(pd.to_numeric, errors="coerce").astype(float)
    if table.isna().any().any():
        raise ValueError("every score must be a number; found missing or non-numeric scores")
    if ((table < low) | (table > high)).any().any():
        raise ValueError(f"scores must lie on the scale {low:g} to {high:g}")
    oriented = table.copy()
    for c in lower:
        oriented[c] = low + high - oriented[c]
    table["weighted_score"] = sum(oriented[c] * (values[c] / total) for c in criteria)
    table["rank"] = table["weighted_score"].round(12).rank(ascending=False, method="min").astype(int)
    return table.sort_values(["rank"], kind="stable")


# ---------------------------------------------------------------------------------------
# Figures for the lecture (seaborn; show them with platform_intl.plots.show_figure)
# ---------------------------------------------------------------------------------------

def reach_chart(reach: pd.Series, *, title: str, locale: str = "en_US", highlight: Iterable[str] = ()):
    """Horizontal bars of people newly reached per language (a Series indexed by BCP 47 tag).

    Axis numbers are formatted for ``locale``; ``highlight`` languages get the first
    palette colour, the others grey. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter

    from platform_intl.plots import palette

    if not isinstance(reach, pd.Series) or reach.empty:
        raise ValueError("reach must be a non-empty pandas Series indexed by language tag")
    marked = {validate_language_tag(t) for t in highlight}
    frame = pd.DataFrame({"tag": [str(t) for t in reach.index], "reach": reach.to_numpy(dtype=float)})
    frame["language"] = [f"{language_name(t)} ({t})" for t in frame["tag"]]
    frame = frame.sort_values("reach", ascending=False)
    colours = [palette(1)[0] if t in marked else "#b0b0b0" for t in frame["tag"]] if marked else None
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(frame) + 1.4))
    sns.barplot(data=frame, x="reach", y="language", hue="language" if colours else None,
                palette=colours, legend=False, ax=ax)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_compact(x, locale)))
    ax.set_title(title)
    ax.set_xlabel("Online speakers newly reached (people)")
    ax.set_ylabel("Language added")
    fig.tight_layout()
    return fig


def ad_yield_chart(revenue: pd.DataFrame, *, locale: str = "en_US"):
    """Twitter's advertising revenue per 1,000 timeline views, in the US and abroad."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    _require_columns(revenue, ("company", "metric", "value", "scope", "period"), "revenue")
    rows = revenue[(revenue["company"] == "twitter") & (revenue["metric"] == "ad_revenue_per_1000_timeline_views")]
    if rows.empty:
        raise ValueError("revenue has no rows for Twitter's ad_revenue_per_1000_timeline_views")
    names = {"US": "United States", "ex-US": "Outside the US"}
    frame = pd.DataFrame({"where": [names.get(str(s), str(s)) for s in rows["scope"]],
                          "usd": rows["value"].astype(float).to_numpy()})
    fig, ax = plt.subplots(figsize=(6, 3))
    sns.barplot(data=frame, x="usd", y="where", hue="where", legend=False, ax=ax)
    for y, value in enumerate(frame["usd"]):
        ax.text(value, y, " " + format_currency(value, "USD", locale), va="center")
    ax.set_xlim(0, frame["usd"].max() * 1.25)
    ax.set_title(f"Twitter: ad revenue per 1,000 timeline views, {rows['period'].iloc[0]}")
    ax.set_xlabel("USD per 1,000 timeline views")
    ax.set_ylabel("Users")
    fig.tight_layout()
    return fig
