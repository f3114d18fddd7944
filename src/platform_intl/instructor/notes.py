"""Grader notes: what the grader did or saw, recorded in the graded notebook and shown to the instructor."""

from __future__ import annotations

import re

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import (
    NbGraderPreprocessor,
)
from traitlets import Unicode

NOTES_KEY = "platform_intl"
NOTE_CELL_TAG = "grader-notes"
RECOVERY_FILE = "grader-recovered-notebooks.json"
#: What the grader noted before conversion (time unknown, links removed), read back by the exporter.
INTAKE_FILE = "grader-intake-notes.json"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TAG = re.compile(r"<[^>]+>")

#: Short labels of the events the grader records, for summaries.
NOTE_KINDS = {
    "unreadable": "submitted file unreadable: graded as unanswered",
    "repaired": "broken nbgrader metadata repaired",
    "renamed": "notebook submitted under another name",
    "duplicate": "duplicated cell",
    "restored": "edited read-only or test cell restored",
    "missing-cell": "deleted test cell restored",
    "points": "changed points restored",
    "timeout": "cell interrupted after the time limit",
    "unresponsive": "cell ignored the interrupt: kernel restarted",
    "died": "kernel died: restarted",
    "gave-up": "kernel kept failing: remaining cells not run",
    "output": "output truncated",
    "protection": "submission changed what tests rely on: restored",
    "metadata": "edited nbgrader settings of a cell restored",
    "extra-cell": "cell marked for grading that the assignment lacks: ignored",
    "time-unknown": "submission time unknown: graded without a late penalty",
    "symlink": "symbolic links removed before grading",
    "refused": "an answer was not plain data: that part scores 0",
    "verdict": "the grader could not judge a test: scored 0, review it",
    "limit": "a sandbox limit reached (memory, processes, file size, open files)",
    "interrupted": "grading was interrupted: run autograde again (its gradebook entry may be half-written)",
    "not-graded": "nbgrader could not grade this submission (see the autograde output)",
}


# --------------------------------------------------------------------------- notes


def add_note(nb: NotebookNode, kind: str, message: str, cell: str | None = None) -> None:
    """Record something the grader did or saw, in the notebook's metadata."""
    notes = nb.metadata.setdefault(NOTES_KEY, {}).setdefault("grader_notes", [])
    note = {"kind": kind, "message": message}
    if cell:
        note["cell"] = cell
    if note not in notes:
        notes.append(note)


def grader_notes(nb) -> list[dict]:
    """The notes recorded in a (graded) notebook."""
    return list(nb.get("metadata", {}).get(NOTES_KEY, {}).get("grader_notes", []))


def cell_label(cell, index: int) -> str:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return gid or f"cell {index + 1}"


def is_test_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and nbutils.is_grade(cell) and not nbutils.is_solution(cell)


class AddGraderNotes(NbGraderPreprocessor):
    """Write the grader notes into a markdown cell at the top of the graded notebook."""

    heading = Unicode("Grader notes", help="Heading of the notes cell.").tag(config=True)

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if NOTE_CELL_TAG not in c.get("metadata", {}).get("tags", [])]
        notes = grader_notes(nb)
        if notes:
            lines = [f"**{self.heading}** (written while grading; the submitted file is unchanged)", ""]
            lines += [f"- {note['message']}" for note in notes]
            cell = nbformat.v4.new_markdown_cell("\n".join(lines))
            cell.metadata["tags"] = [NOTE_CELL_TAG]
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
            nb.cells.insert(0, cell)
            self.log.warning(
                "Grader notes for %s: %s",
                resources.get("nbgrader", {}).get("student"),
                "; ".join(n["kind"] for n in notes),
            )
        return nb, resources
