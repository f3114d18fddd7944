"""What a notebook cell is to nbgrader: answer, written answer, autograded test, read-only."""

from __future__ import annotations


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell) -> bool:
    """An autograded test: a graded code cell that is not an answer."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_answer_cell(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_read_only_code(cell) -> bool:
    """A locked code cell that is not graded: the assignment's set-up (imports, data)."""
    meta = nbgrader_meta(cell)
    return (
        cell.get("cell_type") == "code"
        and bool(meta.get("locked"))
        and not meta.get("grade")
        and not meta.get("solution")
    )


def cell_label(cell, index: int) -> str:
    """How notes name a cell: its grade id, or its position counted from 1."""
    return nbgrader_meta(cell).get("grade_id") or f"cell {index + 1}"


def autograded_points(nb) -> dict[str, float]:
    """Points of each autograded test cell, by grade id."""
    return {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points") or 0) for c in nb.cells if is_test_cell(c)
    }


def split_region(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines outside, lines inside) the marked regions of ``source``; marker lines belong to neither."""
    outside: list[str] = []
    inside: list[str] = []
    within = False
    for line in source.split("\n"):
        if begin in line:
            within = True
        elif end in line:
            within = False
        else:
            (inside if within else outside).append(line)
    return outside, inside
