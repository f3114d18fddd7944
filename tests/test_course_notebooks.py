"""Every lecture notebook runs top to bottom on a fresh kernel, cleanly and accessibly.

QuantEcon-style: an error, a warning or anything else written to stderr fails the
notebook. Every figure is shown through platform_intl.plots.show_figure, so it carries
alt text and a caption naming its source. Adding a notebook to course/ adds it here.
"""

from __future__ import annotations

import html
import itertools
import re
from functools import cache

import nbformat
import pytest
from conftest import COURSE, course_notebooks
from nbclient import NotebookClient

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


@cache
def executed(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(COURSE)}})
    client.execute()
    return nb


def outputs(nb):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            yield index, output


def problems(nb) -> list[str]:
    found = []
    for index, output in outputs(nb):
        if output.output_type == "error":
            found.append(f"cell {index}: {output.ename}: {output.evalue}")
        elif output.output_type == "stream" and output.name == "stderr":
            found.append(f"cell {index} wrote to stderr: {output.text[:300]!r}")
    return found


def figure_problems(nb) -> list[str]:
    found = []
    for index, output in outputs(nb):
        data = output.get("data", {})
        bare = [t for t in IMAGE_TYPES if t in data]
        if bare:
            found.append(f"cell {index}: a bare {bare[0]} figure; show it with plots.show_figure(...)")
        for img in re.findall(r"<img\b[^>]*>", data.get("text/html", "")):
            alt = re.search(r'\balt="([^"]*)"', img)
            if not alt or len(html.unescape(alt.group(1)).strip()) < 15:
                found.append(f"cell {index}: an image without meaningful alt text")
        if "<img" in data.get("text/html", "") and "Source:" not in data.get("text/html", ""):
            found.append(f"cell {index}: a figure without a source caption")
    return found


def figure_count(nb) -> int:
    return sum(data.count("<figure") for _, o in outputs(nb) for data in [o.get("data", {}).get("text/html", "")])


lectures = course_notebooks()


@pytest.mark.slow
@pytest.mark.parametrize("path", lectures, ids=lambda p: p.name)
def test_lecture_runs_cleanly(path):
    assert problems(executed(path)) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", lectures, ids=lambda p: p.name)
def test_every_figure_has_alt_text_and_a_source(path):
    nb = executed(path)
    assert figure_count(nb) >= 1, "each lecture shows at least one figure"
    assert figure_problems(nb) == []


@pytest.mark.parametrize("path", lectures, ids=lambda p: p.name)
def test_lecture_follows_the_template(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown and markdown[0].lstrip().startswith("# "), "start with a title"
    assert any("learning objectives" in m.lower() for m in markdown[:2]), "learning objectives first"
    text = "\n".join(markdown).lower()
    assert "self-check" in text and "<details>" in text, "self-check questions with answers on demand"
    if not path.name.startswith("00_"):
        assert "discussion" in text, "discussion questions"
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "widgets" in code, "at least one interactive widget"


def test_there_are_lectures():
    assert [p.name for p in lectures][:1] == ["00_orientation.ipynb"]


#: A wrapped line that begins with a number and a full stop ("2015. What ..."): Markdown
#: renderers (JupyterLab's among them) read it as the start of a new numbered list.
_WRAPPED_NUMBER = re.compile(r"^\s*\d{3,}[.)](\s|$)")


def accidental_list_items(markdown: str) -> list[str]:
    lines = markdown.split("\n")
    pairs = itertools.pairwise(lines)
    return [line for before, line in pairs if before.strip() and _WRAPPED_NUMBER.match(line)]


def test_accidental_list_items_are_found():
    assert accidental_list_items("4. Reach outside China in\n   2015. What does it buy?") == [
        "   2015. What does it buy?"
    ]
    assert accidental_list_items("1. First\n2. Second\n\n2015. A year on its own line") == []


@pytest.mark.parametrize(
    "path",
    lectures + sorted((COURSE.parent / "assignments" / "source").glob("*/*.ipynb")),
    ids=lambda p: p.name,
)
def test_no_wrapped_line_turns_into_a_list_item(path):
    nb = nbformat.read(path, as_version=4)
    found = [
        (index, line)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for line in accidental_list_items(cell.source)
    ]
    assert found == [], f"re-wrap these lines so they do not start with a number and a full stop: {found}"
