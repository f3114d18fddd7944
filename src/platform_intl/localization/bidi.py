"""Right-to-left scripts: the direction of a locale and bidi isolation of inserted text.

Arabic and Hebrew are written right to left, but numbers, Latin names and URLs inside them
run left to right. When a program pastes a user name or a number into a message, the
Unicode bidirectional algorithm can reorder the neighbouring characters unless the inserted
text is **isolated**: wrapped in FIRST STRONG ISOLATE (U+2068) ... POP DIRECTIONAL ISOLATE
(U+2069) in plain text, or in ``<bdi>`` in HTML.
"""

from __future__ import annotations

import html
import unicodedata

from .formatting import parse_locale

FSI, LRI, RLI, PDI = "\u2068", "\u2066", "\u2067", "\u2069"
_OPENERS = {"auto": FSI, "ltr": LRI, "rtl": RLI}


def text_direction(locale: str) -> str:
    """``"rtl"`` or ``"ltr"``, from CLDR's character order for the locale (``ar`` and ``he`` are rtl)."""
    return "rtl" if parse_locale(locale).character_order == "right-to-left" else "ltr"


def isolate(text: str, direction: str = "auto") -> str:
    """``text`` wrapped in a Unicode directional isolate (``auto``: the first strong character decides)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    if direction not in _OPENERS:
        raise ValueError(f"direction must be one of {sorted(_OPENERS)}; got {direction!r}")
    return f"{_OPENERS[direction]}{text}{PDI}"


def bdi(text: str) -> str:
    """``text`` escaped and isolated for HTML: ``<bdi>...</bdi>``."""
    return f"<bdi>{html.escape(text)}</bdi>"


def strong_directions(text: str) -> str:
    """One letter per character: ``R`` right-to-left, ``L`` left-to-right, ``.`` neutral or weak.

    >>> strong_directions("abc שלום 12")
    'LLL.RRRR...'
    """
    out = []
    for char in text:
        kind = unicodedata.bidirectional(char)
        out.append("R" if kind in ("R", "AL") else "L" if kind == "L" else ".")
    return "".join(out)


def visible_controls(text: str) -> str:
    """``text`` with the isolate controls written as [FSI], [LRI], [RLI], [PDI] so a reader can see them."""
    names = {FSI: "[FSI]", LRI: "[LRI]", RLI: "[RLI]", PDI: "[PDI]"}
    return "".join(names.get(c, c) for c in text)


def message_html(template: str, value: str, locale: str, *, isolate_value: bool = True) -> str:
    """A message of ``locale`` with ``value`` inserted at ``{}``, as an HTML paragraph with its direction.

    With ``isolate_value`` the value goes in ``<bdi>``; without, it is pasted as is (what goes wrong).
    """
    inserted = bdi(value) if isolate_value else html.escape(value)
    before, _, after = template.partition("{}")
    body = f"{html.escape(before)}{inserted}{html.escape(after)}"
    return f'<p dir="{text_direction(locale)}" lang="{html.escape(locale.replace("_", "-"))}">{body}</p>'
