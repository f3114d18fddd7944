"""Every assignment in assignments/source/ passes through nbgrader as a course would.

In a temporary copy of the course: generate the release; autograde, as submissions,
the instructor's source notebook (full marks), the unmodified release (zero), the
solution with every answer nudged to a wrong value of the right type (proof that the
tests can fail), and each golden submission in tests/golden/<assignment>/ (its
asserted score). Scores come from nbgrader's gradebook.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, GOLDEN, assignment_names

from platform_intl.instructor import cells, harness

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)


def region_lines(source: str, begin: str, end: str) -> list[str]:
    """Non-trivial lines between two nbgrader markers."""
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and len(line.strip()) > 12:
            lines.append(line.strip())
    return lines


def secret_lines(nb) -> list[str]:
    secrets = []
    for cell in nb.cells:
        secrets += region_lines(cell.source, "BEGIN SOLUTION", "END SOLUTION")
        secrets += region_lines(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        secrets += region_lines(cell.source, "BEGIN MARK SCHEME", "END MARK SCHEME")
    return secrets


@pytest.fixture(scope="module", params=assignment_names())
def graded(request, tmp_path_factory):
    """One sandbox per assignment, with every kind of submission graded in one run."""
    assignment = request.param
    sandbox = harness.CourseSandbox(tmp_path_factory.mktemp(assignment), source_course=ASSIGNMENTS)
    released = {p.name: harness.load_notebook(p) for p in sandbox.generate(assignment)}
    sources = {p.name: harness.load_notebook(p) for p in sandbox.notebook_paths(assignment)}
    goldens = {p.stem: harness.read_golden(p) for p in sorted((GOLDEN / assignment).glob("*.json"))}

    submissions = {
        "solution": {name: sandbox.root / "source" / assignment / name for name in sources},
        "blank": {name: sandbox.root / "release" / assignment / name for name in released},
        "skewed": {
            name: harness.with_answers(released[name], harness.skewed_answers(nb)) for name, nb in sources.items()
        },
    }
    for stem, spec in goldens.items():
        per_notebook = spec["answers"]
        if set(per_notebook) <= {
            c.metadata.get("nbgrader", {}).get("grade_id") for nb in released.values() for c in nb.cells
        }:
            per_notebook = {next(iter(released)): per_notebook}
        submissions[f"golden-{stem}"] = {
            name: harness.with_answers(released[name], per_notebook.get(name, {})) for name in released
        }
    for student, files in submissions.items():
        sandbox.submit(assignment, student, files)
    sandbox.autograde(assignment)
    return dict(
        assignment=assignment,
        sandbox=sandbox,
        released=released,
        sources=sources,
        goldens=goldens,
        scores=sandbox.scores(assignment),
    )


def autograded_total(graded, student: str) -> tuple[float, float]:
    got = maximum = 0.0
    for name, nb in graded["sources"].items():
        points = cells.autograded_points(nb)
        score = graded["scores"][(student, Path(name).stem)]
        got += score.autograded(points)
        maximum += sum(points.values())
    return got, maximum


@pytest.mark.slow
def test_release_contains_no_solutions_hidden_tests_or_mark_schemes(graded):
    for name, released in graded["released"].items():
        text = "\n".join(cell.source for cell in released.cells)
        leaked_markers = [m for m in MARKERS if m in text]
        assert leaked_markers == [], f"{name}: markers left in release: {leaked_markers}"
        leaked = [line for line in secret_lines(graded["sources"][name]) if line in text]
        assert leaked == [], f"{name}: instructor-only lines in release: {leaked[:5]}"


@pytest.mark.slow
def test_assignment_is_built_from_small_pointed_tests(graded):
    for name, nb in graded["sources"].items():
        points = cells.autograded_points(nb)
        assert len(points) >= 3, f"{name}: use several small test cells, each with its own points"
        assert all(p > 0 for p in points.values()), f"{name}: every test cell carries points"
        hidden = [c for c in nb.cells if cells.is_test_cell(c) and "BEGIN HIDDEN TESTS" in c.source]
        assert hidden, f"{name}: needs hidden tests for what students could hard-code"


@pytest.mark.slow
def test_solution_earns_every_autograded_point(graded):
    got, maximum = autograded_total(graded, "solution")
    assert maximum > 0
    assert got == pytest.approx(maximum), f"{graded['assignment']}: solution earned {got}/{maximum}"


@pytest.mark.slow
def test_blank_release_earns_no_autograded_point(graded):
    got, maximum = autograded_total(graded, "blank")
    assert got == 0, f"{graded['assignment']}: the unmodified release earned {got}/{maximum}"


@pytest.mark.slow
def test_wrong_values_of_the_right_type_do_not_earn_full_marks(graded):
    """Proves the harness can fail: the solution with every answer skewed loses points."""
    got, maximum = autograded_total(graded, "skewed")
    assert got < maximum, f"{graded['assignment']}: skewed answers still earned {got}/{maximum}"


@pytest.mark.slow
def test_golden_submissions_score_as_asserted(graded):
    assert graded["goldens"], f"add tests/golden/{graded['assignment']}/typical-mistakes.json"
    for stem, spec in graded["goldens"].items():
        got, maximum = autograded_total(graded, f"golden-{stem}")
        assert got == pytest.approx(spec["expected_autograded_score"]), (
            f"{stem} ({spec['description']}): earned {got}/{maximum}, expected {spec['expected_autograded_score']}"
        )
        if stem == "typical-mistakes":
            assert 0 < got < maximum, "typical mistakes should earn partial credit"


def test_every_assignment_notebook_is_named_after_its_folder():
    for name in assignment_names():
        assert (ASSIGNMENTS / "source" / name / f"{name}.ipynb").exists()
