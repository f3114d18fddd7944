"""The plural-forms explorer of lecture 08: one count, the message each language needs for it.

``PluralExplorer(count=21, locales=("en", "ru", "ar", "zh"))``
    A slider for the count and a choice of languages. For each language the table shows the
    CLDR plural category of the count, the message built from one form per category
    (:data:`platform_intl.localization.POST_COUNT_FORMS`), and what English-only code
    ("singular if n == 1") would have written. Right-to-left languages are shown right to
    left, with the number isolated. ``.widget``; ``.update()``; ``.table`` (a DataFrame of what
    is shown) and ``.wrong`` (the languages whose naive message differs from the right one).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from platform_intl import localization as loc

from .base import Checklist, LiveWidget, slider

#: What English-only code writes for each language: the singular form if n == 1, else the plural.
_NAIVE = {lang: (forms.get("one", forms["other"]), forms["other"]) for lang, forms in loc.POST_COUNT_FORMS.items()}
COLUMNS = ["locale", "language", "category", "categories", "message", "naive", "naive_is_right"]


class PluralExplorer(LiveWidget):
    """A count and the plural form each language needs for it (CLDR rules through Babel)."""

    def __init__(self, count: int = 21, locales: Sequence[str] = ("en", "ru", "pl", "ar", "he", "zh")):
        options = list(loc.POST_COUNT_FORMS)
        unknown = [code for code in locales if code not in options]
        if unknown:
            raise ValueError(f"locales must be among {options} (the languages with example forms); got {unknown}")
        self.count = slider("Number of posts", count, 0, 130, 1, integer=True, width="560px")
        self.locales = Checklist(
            "Languages",
            "tick the languages to compare",
            [(f"{loc.parse_locale(c).get_display_name('en')} ({c})", c) for c in options],
            ticked=locales,
            noun="languages",
        )
        self.output = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Plural forms explorer</b>: the same count of posts as each language must write it, "
                    "and what code written for English would show."
                ),
                self.count,
                self.locales.widget,
                self.output,
            ]
        )
        self.table = pd.DataFrame(columns=COLUMNS)
        self.wrong: list[str] = []
        for control in (self.count, self.locales):
            control.observe(self._on_change, names="value")
        self.update()

    def _update(self) -> None:
        self.recompute()
        self.redraw()

    def recompute(self) -> None:
        n = int(self.count.value)
        rows: list[dict[str, Any]] = []
        for code in self.locales.value:
            forms = loc.POST_COUNT_FORMS[code]
            right = loc.format_count(n, forms, code)
            singular, plural = _NAIVE[code]
            naive = (singular if n == 1 else plural).replace("{n}", loc.format_number(n, code))
            rows.append(
                {
                    "locale": code,
                    "language": loc.parse_locale(code).get_display_name("en"),
                    "category": loc.plural_category(n, code),
                    "categories": ", ".join(loc.plural_categories(code)),
                    "message": right,
                    "naive": naive,
                    "naive_is_right": naive == right,
                }
            )
        self.table = pd.DataFrame(rows, columns=COLUMNS)
        self.wrong = [r["locale"] for r in rows if not r["naive_is_right"]]

    def redraw(self) -> None:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("Language", "CLDR category", "Categories", "Right message", "English-only code", "Same?")
        )

        def cell(text: str, code: str) -> str:
            return f'<td dir="{loc.text_direction(code)}" lang="{code}">{html.escape(text)}</td>'

        body = "".join(
            "<tr>"
            f"<td>{html.escape(r.language)} ({r.locale})</td><td>{r.category}</td><td>{html.escape(r.categories)}</td>"
            f"{cell(r.message, r.locale)}{cell(r.naive, r.locale)}<td>{'yes' if r.naive_is_right else 'no'}</td>"
            "</tr>"
            for r in self.table.itertuples(index=False)
        )
        summary = (
            f"English-only code writes {len(self.wrong)} of {len(self.table)} languages wrong for "
            f"{int(self.count.value)}: {', '.join(self.wrong)}."
            if self.wrong
            else f"For {int(self.count.value)}, English-only code happens to be right in every language shown."
        )
        self.output.value = f"<table><tr>{head}</tr>{body}</table><p>{html.escape(summary)}</p>"


def build_for_benchmark() -> tuple[PluralExplorer, widgets.IntSlider]:
    explorer = PluralExplorer()
    return explorer, explorer.count


EXPLORERS = {"PluralExplorer": build_for_benchmark}
