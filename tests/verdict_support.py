"""Assignments read for the verdict tests: their set-up cells, tests and solutions."""

from __future__ import annotations

import contextlib
import io

import nbformat
from conftest import ASSIGNMENTS

SOURCE = ASSIGNMENTS / "source"


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def cell_kind(cell) -> str:
    """setup (locked, not solution, not grade), answer (solution), test (grade, not solution)."""
    meta = nbgrader(cell)
    if cell.cell_type != "code":
        return "markdown"
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("solution"):
        return "answer"
    return "setup" if meta.get("locked") else "other"


class Assignment:
    def __init__(self, name: str) -> None:
        self.nb = nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)
        code = [c for c in self.nb.cells if c.cell_type == "code"]
        self.setup = [c.source for c in code if cell_kind(c) == "setup"]
        self.tests = {nbgrader(c)["grade_id"]: c.source for c in code if cell_kind(c) == "test"}
        self._code = code

    def solutions(self) -> dict:
        """The correct answers: every setup and solution cell run in order, in a plain namespace."""
        namespace: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in self._code:
                if cell_kind(cell) != "test":
                    exec(compile(cell.source, nbgrader(cell).get("grade_id", "cell"), "exec"), namespace)
        return namespace
