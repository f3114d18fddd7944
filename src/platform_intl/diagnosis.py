"""What kind of mistake a wrong answer is, told without giving the right answer away.

The hidden tests run in the grader's own process, which knows the expected value; the
student's feedback must not. :func:`diagnose` compares the two and returns the *kind* of
error (a percentage where a share belongs, a ratio upside down, millions where plain
units belong, a sign flipped, a value rounded too early, ...) with a sentence for the
student that names it and says what to look at. The sentence never contains the expected
value: what it reveals is the relation between the two ("a factor of 100 too large"),
which is what a student needs to find the mistake.

>>> diagnose(43.7, 0.437).kind
'percent'
>>> diagnose(3.896, 129.1 / 503).message
'the inverse of the expected ratio (divide the other way round)'
>>> diagnose(446, 446e6).kind
'units'
>>> diagnose(0.437, 0.437) is None
True

:func:`diagnose_text` does the same for text answers. References to ``math`` functions
are taken at import, like :mod:`platform_intl.checks`, so a student who rebinds them in
their notebook changes nothing.
"""

from __future__ import annotations

import math as _math
import numbers as _numbers
import unicodedata as _unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_isclose = _math.isclose
_isfinite = _math.isfinite
_log10 = _math.log10
_normalize = _unicodedata.normalize
_category = _unicodedata.category

#: The kinds :func:`diagnose` and :func:`diagnose_text` return, with what each means.
KINDS = {
    "missing": "no answer (None or ...)",
    "type": "not a number (or not text) where one belongs",
    "not_finite": "infinite or NaN",
    "known": "a mistake the test names itself (its label says which)",
    "sign": "the right size with the sign flipped",
    "percent": "off by a factor of 100: a percentage where a share belongs, or the reverse",
    "units": "off by a factor of 1,000, 1,000,000 or 1,000,000,000: thousands or millions where units belong",
    "inverse": "the reciprocal of the expected ratio: divided the other way round",
    "off_by_one": "exactly 1 more or less: a growth factor where a growth rate belongs, or the reverse",
    "rounded": "the expected value rounded: rounded too early",
    "zero": "zero where the expected value is not",
    "close": "within a twentieth of the expected value, but outside the tolerance",
    "magnitude": "the right order of magnitude, but a different value",
    "far": "a different order of magnitude, with no simple relation to the expected value",
    "text_format": "the right characters with different separators, spaces or punctuation",
    "text_case": "the right text in a different case",
    "text_other": "a different answer",
}


@dataclass(frozen=True)
class Diagnosis:
    """A kind of mistake (one of :data:`KINDS`) and the sentence that tells the student."""

    kind: str
    message: str


def _plain_number(value) -> bool:
    kind = type(value)
    if kind in (int, float):
        return True
    return kind.__module__ == "numpy" and isinstance(value, _numbers.Real) and kind.__name__ != "bool"


def _near(value: float, target: float, rel: float) -> bool:
    return _isclose(value, target, rel_tol=rel, abs_tol=0.0)


def _rounded_from(value: float, expected: float) -> bool:
    """``value`` is ``expected`` rounded to fewer decimals or significant digits (not just close)."""
    if value == 0 or expected == 0:
        return False
    if any(value == round(expected, digits) for digits in range(0, 7)):
        return True
    magnitude = _math.floor(_log10(abs(expected)))
    return any(value == round(expected, significant - 1 - magnitude) for significant in range(1, 5))


