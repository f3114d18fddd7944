"""Every lecture notebook runs top to bottom on a fresh kernel, cleanly.

QuantEcon-style: an error, a warning or anything else written to stderr fails the
notebook. Adding a notebook to course/ adds it here.
"""
from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import COURSE, course_notebooks


def execute(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(COURSE)}})
    client.execute()
    return nb


def problems(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index} wrote to stderr: {output.text[:300]!r}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_lecture_runs_cleanly(path):
    nb = execute(path)
    assert problems(nb) == []


def test_there_are_lectures():
    assert [p.name for p in course_notebooks()][:1] == ["00_orientation.ipynb"]
