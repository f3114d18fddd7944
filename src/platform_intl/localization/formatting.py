"""Numbers, money, percentages and dates formatted for the reader's locale, on Babel.

446,000,000 reads "446M" in en_US, "4.5亿" in zh_CN, "446 mio." in da_DK and "446 Mio." in
de_DE; 1000 reads "1,000" in en_US and "1.000" in da_DK and de_DE. Every formatter accepts a
CLDR locale identifier in either spelling, ``da_DK`` or the BCP 47 form ``da-DK``, and raises
:class:`LocaleError` for anything else.

Digits: by default the formatters write Latin digits 0-9, as Babel does. With
``numbering_system="default"`` they write the locale's own numbering system as CLDR gives
it, digits and separators: 1234567.891 reads "١٬٢٣٤٬٥٦٧٫٨٩١" in ar_EG and "۱٬۲۳۴٬۵۶۷٫۸۹۱" in
fa_IR (and "1,234,567.891" in en_US, whose default is Latin). ``"native"`` asks for the
locale's native digits even where its default is Latin (Devanagari for hi_IN).
:func:`format_for_locales` shows each locale's default.
"""

from __future__ import annotations

import datetime as _dt
import numbers as _numbers
import re as _re
from collections.abc import Callable
from functools import lru_cache

import pandas as pd
from babel import Locale, UnknownLocaleError
from babel import dates as _dates
from babel import numbers as _bnumbers

COURSE_LOCALES = ("en_US", "zh_CN", "da_DK", "de_DE")

_LOCALE_HINT = (
    "use a CLDR locale identifier such as 'en_US', 'zh_CN', 'zh_Hant_TW', "
    "'da_DK' or 'de_DE' (the BCP 47 spelling 'da-DK' works too)"
)


class LocaleError(ValueError):
    """An unknown or malformed locale identifier."""


def _digits(zero: str) -> str:
    return "".join(chr(ord(zero) + i) for i in range(10))


#: The digits 0 to 9 of every CLDR numbering system that is some locale's default or native
#: one (Babel gives a numbering system's separators, not its digits).
NUMBERING_DIGITS: dict[str, str] = {
    **{
        system: _digits(zero)
        for system, zero in {
            "latn": "0",
            "adlm": "\U0001e950",
            "arab": "\u0660",
            "arabext": "\u06f0",
            "beng": "\u09e6",
            "cakm": "\U00011136",
            "deva": "\u0966",
            "gujr": "\u0ae6",
            "guru": "\u0a66",
            "hmnp": "\U0001e140",
            "java": "\ua9d0",
            "khmr": "\u17e0",
            "knda": "\u0ce6",
            "laoo": "\u0ed0",
            "mlym": "\u0d66",
            "mong": "\u1810",
            "mtei": "\uabf0",
            "mymr": "\u1040",
            "nkoo": "\u07c0",
            "olck": "\u1c50",
            "orya": "\u0b66",
            "tamldec": "\u0be6",
            "telu": "\u0c66",
            "thai": "\u0e50",
            "tibt": "\u0f20",
            "vaii": "\ua620",
        }.items()
    },
    "hanidec": "〇一二三四五六七八九",
}
#: What ``numbering_system=`` accepts besides a system of :data:`NUMBERING_DIGITS`.
NUMBERING_CHOICES = ("latn", "default", "native")


def numbering_system(locale: str | Locale, system: str = "default") -> str:
    """The CLDR numbering system a formatter writes for ``locale``: "latn" (Latin digits),
    "default" (the locale's own, as CLDR gives it), "native" (its native digits, even where
    the default is Latin) or a system's name.

    >>> [numbering_system(name) for name in ("en_US", "ar_EG", "fa_IR", "hi_IN")]
    ['latn', 'arab', 'arabext', 'latn']
    >>> numbering_system("hi_IN", "native")
    'deva'
    """
    loc = parse_locale(locale)
    if system == "default":
        name = loc.default_numbering_system
    elif system == "native":
        name = loc.other_numbering_systems.get("native", loc.default_numbering_system)
    else:
        name = system
    if name not in NUMBERING_DIGITS:
        raise ValueError(
            f"numbering_system must be one of {', '.join(NUMBERING_CHOICES)} or a CLDR system such as "
            f"'arab' or 'deva'; got {system!r}"
        )
    return name


def _system_for(loc: Locale, system: str) -> str:
    return "latn" if system == "latn" else numbering_system(loc, system)


def localize_digits(text: str, system: str) -> str:
    """``text`` with the Latin digits 0-9 written in ``system`` (a name of :data:`NUMBERING_DIGITS`).

    >>> localize_digits("17/01/2025", "arab")
    '١٧/٠١/٢٠٢٥'
    """
    if system == "latn":
        return text
    return text.translate(_translation(system))


@lru_cache(maxsize=64)
def _translation(system: str) -> dict[int, str]:
    return {ord(str(i)): digit for i, digit in enumerate(NUMBERING_DIGITS[system])}


def _in_system(text: str, loc: Locale, system: str, *, percent: bool = False) -> str:
    """Babel's output in ``system``: its digits, and (for a percentage) its percent sign.

    Babel writes a numbering system's separators but neither its digits nor its percent sign.
    """
    if system == "latn":
        return text
    if percent:
        text = text.replace("%", loc.number_symbols[system].get("percentSign", "%"))
    return localize_digits(text, system)


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