def diagnose(
    value,
    expected: float,
    *,
    rel: float = 1e-3,
    abs_tol: float = 0.0,
    known: Mapping[str, float] | None = None,
) -> Diagnosis | None:
    """The kind of mistake ``value`` is, against ``expected``; None when it is right.

    ``rel`` and ``abs_tol`` are the test's tolerance (as ``math.isclose``). ``known`` maps
    a description of a mistake the test anticipates ("simple instead of compound growth")
    to the value that mistake gives; it is matched first. The message never states
    ``expected``.
    """
    if value is None or value is Ellipsis:
        return Diagnosis("missing", "no answer yet; replace the placeholder and run the answer cell")
    if isinstance(value, str):
        try:
            float(value.replace("_", "").replace(",", ""))
        except ValueError:
            return Diagnosis("type", "wrong type, expected a number but got text")
        return Diagnosis("type", "wrong type, expected a number but got a number in quotes (text); remove the quotes")
    if not _plain_number(value):
        return Diagnosis("type", f"wrong type, expected a number but got {type(value).__name__}")
    number, target = float(value), float(expected)
    if not _isfinite(number):
        return Diagnosis("not_finite", "not a finite number; look for a division by zero or a missing value")
    if _isclose(number, target, rel_tol=rel, abs_tol=abs_tol):
        return None
    tol = max(rel, 1e-3)
    for label, alternative in (known or {}).items():
        if _isfinite(float(alternative)) and _near(number, float(alternative), tol):
            return Diagnosis("known", str(label))
    if target != 0 and _near(number, -target, tol):
        return Diagnosis(
            "sign", "sign flipped, the right size with the opposite sign (check the order of a difference)"
        )
    if target != 0:
        if _near(number, target * 100, tol):
            return Diagnosis(
                "percent", "off by a factor of 100 (percent vs share), a percentage where a fraction belongs"
            )
        if _near(number, target / 100, tol):
            return Diagnosis("percent", "off by a factor of 100 (percent vs share), divided by 100 once too often")
        for factor, name in ((1e3, "1,000"), (1e6, "1,000,000"), (1e9, "1,000,000,000")):
            if _near(number, target / factor, tol):
                return Diagnosis(
                    "units",
                    f"off by a factor of {name} (units), too small by that factor; "
                    "give counts and amounts in plain units (12 million is 12e6, not 12)",
                )
            if _near(number, target * factor, tol):
                return Diagnosis(
                    "units",
                    f"off by a factor of {name} (units), too large by that factor; "
                    "check that every figure is in plain units",
                )
        if abs(target) != 1 and _near(number, 1 / target, tol):
            return Diagnosis("inverse", "the inverse of the expected ratio (divide the other way round)")
    if number == 0 and target != 0:
        return Diagnosis(
            "zero", "zero, where the expected value is not; check that nothing cancels out or is left empty"
        )
    if _near(number, target + 1, tol) or _near(number, target - 1, tol):
        return Diagnosis(
            "off_by_one",
            "off by exactly 1, a growth factor (end / start) where a growth rate (end / start - 1) "
            "belongs, or the reverse",
        )
    if _rounded_from(number, target):
        return Diagnosis("rounded", "close but rounded too early; keep full precision until the final result")
    if target != 0 and abs(number - target) <= 0.05 * abs(target):
        return Diagnosis(
            "close",
            "close but not within the tolerance; check a rounded input or a slightly different figure",
        )
    ratio = number / target if target != 0 else 0.0
    if ratio > 0:
        for factor, kind, what in (
            (100, "percent", "100 (percent vs share)"),
            (1e3, "units", "1,000 (units)"),
            (1e6, "units", "1,000,000 (units)"),
        ):
            for scale, size in ((factor, "too large"), (1 / factor, "too small")):
                if scale / 2 <= ratio <= scale * 2:
                    return Diagnosis(kind, f"{size} by about a factor of {what}, and off by something else besides")
    if ratio > 0 and abs(_log10(ratio)) < 0.5:
        return Diagnosis(
            "magnitude",
            "right order of magnitude, but not the value; check which figures you combined, "
            "that they measure the same thing and that they are of the same period",
        )
    return Diagnosis(
        "far", "a different order of magnitude, with no simple relation to the expected value; check the formula"
    )


def _letters(text: str) -> str:
    """Letters and digits only, case-folded: what is left when separators and spaces go."""
    flat = _normalize("NFKC", text).casefold()
    return "".join(ch for ch in flat if _category(ch)[0] in "LN")


def diagnose_text(value, accepted: str | Iterable[str], *, case_sensitive: bool = True) -> Diagnosis | None:
    """The kind of mistake a text answer is; None when it is one of ``accepted``.

    Compared as :func:`platform_intl.checks.check_text` compares (NFC, trimmed, inner
    whitespace collapsed). The message never quotes an accepted answer.
    """
    if value is None or value is Ellipsis:
        return Diagnosis("missing", "no answer yet; replace the placeholder and run the answer cell")
    if not isinstance(value, str):
        return Diagnosis("type", f"wrong type, expected text (a string in quotes) but got {type(value).__name__}")
    options = [accepted] if isinstance(accepted, str) else list(accepted)

    def tidy(text: str) -> str:
        return " ".join(_normalize("NFC", text).split())

    fold = (lambda s: s) if case_sensitive else str.casefold
    if fold(tidy(value)) in {fold(tidy(o)) for o in options}:
        return None
    if any(tidy(value).casefold() == tidy(o).casefold() for o in options):
        return Diagnosis("text_case", "the right text in the wrong case (capital and small letters)")
    if _letters(value) and any(_letters(value) == _letters(o) for o in options):
        return Diagnosis(
            "text_format",
            "the right letters and digits, but different separators, spaces or punctuation; "
            "check the conventions of the locale",
        )
    return Diagnosis("text_other", "a different answer")
