"""Checks called from assignment test cells.

Each check raises ``AssertionError`` with a message written for the student: what was
expected, what was found, and a hint. Nothing is printed, and nothing is written to
stderr, because nbgrader scores a test cell 0 when anything appears there.

References to ``math.isclose`` and friends are taken when this module is imported, so
a student who later rebinds ``math.isclose`` in their notebook does not change what
these checks compute.
"""

from __future__ import annotations

import math as _math
import numbers as _numbers
import unicodedata as _unicodedata
from collections.abc import Callable, Mapping

from .diagnosis import diagnose as _diagnose
from .diagnosis import diagnose_text as _diagnose_text

_isclose = _math.isclose
_isfinite = _math.isfinite
_normalize = _unicodedata.normalize


class CheckFailed(AssertionError):
    """A check failed; the message says what to fix.

    ``kind`` names the mistake when the check recognised one (a kind of
    :data:`platform_intl.diagnosis.KINDS`, e.g. ``"percent"``), else None; ``fix`` is then
    the correction the message suggests, as a function of the value (None when the message
    suggests none). Tests of the course use both to prove that no message misleads.
    """

    def __init__(
        self, message: str, *, kind: str | None = None, fix: Callable[[float], float] | None = None, name: str = ""
    ) -> None:
        super().__init__(message)
        self.kind, self.fix, self.name = kind, fix, name


def _fail(
    message: str,
    hint: str = "",
    *,
    kind: str | None = None,
    fix: Callable[[float], float] | None = None,
    name: str = "",
) -> None:
    raise CheckFailed(message + (f"\nHint: {hint}" if hint else ""), kind=kind, fix=fix, name=name)


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_number(value) -> bool:
    """True for plain real numbers: int, float and numpy's scalars; False for bool and text.

    Exact types only: a subclass could override ``__float__`` or ``__eq__`` to pass any
    comparison, so it is not accepted as a number.
    """
    kind = type(value)
    if kind in (int, float):
        return True
    return kind.__module__ == "numpy" and isinstance(value, _numbers.Real) and kind.__name__ != "bool"


def check_defined(value, name: str) -> None:
    """Fail when a student left ``None`` or ``...`` where an answer belongs."""
    if value is None or value is Ellipsis:
        _fail(
            f"`{name}` has no answer yet (it is {value!r}).",
            "replace the placeholder and run the cell before this test.",
        )


def check_number(
    value, name: str, *, minimum: float | None = None, maximum: float | None = None, hint: str = ""
) -> None:
    """``value`` is a finite real number, optionally within [minimum, maximum]."""
    check_defined(value, name)
    if not is_number(value):
        _fail(
            f"`{name}` should be a number, but it is {type(value).__name__} {_describe(value)}.",
            hint or "compute the value with arithmetic; do not put it in quotes.",
        )
    number = float(value)
    if not _isfinite(number):
        _fail(f"`{name}` should be a finite number, but it is {number}.", hint)
    if minimum is not None and number < minimum:
        _fail(f"`{name}` = {number:,.6g} is below the smallest sensible value, {minimum:,.6g}.", hint)
    if maximum is not None and number > maximum:
        _fail(f"`{name}` = {number:,.6g} is above the largest sensible value, {maximum:,.6g}.", hint)


def _percentage_is_likely(number: float, likely: tuple[float, float] | None, quantity: str) -> bool:
    """A value above 1 is a percentage only if that explains it and nothing else does.

    Divided by 100 it must fall in the range a right answer ``likely`` takes, and the other
    usual mistake for this ``quantity`` must not: for a share, the ratio upside down (its
    inverse would be in the range); for a rate, a growth factor (the value minus 1 would be).
    Without a range nothing is likely, and nothing is suggested.
    """
    if likely is None or not 1 < number <= 100:
        return False
    low, high = likely
    other = 1 / number if quantity == "share" else number - 1
    return low <= number / 100 <= high and not low <= other <= high