def format_number(value, locale: str = "en_US", *, decimals: int | None = None, numbering_system: str = "latn") -> str:
    """Grouped decimal number for a locale.

    >>> format_number(1234567.5, "en_US"), format_number(1234567.5, "da_DK")
    ('1,234,567.5', '1.234.567,5')
    >>> format_number(1234567.891, "ar_EG", numbering_system="default")
    '١٬٢٣٤٬٥٦٧٫٨٩١'
    """
    _require_number(value)
    loc = parse_locale(locale)
    system = _system_for(loc, numbering_system)
    if decimals is None:
        text = _bnumbers.format_decimal(value, locale=loc, numbering_system=system)
    else:
        pattern_digits = "0" * decimals
        fmt = "#,##0" + (f".{pattern_digits}" if decimals else "")
        text = _bnumbers.format_decimal(
            value, format=fmt, locale=loc, decimal_quantization=True, numbering_system=system
        )
    return _in_system(text, loc, system)


def format_compact(value, locale: str = "en_US", *, fraction_digits: int = 1, numbering_system: str = "latn") -> str:
    r"""Short form of a large number for a locale.

    >>> [format_compact(446_000_000, locale) for locale in ("en_US", "zh_CN", "da_DK", "de_DE")]
    ['446M', '4.5亿', '446\xa0mio.', '446\xa0Mio.']

    (Danish and German put a no-break space, ``\xa0``, between number and unit.)
    """
    _require_number(value)
    if fraction_digits < 0:
        raise ValueError(f"fraction_digits must be 0 or more; got {fraction_digits}")
    loc = parse_locale(locale)
    system = _system_for(loc, numbering_system)
    text = _bnumbers.format_compact_decimal(value, locale=loc, fraction_digits=fraction_digits, numbering_system=system)
    return _in_system(text, loc, system)


def format_percent(fraction, locale: str = "en_US", *, decimals: int = 1, numbering_system: str = "latn") -> str:
    """A fraction as a percentage: 0.123 -> '12.3%' (en_US), '12,3 %' (da_DK)."""
    _require_number(fraction, "fraction")
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more; got {decimals}")
    loc = parse_locale(locale)
    system = _system_for(loc, numbering_system)
    # Round first and keep the locale's own pattern, which places the sign and any space.
    text = _bnumbers.format_percent(
        round(float(fraction), decimals + 2), locale=loc, decimal_quantization=False, numbering_system=system
    )
    return _in_system(text, loc, system, percent=True)


def format_currency(
    amount, currency: str = "USD", locale: str = "en_US", *, decimals: int | None = None, numbering_system: str = "latn"
) -> str:
    """Money with the locale's symbol placement: '$1,234.50' (en_US), '1.234,50 US$' (da_DK).

    ``decimals`` overrides the currency's usual number of decimals (``decimals=0`` gives
    '$1,235' and '1.235 US$'), keeping the locale's pattern.
    """
    _require_number(amount, "amount")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"currency must be an ISO 4217 code such as 'USD', 'CNY', 'DKK' or 'EUR'; got {currency!r}")
    loc = parse_locale(locale)
    code = currency.upper()
    if code not in _bnumbers.list_currencies():
        raise ValueError(f"unknown ISO 4217 currency code {currency!r}; e.g. 'USD', 'CNY', 'DKK', 'EUR'")
    system = _system_for(loc, numbering_system)
    if decimals is None:
        return _in_system(_bnumbers.format_currency(amount, code, locale=loc, numbering_system=system), loc, system)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a whole number, 0 or more; got {decimals!r}")
    fraction = "0" + ("." + "0" * decimals if decimals else "")
    pattern = _re.sub(r"0(?:\.0+)?(?![0.#])", fraction, loc.currency_formats["standard"].pattern)
    text = _bnumbers.format_currency(
        amount, code, format=pattern, locale=loc, currency_digits=False, numbering_system=system
    )
    return _in_system(text, loc, system)


def format_date(value, locale: str = "en_US", *, length: str = "medium", numbering_system: str = "latn") -> str:
    """A date in the locale's own order and words: 'Jan 17, 2025' (en_US), '17.01.2025' (de_DE).

    ``numbering_system`` as for numbers: "default" writes ar_EG's dates in its digits.
    """
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
    loc = parse_locale(locale)
    return localize_digits(_dates.format_date(value, format=length, locale=loc), _system_for(loc, numbering_system))


FORMATS: dict[str, Callable[..., str]] = {
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
    Each locale writes its own digits (``numbering_system="default"``; pass "latn" for
    Latin digits everywhere):

    >>> list(format_for_locales(1234567.891, ["en_US", "ar_EG", "fa_IR"])["formatted"])
    ['1,234,567.891', '١٬٢٣٤٬٥٦٧٫٨٩١', '۱٬۲۳۴٬۵۶۷٫۸۹۱']
    """
    if kind not in FORMATS:
        raise ValueError(f"kind must be one of {sorted(FORMATS)}; got {kind!r}")
    formatter = FORMATS[kind]
    options.setdefault("numbering_system", "default")
    rows = []
    for locale in locales:
        loc = parse_locale(locale)
        if kind == "currency":
            currency_options = {k: v for k, v in options.items() if k != "currency"}
            text = formatter(value, options.get("currency", "USD"), locale, **currency_options)
        else:
            text = formatter(value, locale, **options)
        rows.append({"locale": str(loc), "language": loc.get_display_name("en"), "formatted": text})
    return pd.DataFrame(rows)
