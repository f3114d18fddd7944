"""The checks every helper shares, with one style of message: what was wrong, and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Relative tolerance for comparing computed amounts (people, money) that should be equal:
#: one tolerance for the whole package, so that two solvers or two rounding steps agree.
TOLERANCE = 1e-9


def require_columns(frame, columns: Iterable[str], name: str, *, error: type[Exception] = ValueError) -> None:
    """``frame`` must be a DataFrame with ``columns``; the message lists what it has."""
    import pandas as pd

    columns = list(columns)
    if not isinstance(frame, pd.DataFrame):
        raise error(f"{name} must be a pandas DataFrame with the columns {columns}; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(f"{name} lacks the column(s) {missing}; it has {list(frame.columns)}")


def one_of(value, allowed: Sequence, name: str, *, error: type[Exception] = ValueError):
    """``value`` if it is one of ``allowed``; otherwise an error that lists them."""
    if value not in allowed:
        raise error(f"{name} must be one of {list(allowed)}; got {value!r}")
    return value
