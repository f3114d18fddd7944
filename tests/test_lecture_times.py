"""The study times course/README.md gives each lecture follow from the lectures themselves.

tools/walkthrough.py estimates a lecture's study time: reading (prose at 200 words a minute,
code at 10 lines a minute), a fixed allowance per exercise by its kind, a minute per
widget, and the execution time it measures in JupyterLab in Chromium. That last part
needs a browser; the rest is recomputed here from the notebooks, and the README's figures
(the lecture table's column and each lecture's "(about N minutes)") must stay within 10
minutes of it, so that a lecture that grows or shrinks cannot keep a stale estimate.
A lecture's own "About N minutes" must agree with the README's.
"""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from conftest import COURSE, ROOT, course_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import walkthrough

sys.path.pop(0)

README = COURSE / "README.md"
TOLERANCE_MINUTES = 10


def readme_table_minutes() -> dict[str, int]:
    """Lecture number -> the minutes in the lecture table's "time" column."""
    lines = README.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| # |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    column = columns.index("study time")
    found = {}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and re.fullmatch(r"\d\d", cells[0]):
            found[cells[0]] = int(re.fullmatch(r"about (\d+) min", cells[column]).group(1))
    return found


def readme_paragraph_minutes() -> dict[str, int]:
    """Lecture number -> N of "**NN · Title** (about N minutes)" in the learning objectives."""
    text = README.read_text(encoding="utf-8")
    return {m[1]: int(m[2]) for m in re.finditer(r"^\*\*(\d\d) · [^*]+\*\* \(about (\d+) minutes\)", text, re.M)}


def lecture_ids() -> list[str]:
    return [p.name[:2] for p in course_notebooks()]


def test_every_lecture_has_its_time_in_the_table_and_its_paragraph():
    assert sorted(readme_table_minutes()) == lecture_ids()
    assert sorted(readme_paragraph_minutes()) == lecture_ids()
    assert readme_table_minutes() == readme_paragraph_minutes(), "the table and the paragraphs disagree"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_the_readme_estimate_is_close_to_what_the_lecture_asks(path):
    stats = walkthrough.notebook_stats(path)
    static = walkthrough.static_minutes(stats)
    stated = readme_table_minutes()[path.name[:2]]
    assert stated % 5 == 0
    assert abs(stated - static) <= TOLERANCE_MINUTES, (
        f"course/README.md says about {stated} minutes for {path.name}; its reading, exercises and "
        f"widgets come to {static:.0f} (before execution time): {stats}. Run tools/walkthrough.py "
        "and update the README."
    )
    first = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells[:3])
    for said in re.findall(r"\bAbout (\d+) minutes", first):
        assert int(said) == stated, f"{path.name} says about {said} minutes, the README {stated}"


def test_the_estimate_counts_what_it_says():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nSix words of prose, then code:\n\n```python\nx = 1\n```"),
        nbformat.v4.new_code_cell("a = 1\n\nb = 2"),
    ]
    assert sum(walkthrough.prose_words(c.source) for c in nb.cells if c.cell_type == "markdown") == 7
    assert sum(walkthrough.code_lines(c) for c in nb.cells) == 3
    assert walkthrough.round_to_5(12.4) == 10 and walkthrough.round_to_5(12.6) == 15
    exercise = 'from platform_intl import exercises\n\nshare = ...\nexercises.check("01.x", share)'
    details = "<details><summary>Worked answer</summary>\n\n```python\na = 2\nshare = a / 4\n```\n</details>"
    assert walkthrough.worked_source(exercise, details).splitlines()[2:4] == ["a = 2", "share = a / 4"]