def check_fraction(
    value,
    name: str,
    *,
    likely: tuple[float, float] | None = None,
    quantity: str = "share",
    hint: str = "",
) -> None:
    """``value`` is a fraction between 0 and 1 (not a percentage).

    ``quantity`` is ``"share"`` (a part of a whole) or ``"rate"`` (a growth rate);
    ``likely`` is the range a right answer sensibly takes. They only decide what a failure
    says: a value above 1 is called a percentage only where that is the likely mistake (see
    :func:`_percentage_is_likely`); otherwise the message says what is wrong and the hint
    says where to look.
    """
    if quantity not in ("share", "rate"):
        raise ValueError(f"quantity must be 'share' or 'rate', not {quantity!r}")
    check_number(value, name, hint=hint)
    number = float(value)
    if not 0 <= number <= 1:
        message = f"`{name}` should be a fraction between 0 and 1, but it is {number:,.6g}."
        if _percentage_is_likely(number, likely, quantity):
            _fail(
                message + " It looks like a percentage: divide by 100.",
                hint,
                kind="percent",
                fix=lambda v: float(v) / 100,
                name=name,
            )
        _fail(message, hint, name=name)


def check_close(
    value,
    expected: float,
    name: str,
    *,
    rel: float = 1e-3,
    abs_tol: float = 0.0,
    known: Mapping[str, float] | None = None,
    hint: str = "",
) -> None:
    """``value`` equals ``expected`` within a relative (and absolute) tolerance.

    A failure says what kind of mistake the value is (:func:`platform_intl.diagnosis.diagnose`;
    ``known`` names mistakes the test anticipates), never the expected value itself.
    """
    check_number(value, name, hint=hint)
    diagnosis = _diagnose(value, expected, rel=rel, abs_tol=abs_tol, known=known)
    if diagnosis is not None:
        _fail(
            f"`{name}` = {float(value):,.6g} is not the expected value: {diagnosis.message}.",
            hint,
            kind=diagnosis.kind,
            name=name,
        )


def normalise_text(text: str) -> str:
    """Unicode NFC, trimmed, with internal runs of whitespace collapsed."""
    return " ".join(_normalize("NFC", text).split())


def check_text(value, expected, name: str, *, case_sensitive: bool = True, hint: str = "") -> None:
    """Compare strings after NFC normalisation and trimming.

    ``expected`` may be a string or a collection of accepted strings.
    """
    check_defined(value, name)
    if not isinstance(value, str):
        _fail(f"`{name}` should be a string, but it is {type(value).__name__} {_describe(value)}.", hint)
    diagnosis = _diagnose_text(value, expected, case_sensitive=case_sensitive)
    if diagnosis is not None:
        _fail(f"`{name}` = {value!r} is not the expected answer: {diagnosis.message}.", hint, kind=diagnosis.kind)


def check_choice(value, allowed, name: str, *, hint: str = "") -> None:
    """``value`` is one of ``allowed`` (after NFC normalisation, case-insensitive for text)."""
    check_defined(value, name)
    options = list(allowed)
    if isinstance(value, str):
        normalised = {normalise_text(str(o)).casefold(): o for o in options}
        if normalise_text(value).casefold() in normalised:
            return
    elif value in options:
        return
    _fail(
        f"`{name}` = {_describe(value)} is not one of the allowed answers: "
        + ", ".join(repr(o) for o in options)
        + ".",
        hint,
    )


def check_type(value, expected_type, name: str, *, hint: str = "") -> None:
    check_defined(value, name)
    if not isinstance(value, expected_type):
        wanted = getattr(expected_type, "__name__", str(expected_type))
        _fail(f"`{name}` should be a {wanted}, but it is {type(value).__name__}.", hint)


def check_columns(frame, columns, name: str, *, hint: str = "") -> None:
    """``frame`` is a DataFrame with (at least) these columns."""
    import pandas as pd

    check_type(frame, pd.DataFrame, name, hint=hint)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        _fail(f"`{name}` is missing the column(s) {missing}; it has {list(frame.columns)}.", hint)


def check_same_items(value, expected, name: str, *, hint: str = "") -> None:
    """Same collection of items, ignoring order (strings are NFC-normalised, case-folded)."""
    check_defined(value, name)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        _fail(f"`{name}` should be a list, but it is {type(value).__name__}.", hint)

    def key(item):
        return normalise_text(item).casefold() if isinstance(item, str) else item

    got, want = sorted(map(key, value), key=repr), sorted(map(key, expected), key=repr)
    if got != want:
        _fail(f"`{name}` does not contain the expected items ({len(got)} given, {len(want)} expected).", hint)
