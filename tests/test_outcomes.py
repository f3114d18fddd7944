"""The course's learning outcomes, the graded parts that assess them, and the syllabus.

The graded parts are read from the assignment source notebooks themselves (cells whose
nbgrader metadata gives them points: ``grade: true`` or ``task: true``), so a part or an
assignment added later is checked without being listed here. The outcomes are
``course/outcomes.csv``; the map from parts to outcomes is ``course/assessment_map.csv``;
``docs/syllabus.md`` holds the schedule and tables generated from the same data.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from conftest import ROOT

from platform_intl.instructor import outcomes as lo

SYLLABUS = ROOT / "docs" / "syllabus.md"
MEASURABLE_VERBS = {
    "analyse", "analyze", "apply", "argue", "build", "calculate", "classify", "compare", "compute",
    "construct", "critique", "decide", "define", "describe", "design", "detect", "distinguish",
    "estimate", "evaluate", "explain", "format", "identify", "interpret", "justify", "rank",
    "recommend", "select", "summarise", "summarize", "trace", "write",
}  # fmt: skip


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    return lo.load_outcomes()


@pytest.fixture(scope="module")
def rows() -> list[lo.MapRow]:
    return lo.load_map_rows()


@pytest.fixture(scope="module")
def parts() -> dict[lo.Key, lo.GradedPart]:
    return lo.graded_parts()


@pytest.fixture(scope="module")
def syllabus() -> str:
    return SYLLABUS.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a ``## heading`` of the syllabus, up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/syllabus.md has no section '## {heading}'"
    return match.group(1)


# ---- the data --------------------------------------------------------------------------------


def test_outcomes_are_six_to_ten_and_start_with_a_measurable_verb(outcomes):
    with open(lo.OUTCOMES_CSV, newline="", encoding="utf-8") as fh:
        ids = [row["id"] for row in csv.DictReader(fh)]
    assert len(ids) == len(set(ids)), f"course/outcomes.csv repeats an id: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert 6 <= len(outcomes) <= 10, f"course/outcomes.csv has {len(outcomes)} outcomes; a course has 6 to 10"
    for outcome, text in outcomes.items():
        assert re.fullmatch(r"LO\d+", outcome), f"outcome id {outcome!r} in course/outcomes.csv: write it as LO<number>"
        verb = text.split()[0].lower()
        assert verb in MEASURABLE_VERBS, (
            f"outcome {outcome} starts with {verb!r}: start it with a verb whose result can be checked "
            f"(e.g. calculate, classify, compare), or add the verb to MEASURABLE_VERBS in tests/test_outcomes.py"
        )


def test_the_notebooks_have_graded_parts(parts):
    """A guard for the reader itself: every current assignment has graded parts with points."""
    for assignment in lo.assignments():
        mine = [p.grade_id for p in parts.values() if p.assignment == assignment]
        assert mine, f"found no graded cell with points in assignments/source/{assignment}/"
        raw = [
            c["metadata"]["nbgrader"]["grade_id"]
            for path in sorted((lo.SOURCE / assignment).glob("*.ipynb"))
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if (c.get("metadata", {}).get("nbgrader") or {}).get("points", 0)
            and float(c["metadata"]["nbgrader"]["points"]) > 0
            and (c["metadata"]["nbgrader"].get("grade") or c["metadata"]["nbgrader"].get("task"))
        ]
        assert mine == raw, f"{assignment}: the reader found {mine}, the notebook's JSON has {raw}"


def test_every_outcome_is_assessed_by_a_graded_part(outcomes, rows, parts):
    found = [p for p in lo.problems(outcomes, lo.load_map(), parts, rows) if p.startswith("outcome ")]
    assert found == [], "\n".join(found)


def test_every_graded_part_maps_to_an_outcome(outcomes, rows, parts):
    found = [p for p in lo.problems(outcomes, lo.load_map(), parts, rows) if p.startswith("graded part ")]
    assert found == [], "\n".join(found)


def test_the_map_names_only_existing_parts_and_outcomes(outcomes, rows, parts):
    found = [p for p in lo.problems(outcomes, lo.load_map(), parts, rows) if p.startswith("course/assessment_map.csv")]
    seen: dict[lo.Key, int] = {}
    for row in rows:
        key = (row.assignment, row.grade_id)
        if key in seen:
            found.append(
                f"course/assessment_map.csv line {row.line} repeats {row.assignment} {row.grade_id} "
                f"(first on line {seen[key]}): put all its outcomes on one row, separated by ';'"
            )
        seen.setdefault(key, row.line)
    assert found == [], "\n".join(found)


# ---- the reader and the checks, on a notebook made here ---------------------------------------


def cell(kind: str, source: str, **nbgrader) -> dict:
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    extra = {"outputs": [], "execution_count": None} if kind == "code" else {}
    return {
        "id": nbgrader.get("grade_id", "c") + str(len(source)),
        "cell_type": kind,
        "metadata": meta,
        "source": source,
        **extra,
    }


def test_graded_parts_are_cells_with_points_and_new_ones_are_reported(tmp_path):
    folder = tmp_path / "source" / "ps9_new"
    folder.mkdir(parents=True)
    cells = [
        cell("markdown", "## 1. Growth (3 points)\n\na) the rate\n\nb) the factor"),
        cell("code", "rate = ...", solution=True, grade=False, grade_id="q1a_answer", points=0),
        cell("code", "check(rate)", grade=True, solution=False, grade_id="q1a_value", points=2),
        cell("code", "check(factor)", grade=True, solution=False, grade_id="q1b_value", points=1),
        cell("code", "check(nothing)", grade=True, solution=False, grade_id="q1_zero", points=0),
        cell("markdown", "## 2. A task (2 points)"),
        cell("markdown", "Describe the chart.", task=True, grade_id="q2_task", points=2),
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "ps9_new.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    parts = lo.graded_parts(tmp_path / "source")
    assert {k[1]: (p.points, p.question) for k, p in parts.items()} == {
        "q1a_value": (2.0, "Question 1 (a): Growth"),
        "q1b_value": (1.0, "Question 1 (b): Growth"),
        "q2_task": (2.0, "Question 2: A task"),
    }
    outcomes = {"LO1": "Calculate growth.", "LO2": "Describe a chart."}
    mapping = {("ps9_new", "q1a_value"): ["LO1"], ("ps9_new", "q1_gone"): ["LO1"], ("ps9_new", "q2_task"): ["LO7"]}
    rows = [lo.MapRow(2, "ps9_new", "q1a_value", ("LO1",)), lo.MapRow(3, "ps9_new", "q1_gone", ("LO1",))]
    found = lo.problems(outcomes, mapping, parts, rows)
    assert any("line 3 names ps9_new q1_gone, which is no graded part" in p and "change the row" in p for p in found), (
        found
    )
    assert any("maps ps9_new q2_task to LO7, which course/outcomes.csv does not define" in p for p in found), found
    assert any(
        p.startswith("graded part ps9_new q1b_value (Question 1 (b): Growth, 1 points) maps to no outcome")
        and "'ps9_new,q1b_value,LO…'" in p
        for p in found
    ), found
    assert any(p.startswith("graded part ps9_new q2_task") for p in found), found
    assert any(p.startswith("outcome LO2 ('Describe a chart.') is assessed by no graded part") for p in found), found


# ---- the syllabus ---------------------------------------------------------------------------


def test_the_syllabus_tables_are_generated_from_the_current_data(syllabus):
    for name, body in lo.generated_sections().items():
        assert lo.section_text(syllabus, name) == body, (
            f"the generated table {name!r} in docs/syllabus.md is stale or edited by hand: "
            "run `python -m platform_intl.instructor.outcomes` and commit the result"
        )


def test_the_syllabus_states_every_outcome(syllabus, outcomes):
    outcome_section = section(syllabus, "Learning outcomes")
    for outcome, text in outcomes.items():
        assert f"| {outcome} | {text} |" in outcome_section, (
            f"outcome {outcome} of course/outcomes.csv is not in the Learning outcomes of docs/syllabus.md: "
            "run `python -m platform_intl.instructor.outcomes`"
        )
    for outcome in re.findall(r"\bLO\d+\b", syllabus):
        assert outcome in outcomes, f"docs/syllabus.md names {outcome}, which course/outcomes.csv does not define"


@pytest.mark.parametrize("schedule", ["Schedule: 13 weeks", "Six-week variant"])
def test_each_schedule_lists_every_lecture_and_assignment(syllabus, schedule):
    text = section(syllabus, schedule)
    lectures = sorted(p.name for p in (ROOT / "course").glob("*.ipynb"))
    assert lectures, "no lecture notebooks in course/"
    missing = [f"course/{name}" for name in lectures if f"`{name}`" not in text]
    missing += [f"assignments/source/{name}/" for name in lo.assignments() if f"`{name}`" not in text]
    assert missing == [], (
        f"the '{schedule}' table of docs/syllabus.md does not name {', '.join(missing)}: "
        "add each (in backticks, by its file or folder name) to the week it is taught, released and due"
    )


@pytest.mark.parametrize("schedule, weeks", [("Schedule: 13 weeks", range(10, 15)), ("Six-week variant", [6])])
def test_schedules_have_the_right_length_and_end_with_the_capstone(syllabus, schedule, weeks):
    rows = re.findall(r"^\| *(\d+) *\|(.*)$", section(syllabus, schedule), re.M)
    numbers = [int(n) for n, _ in rows]
    assert numbers == list(range(1, len(numbers) + 1)), f"'{schedule}': weeks should run 1, 2, … without gaps"
    assert len(numbers) in weeks, f"'{schedule}' has {len(numbers)} weeks"
    last_two = " ".join(rest for _, rest in rows[-2:])
    assert "capstone" in last_two and "ps4" in last_two, f"'{schedule}': the capstone ps4 belongs in the last weeks"


def test_every_reading_has_a_full_citation_and_is_used(syllabus):
    readings = section(syllabus, "Readings")
    cited = dict(re.findall(r"^- \*\*(R\d+)\*\* (.*?)(?=^- \*\*R|^#|\Z)", readings, re.M | re.S))
    assert len(cited) >= 10, "docs/syllabus.md lists fewer than 10 readings"
    for rid, citation in cited.items():
        citation = " ".join(citation.split())
        assert re.search(r"\(\d{4}\)|\(n\.d\.\)|Unicode Consortium\.|The Babel project\.", citation), (
            f"reading {rid} has no year: {citation[:80]}"
        )
        assert re.search(r"https?://|ISBN", citation), f"reading {rid} has neither a link, a DOI nor an ISBN"
        assert rid in readings.split("### How the readings were checked")[1], (
            f"reading {rid} is not in 'How the readings were checked': say what record confirmed it, or drop it"
        )
    schedule = section(syllabus, "Schedule: 13 weeks")
    unused = [rid for rid in cited if not re.search(rf"\b{rid}\b", schedule)]
    assert unused == [], f"readings {unused} are assigned to no week of the 13-week schedule"
    for rid in set(re.findall(r"\bR\d+\b", schedule)):
        assert rid in cited, f"the schedule names reading {rid}, which the Readings section does not list"


def test_readme_and_instructor_guide_link_the_syllabus():
    for doc, link in [("README.md", "docs/syllabus.md"), ("docs/instructor-guide.md", "syllabus.md")]:
        assert f"]({link})" in (ROOT / doc).read_text(encoding="utf-8"), f"{doc} does not link the syllabus ({link})"
