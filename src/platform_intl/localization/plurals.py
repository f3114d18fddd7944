"""Plural rules from CLDR (through Babel), and why "1 item(s)" fails.

English has two plural categories (``one``, ``other``), Russian and Polish four, Arabic and
Welsh six, Chinese and Japanese one: a message with a count needs one form per category of
the reader's language, chosen by CLDR's rule for the number, not by ``n == 1``.

- :func:`plural_categories`: the categories of a locale, in CLDR's order (``other`` last).
- :func:`plural_category`: the category CLDR assigns to a number in a locale.
- :func:`plural_table`: for some numbers, the category in each of several locales.
- :func:`format_count`: a message from one form per category; a missing form is an error that
  names it.
- :data:`POST_COUNT_FORMS`: "N posts" in several languages, course examples written for
  this lecture (have a native speaker check any string before it ships).
- :func:`naive_plural`: the English-only shortcut, to show what it does to other languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .formatting import parse_locale

#: CLDR's plural categories, in the order CLDR lists them.
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")

#: "N posts" (a count of posts) per language and plural category; ``{n}`` is the number as the
#: locale writes it. Course examples for the lecture, not reviewed translations.
POST_COUNT_FORMS: dict[str, dict[str, str]] = {
    "en": {"one": "{n} post", "other": "{n} posts"},
    "ru": {"one": "{n} пост", "few": "{n} поста", "many": "{n} постов", "other": "{n} поста"},
    "pl": {"one": "{n} post", "few": "{n} posty", "many": "{n} postów", "other": "{n} posta"},
    "ar": {
        "zero": "لا منشورات",
        "one": "منشور واحد",
        "two": "منشوران",
        "few": "{n} منشورات",
        "many": "{n} منشورًا",
        "other": "{n} منشور",
    },
    "he": {"one": "פוסט אחד", "two": "שני פוסטים", "other": "{n} פוסטים"},
    "fr": {"one": "{n} publication", "many": "{n} de publications", "other": "{n} publications"},
    "zh": {"other": "{n} 条帖子"},
    "ja": {"other": "{n} 件の投稿"},
}


class MissingPluralFormError(ValueError):
    """A message lacks the form for a plural category the locale needs."""


def plural_categories(locale: str) -> list[str]:
    """The plural categories of ``locale`` in CLDR's order, ``other`` always last.

    >>> plural_categories("ru")
    ['one', 'few', 'many', 'other']
    >>> plural_categories("zh")
    ['other']
    """
    tags = set(parse_locale(locale).plural_form.tags) | {"other"}
    return [c for c in CATEGORY_ORDER if c in tags]


def plural_category(number: float, locale: str) -> str:
    """The CLDR plural category of ``number`` in ``locale`` (``plural_category(21, "ru") == "one"``)."""
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise TypeError(f"number must be an int or a float; got {type(number).__name__}")
    return str(parse_locale(locale).plural_form(number))


def plural_table(numbers: Iterable[float], locales: Sequence[str]) -> pd.DataFrame:
    """One row per number, one column per locale: the category CLDR gives the number there."""
    numbers = list(numbers)
    return pd.DataFrame(
        {"number": [str(n) for n in numbers], **{loc: [plural_category(n, loc) for n in numbers] for loc in locales}}
    )


def format_count(number: int, forms: Mapping[str, str], locale: str) -> str:
    """The message for ``number`` in ``locale``, from one form per plural category (``{n}`` = the number).

    Raises :class:`MissingPluralFormError` naming the categories ``forms`` lacks, whatever the
    number: a catalogue with a missing form is wrong even for the counts that happen to work.
    """
    from .formatting import format_number

    needed = plural_categories(locale)
    missing = [c for c in needed if c not in forms]
    if missing:
        raise MissingPluralFormError(
            f"the message for {locale!r} needs a form for every plural category {needed}; missing {missing}"
        )
    category = plural_category(number, locale)
    return forms[category].replace("{n}", format_number(number, locale))


def naive_plural(number: int, singular: str, plural: str) -> str:
    """What code written for English does: the singular for 1, the plural otherwise."""
    return f"{number} {singular if number == 1 else plural}"


def plural_forms_table(locales: Sequence[str]) -> pd.DataFrame:
    """For each locale: how many categories it has and which (from CLDR via Babel)."""
    rows = []
    for loc in locales:
        cats = plural_categories(loc)
        rows.append(
            {
                "locale": loc,
                "language": parse_locale(loc).get_display_name("en"),
                "forms": len(cats),
                "categories": ", ".join(cats),
            }
        )
    return pd.DataFrame(rows)
