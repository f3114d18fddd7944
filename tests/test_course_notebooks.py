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


#: What JupyterLab shows of an output: the richest type it renders, as the reader reads it.
SHOWN_ORDER = ("application/vnd.jupyter.widget-view+json", "text/html", "text/markdown", "text/plain")

#: Signs of data shown raw instead of for a reader, each with what it looks like.
RAW_OUTPUT = {
    "a float written by Python (300000000.0, 0.526685)": re.compile(r"(?<![\w.,])(\d{4,}\.0\b|\d+\.\d{5,})"),
    "scientific notation (3.5e+05)": re.compile(r"\b\d(\.\d+)?e[+-]\d\d\b"),
    "NaN or inf": re.compile(r"\b(NaN|inf|-inf)\b"),
    "a pandas Series footer": re.compile(r"\b(Name: \w+, )?dtype: \w+"),
    "a time of day nobody recorded (00:00:00)": re.compile(r"\b00:00:00\b"),
    "a cell cut short by pandas (...)": re.compile(r"\w\.\.\.(\s|$)"),
    "a timing or debug line": re.compile(r"\b(updated|took|ran) in \d+(\.\d+)? ?(ms|s)\b"),
    "an object repr": re.compile(r"^\w+\((\w+=|children=)", re.MULTILINE),
}


def shown_text(output) -> str:
    """The text a reader sees of one output (HTML without its tags)."""
    if output.output_type == "stream":
        return output.text if output.name == "stdout" else ""
    data = output.get("data", {})
    for kind in SHOWN_ORDER:
        if kind in data:
            if kind.startswith("application/vnd.jupyter.widget"):
                return ""  # drawn in the browser; tests/test_browser.py reads those
            text = data[kind]
            if kind == "text/html":
                text = re.sub(r"<img\b[^>]*>", "", text)
                text = html.unescape(re.sub(r"<[^>]+>", " ", text))
            return text
    return ""


def raw_output_problems(nb) -> list[str]:
    found = []
    for index, output in outputs(nb):
        data = output.get("data", {})
        if 'class="dataframe"' in data.get("text/html", ""):
            found.append(f"cell {index}: a table rendered by pandas; show it with platform_intl.tables.show(...)")
        text = shown_text(output)
        for what, pattern in RAW_OUTPUT.items():
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 40)
                found.append(f"cell {index}: {what}: ...{text[start : match.end() + 20]!r}")
    return found


def test_raw_output_problems_are_found():
    def output(**data):
        return nbformat.v4.new_output("display_data", data=data)

    nb = nbformat.v4.new_notebook()
    frame = __import__("pandas").DataFrame({"value": [300000000.0, float("nan")], "text": ["x" * 80, "y"]})
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        output(**{"text/html": frame.to_html(), "text/plain": repr(frame)}),
        output(**{"text/plain": repr(frame["value"])}),
        nbformat.v4.new_output("stream", name="stdout", text="ratio 0.1988071570576541\nupdated in 30 ms\n"),
        output(**{"text/plain": "date    2013-07-24 00:00:00\nevent   Sina Weibo lets users sign up t..."}),
    ]
    nb.cells.append(cell)
    kinds = " | ".join(raw_output_problems(nb))
    for what in (
        "rendered by pandas",
        "float written by Python",
        "NaN",
        "Series footer",
        "00:00:00",
        "cut short",
        "debug line",
    ):
        assert what in kinds
    shown = __import__("platform_intl.tables", fromlist=["show"]).show(frame)
    cell.outputs = [output(**{"text/html": shown._repr_html_(), "text/plain": str(shown)})]
    assert raw_output_problems(nb) == []


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


@pytest.mark.slow
@pytest.mark.parametrize("path", lectures, ids=lambda p: p.name)
def test_lecture_shows_data_for_readers(path):
    """No raw float, NaN, Series footer, cut cell, pandas table or debug line in any output."""
    assert raw_output_problems(executed(path)) == []


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
