"""Numbers, money, percentages and dates formatted for the reader's locale, on Babel.

446,000,000 reads "446M" in en_US, "4.5亿" in zh_CN, "446 mio." in da_DK and "446 Mio." in
de_DE; 1000 reads "1,000" in en_US and "1.000" in da_DK and de_DE. Every formatter accepts a
CLDR locale identifier in either spelling, ``da_DK`` or the BCP 47 form ``da-DK``, and raises
:class:`LocaleError` for anything else.
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
    """Grouped decimal number for a locale.

    >>> format_number(1234567.5, "en_US"), format_number(1234567.5, "da_DK")
    ('1,234,567.5', '1.234.567,5')
    """
    _require_number(value)
    loc = parse_locale(locale)
    if decimals is None:
        return _bnumbers.format_decimal(value, locale=loc)
    pattern_digits = "0" * decimals
    fmt = "#,##0" + (f".{pattern_digits}" if decimals else "")
    return _bnumbers.format_decimal(value, format=fmt, locale=loc, decimal_quantization=True)


def format_compact(value, locale: str = "en_US", *, fraction_digits: int = 1) -> str:
    r"""Short form of a large number for a locale.

    >>> [format_compact(446_000_000, locale) for locale in ("en_US", "zh_CN", "da_DK", "de_DE")]
    ['446M', '4.5亿', '446\xa0mio.', '446\xa0Mio.']

    (Danish and German put a no-break space, ``\xa0``, between number and unit.)
    """
    _require_number(value)
    if fraction_digits < 0:
        raise ValueError(f"fraction_digits must be 0 or more; got {fraction_digits}")
    return _bnumbers.format_compact_decimal(value, locale=parse_locale(locale), fraction_digits=fraction_digits)


def format_percent(fraction, locale: str = "en_US", *, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.123 -> '12.3%' (en_US), '12,3 %' (da_DK)."""
    _require_number(fraction, "fraction")
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more; got {decimals}")
    # Round first and keep the locale's own pattern, which places the sign and any space.
    return _bnumbers.format_percent(
        round(float(fraction), decimals + 2), locale=parse_locale(locale), decimal_quantization=False
    )


def format_currency(amount, currency: str = "USD", locale: str = "en_US", *, decimals: int | None = None) -> str:
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
