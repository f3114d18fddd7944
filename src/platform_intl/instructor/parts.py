"""Which part of an assignment a graded cell belongs to, named as the assignment names it.

Feedback names every test and written answer by its part ("Question 2 (b): Weibo's MAU
growth") instead of nbgrader's "Test cell". The part is the latest ``## N. Title (k
points)`` heading above the cell; a sub-part letter comes from the grade id (``q2b_value``
is part (b)) when the part's text has a sub-part with that letter (``b)`` or ``(b)`` at the
start of a line). Headings are read from the graded notebook, whose markdown cells are
locked cells the grader restored from the gradebook.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("## 2. Weibo's MAU growth (4 points)\\n\\na) growth\\n\\nb) the rate"),
...     nbformat.v4.new_code_cell("check(x)", metadata={"nbgrader": {"grade": True, "grade_id": "q2b_form"}}),
... ])
>>> part_labels(nb)["q2b_form"]
Part(part="Question 2 (b): Weibo's MAU growth", label="Question 2 (b): Weibo's MAU growth, visible test")
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .cells import is_answer_cell, is_test_cell, nbgrader_meta

_HEADING = re.compile(r"^#{1,3}\s+(?:(?:Part|Question)\s+)?(\d+)[.:)]?\s+(.+?)\s*$", re.I)
_POINTS = re.compile(r"\s*\((?:\d+(?:\.\d+)?\s+points?|\d+(?:\.\d+)?\s+points?,[^)]*)\)\s*$", re.I)
_SUBPART = re.compile(r"^\s*(?:\*\*)?\(?([a-h])\)(?:\*\*)?\s", re.M)
_GRADE_ID_SUBPART = re.compile(r"^q\d+([a-h])(?:_|$)")
_HIDDEN = "BEGIN HIDDEN TESTS"


class Part(NamedTuple):
    part: str  # "Question 6: Registered is not active"
    label: str  # the part and what the cell is: "..., hidden test"


def _detail(grade_id: str) -> str:
    """What distinguishes one test of a part from the others, from its grade id (q3_s3_503m: s3 503m)."""
    rest = re.sub(r"^q\d+[a-h]?_?", "", grade_id)
    return "" if rest in ("", "form", "value", "answer", "written", "memo") else rest.replace("_", " ")


def part_labels(nb) -> dict[str, Part]:
    """Part and label of every graded cell (tests, answers, written answers), by grade id."""
    labels: dict[str, Part] = {}
    number = title = ""
    subparts: set[str] = set()
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") == "markdown" and not is_answer_cell(cell):
            for line in cell.get("source", "").splitlines():
                match = _HEADING.match(line)
                if match and not line.startswith("# "):
                    number, title, subparts = match.group(1), _POINTS.sub("", match.group(2)), set()
            subparts |= set(_SUBPART.findall(cell.get("source", "")))
        grade_id = meta.get("grade_id")
        if not grade_id or not (meta.get("grade") or meta.get("solution")):
            continue
        letter = _GRADE_ID_SUBPART.match(grade_id)
        sub = f" ({letter.group(1)})" if letter and letter.group(1) in subparts else ""
        part = f"Question {number}{sub}: {title}" if number else str(grade_id)
        if is_test_cell(cell):
            what = "hidden test" if _HIDDEN in cell.get("source", "") else "visible test"
            detail = _detail(grade_id)
            what += f" ({detail})" if detail else ""
        elif cell.get("cell_type") == "markdown":
            what = "written answer"
        else:
            what = "your answer"
        labels[grade_id] = Part(part, f"{part}, {what}")
    return labels
