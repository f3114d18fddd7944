"""Every lecture can be shown as a talk: slide metadata follows its headings (jupyterlab-rise).

The metadata is written by tools/notebooks.py (strip, and git's clean filter), so a new
section heading becomes a new slide without anybody remembering to set it. The browser
test that opens a lecture as slides is in tests/test_browser.py.
"""

from __future__ import annotations

import sys

import nbformat
import pytest
from conftest import ROOT, course_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import notebooks as authoring

sys.path.pop(0)


def headings(nb) -> int:
    return sum(authoring.slide_type(c) == "slide" for c in nb.cells)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_each_section_of_a_lecture_is_a_slide(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("rise") == authoring.RISE, "lecture notebooks carry the slideshow settings"
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert None not in types, "every cell says how it shows in the slideshow"
    assert types[0] == "slide"
    sections = [c.source.splitlines()[0] for c in nb.cells if authoring.slide_type(c) == "slide"]
    assert types.count("slide") >= len(sections) >= 4, sections
    for cell, kind in zip(nb.cells, types):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            assert kind == "slide", f"section {cell.source.splitlines()[0]!r} starts no slide"


def test_slide_types_follow_headings_and_leave_problem_sets_alone():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("\n## 1. A section"),
        nbformat.v4.new_markdown_cell("### A part"),
        nbformat.v4.new_markdown_cell("Text with a # inside"),
    ]
    lecture = authoring.tidy(nbformat.from_dict(nbformat.v4.new_notebook(cells=list(nb.cells))), "09_new")
    assert [c.metadata["slideshow"]["slide_type"] for c in lecture.cells] == ["slide", "-", "slide", "subslide", "-"]
    assert lecture.metadata["rise"] == authoring.RISE
    problem_set = authoring.tidy(nbformat.from_dict(nb), "ps1_reading_the_numbers")
    assert all("slideshow" not in c.metadata for c in problem_set.cells) and "rise" not in problem_set.metadata
