"""Tables for people to read: every cell whole, numbers and dates in the reader's locale.

pandas shows a frame as its data: cells cut at 50 characters, ``300000000.0``, ``NaN`` and
``2013-07-24 00:00:00``. A course about formatting numbers for readers cannot show its own
data that way, so every table a lecture shows goes through :func:`show`::

    from platform_intl import tables
    tables.show(users.head(), people=["value"])

:func:`show` takes a DataFrame or a Series (one record, shown as field / value) and gives a
:class:`Table`: the same rows with each cell as text, formatted with Babel for the reader's
locale (``locale=``, or the ``PLATFORM_INTL_LOCALE`` environment variable, or en_US). Long
text wraps instead of being cut. Columns are formatted by their kind, either named
(``people``, ``shares``, ``money``, ``dates``) or inferred from the data:

- whole numbers are grouped (``1,328,604``), other numbers get the decimals their size
  needs (``2.91``, ``0.538``, ``117``);
- dates are written in the locale's own way (``Jul 24, 2013``), without a time of day;
- missing values show as an en dash and infinite ones as ``infinite=`` (default "never",
  for quantities such as a payback period that never arrives);
- ``True``/``False`` read "yes"/"no".
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import numbers
import os
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from babel.numbers import format_compact_currency

from platform_intl.localization import formatting as fmt

#: The environment variable that sets the reader's locale for every table (a CLDR identifier).
LOCALE_VARIABLE = "PLATFORM_INTL_LOCALE"
MISSING = "–"
#: Text wider than this wraps in the plain-text form of a table (HTML wraps by itself).
TEXT_WIDTH = 40
KINDS = ("people", "shares", "money", "dates", "number", "text")


def reader_locale(locale: str | None = None) -> str:
    """``locale`` if given, else ``$PLATFORM_INTL_LOCALE``, else en_US; checked with Babel."""
    chosen = locale or os.environ.get(LOCALE_VARIABLE) or "en_US"
    fmt.parse_locale(chosen)
    return chosen


@dataclass(frozen=True)
class Table:
    """A table ready to read: ``cells`` holds text only; it renders as HTML in a notebook.

    ``numeric`` names the columns aligned right; ``row_header`` the column that labels each
    row (shown as a row header to screen readers), if any.
    """

    cells: pd.DataFrame
    caption: str = ""
    numeric: frozenset[str] = field(default_factory=frozenset)
    row_header: str | None = None
    locale: str = "en_US"

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.cells.columns]

    def column(self, name: str) -> list[str]:
        """The displayed text of one column."""
        return [str(v) for v in self.cells[name]]

    def __len__(self) -> int:
        return len(self.cells)

    def _repr_html_(self) -> str:
        def style(column: str, header: bool) -> str:
            if column in self.numeric:
                return "text-align:right;white-space:nowrap;padding:2px 8px;vertical-align:top"
            weight = "" if header else "font-weight:normal;"
            return f"text-align:left;{weight}white-space:normal;padding:2px 8px;vertical-align:top;max-width:32em"

        head = "".join(
            f'<th scope="col" style="{style(c, True)}">{html.escape(c)}</th>' if c.strip() else "<td></td>"
            for c in self.columns
        )
        rows = []
        for values in self.cells.itertuples(index=False):
            cells = []
            for column, value in zip(self.columns, values):
                text = html.escape(str(value))
                if column == self.row_header:
                    cells.append(f'<th scope="row" style="{style(column, False)}">{text}</th>')
                else:
                    cells.append(f'<td style="{style(column, False)}">{text}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        caption = (
            f'<caption style="text-align:left;caption-side:top;padding:2px 8px">{html.escape(self.caption)}</caption>'
            if self.caption
            else ""
        )
        # A table wider than the notebook scrolls in a region of its own that takes the keyboard
        # focus (axe: scrollable-region-focusable), named by its caption or else its columns.
        named = [c for c in self.columns if c.strip()]
        label = self.caption or "Table: " + ", ".join(named[:4]) + (", …" if len(named) > 4 else "")
        return (
            f'<div class="platform-intl-table-scroll" role="region" tabindex="0" '
            f'aria-label="{html.escape(label, quote=True)}" style="overflow-x:auto;max-width:100%">'
            '<table class="platform-intl-table" style="border-collapse:collapse;table-layout:auto">'
            f"{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    def __str__(self) -> str:
        wrapped = [
            [textwrap.wrap(str(v), TEXT_WIDTH) or [""] for v in row] for row in self.cells.itertuples(index=False)
        ]
        widths = [max([len(c)] + [len(line) for row in wrapped for line in row[i]]) for i, c in enumerate(self.columns)]

        def line(parts: list[str]) -> str:
            out = []
            for i, (text, width) in enumerate(zip(parts, widths)):
                out.append(text.rjust(width) if self.columns[i] in self.numeric else text.ljust(width))
            return "  ".join(out).rstrip()

        lines = [self.caption] if self.caption else []
        lines += [line(self.columns), line(["-" * w for w in widths])]
        for row in wrapped:
            for k in range(max(len(cell) for cell in row)):
                lines.append(line([cell[k] if k < len(cell) else "" for cell in row]))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


# --------------------------------------------------------------------------- formatting


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _decimals_for(values: Iterable[float]) -> int:
    """Decimals a column of numbers needs: fewer as they grow (117; 2.91; 0.538)."""
    sizes = sorted(abs(v) for v in values if v and math.isfinite(v))
    if not sizes:
        return 0
    typical = sizes[len(sizes) // 2]
    if all(float(v).is_integer() for v in sizes):
        return 0
    return 0 if typical >= 100 else 1 if typical >= 10 else 2 if typical >= 0.1 else 3


def _number(value: float, locale: str, decimals: int) -> str:
    return fmt.format_number(value, locale, decimals=decimals)


def _date(value, locale: str) -> str:
    if isinstance(value, pd.Timestamp) and (value.hour or value.minute or value.second):
        return f"{fmt.format_date(value, locale)} {value.strftime('%H:%M')}"
    return fmt.format_date(value, locale)


def _cell(value, kind: str, locale: str, *, decimals: int, currency: str, infinite: str) -> str:
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return _date(value, locale)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number):
            return infinite if number > 0 else f"-{infinite}"
        if kind == "people":
            return fmt.format_compact(number, locale)
        if kind == "shares":
            return fmt.format_percent(number, locale)
        if kind == "money":
            if abs(number) >= 1e6:
                return format_compact_currency(number, currency, locale=fmt.parse_locale(locale), fraction_digits=1)
            return fmt.format_currency(number, currency, locale, decimals=0 if abs(number) >= 100 else 2)
        return _number(number, locale, decimals)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _kind_of(column: pd.Series, named: Mapping[str, str]) -> str:
    if column.name in named:
        return named[column.name]
    if pd.api.types.is_bool_dtype(column):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "dates"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    return "text"


def _keeps_index(frame: pd.DataFrame) -> bool:
    """An index says something unless it only numbers the rows (0, 1, 2 or a filtered subset)."""
    index = frame.index
    if isinstance(index, pd.MultiIndex):
        return True
    return index.name is not None or not pd.api.types.is_integer_dtype(index)


def show(
    data: pd.DataFrame | pd.Series,
    *,
    people: Iterable[str] = (),
    shares: Iterable[str] = (),
    money: Iterable[str] = (),
    dates: Iterable[str] = (),
    text: Iterable[str] = (),
    currency: str = "USD",
    decimals: Mapping[str, int] | None = None,
    rename: Mapping[str, str] | None = None,
    caption: str = "",
    locale: str | None = None,
    infinite: str = "never",
    index: bool | None = None,
) -> Table:
    """``data`` as a :class:`Table` for reading (see the module's description).

    ``people`` columns in compact form (446M, 4.5亿), ``shares`` as percentages, ``money`` in
    ``currency``, ``dates`` as dates, ``text`` left as written; ``decimals`` fixes the
    decimals of a column; ``rename`` gives columns readable headers; ``index`` keeps
    (True) or drops (False) the row labels (default: kept unless they only number rows).
    """
    if isinstance(data, pd.Series):
        name = str(data.name) if data.name is not None else "value"
        frame = pd.DataFrame({"field": [str(k) for k in data.index], name: list(data.array)})
        index = False
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise TypeError(f"show() takes a pandas DataFrame or Series; got {type(data).__name__}")
    chosen_locale = reader_locale(locale)
    named: dict[str, str] = {}
    for kind, columns in (("people", people), ("shares", shares), ("money", money), ("dates", dates)):
        for column in [columns] if isinstance(columns, str) else columns:
            named[column] = kind
    for column in [text] if isinstance(text, str) else text:
        named[column] = "text"
    unknown = sorted(set(named) - {str(c) for c in frame.columns})
    if unknown:
        raise KeyError(
            f"no column {', '.join(map(repr, unknown))} in this table; its columns are {list(frame.columns)}"
        )
    keep_index = _keeps_index(frame) if index is None else index
    if keep_index:
        label = str(frame.index.name) if frame.index.name is not None else ""
        frame = frame.reset_index(names=label or " ")
    row_header = str(frame.columns[0]) if keep_index else None
    decimals = dict(decimals or {})
    cells: dict[str, list[str]] = {}
    numeric: set[str] = set()
    for column_name in frame.columns:
        column = frame[column_name]
        kind = _kind_of(column, named)
        if named.get(column_name) == "text":
            cells[str(column_name)] = [MISSING if _is_missing(v) else str(v) for v in column]
            continue
        numbers_in = [float(v) for v in column if isinstance(v, numbers.Real) and not isinstance(v, bool)]
        places = decimals.get(str(column_name), _decimals_for(numbers_in))
        cells[str(column_name)] = [
            _cell(v, kind, chosen_locale, decimals=places, currency=currency, infinite=infinite) for v in column
        ]
        if kind not in ("dates", "text") and numbers_in:
            numeric.add(str(column_name))
    table = pd.DataFrame(cells, columns=list(cells))
    if rename:
        table = table.rename(columns=dict(rename))
        numeric = {dict(rename).get(c, c) for c in numeric}
        if row_header is not None:
            row_header = dict(rename).get(row_header, row_header)
    return Table(table, caption, frozenset(numeric), row_header, chosen_locale)
