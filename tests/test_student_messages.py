"""What students see: visible tests never mislead, hidden tests name the kind of mistake.

The typical mistakes are kept in tests/golden/<assignment>/typical-mistakes.json: its
answers (each answer cell is also tried alone, in an otherwise correct notebook), with the
kind of each in ``mistake_kinds``, and ``more_mistakes``, further typical mistakes of one
part each. The test cells run here in-process as the grader runs them (set-up names are
the grader's, answers are the student's), so the checks' ``CheckFailed`` objects can be
read: the kind a check recognised and the fix its message suggests. For every mistake:

- a visible test that names a kind names the right one, and mentions a percentage only
  for a percentage;
- following a visible test's suggested fix gives the right value (the hidden tests pass),
  or the visible test still fails: a fix never leads to a wrong value that looks right;
- the hidden tests name the mistake's kind.

The same fix rule holds for the wrong values nbgrader's fixtures use (the solution
skewed, ``harness.skewed_answers``), whose kind is no typical one.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from conftest import GOLDEN, assignment_names
from verdict_support import Assignment, cell_kind, nbgrader

from platform_intl import checks
from platform_intl.instructor import harness
from platform_intl.instructor.cells import split_region


class Course:
    """One assignment run in-process: set-up, answers (solution or given), test cells."""

    _cache: dict[str, Course] = {}

    def __init__(self, name: str) -> None:
        self.assignment = Assignment(name)
        self.cells = [c for c in self.assignment.nb.cells if c.cell_type == "code"]
        self.solution = harness.solution_answers(self.assignment.nb)

    @classmethod
    def of(cls, name: str) -> Course:
        if name not in cls._cache:
            cls._cache[name] = cls(name)
        return cls._cache[name]

    def setup(self) -> dict:
        namespace: dict = {}
        for source in self.assignment.setup:
            exec(source, namespace)
        return namespace

    def answers(self, replaced: dict[str, str]) -> dict:
        """The student's namespace: set-up and answer cells in order, some answers replaced."""
        namespace: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in self.cells:
                kind, gid = cell_kind(cell), nbgrader(cell).get("grade_id")
                if kind == "setup":
                    exec(cell.source, namespace)
                elif kind == "answer":
                    with contextlib.suppress(Exception):  # a failing answer defines nothing, as in a kernel
                        exec(replaced.get(gid, self.solution.get(gid, "")), namespace)
        return namespace

    def tests_after(self, answer_cell: str) -> list[str]:
        """The test cells of the part an answer cell belongs to (up to the next answer cell)."""
        found, inside = [], False
        for cell in self.cells:
            kind, gid = cell_kind(cell), nbgrader(cell).get("grade_id")
            if kind == "answer":
                inside = gid == answer_cell
            elif kind == "test" and inside:
                found.append(gid)
        return found

    def run(self, grade_id: str, answers: dict, *, hidden: bool) -> AssertionError | None:
        """The failure of one test cell (visible part only unless ``hidden``), or None."""
        source = self.assignment.tests[grade_id]
        if not hidden:
            source = "\n".join(split_region(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")[0])
        namespace = {**answers, **self.setup()}  # the grader's set-up names, the student's answers
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, grade_id, "exec"), namespace)
        except AssertionError as failure:
            return failure
        return None


def typical_mistakes() -> list[tuple]:
    """(assignment, answer cell, answer, expected kinds, description) for every typical mistake."""
    cases = []
    for name in assignment_names():
        spec = json.loads((GOLDEN / name / "typical-mistakes.json").read_text(encoding="utf-8"))
        kinds = spec.get("mistake_kinds", {})
        for cell, answer in spec["answers"].items():
            if cell in kinds:
                expected = kinds[cell] if isinstance(kinds[cell], list) else [kinds[cell]]
                cases.append((name, cell, answer, expected, f"golden {cell}"))
        for more in spec.get("more_mistakes", []):
            cases.append((name, more["answer_cell"], more["answer"], [more["kind"]], more["description"]))
    return cases


CASES = typical_mistakes()


def test_every_assignment_keeps_annotated_typical_mistakes():
    assert {c[0] for c in CASES} == set(assignment_names())
    assert len(CASES) >= 20
    kinds = {k for c in CASES for k in c[3]}
    assert {"percent", "inverse", "units", "off_by_one", "known", "text_format"} <= kinds


def check_fix(course: Course, grade_id: str, answers: dict, failure: AssertionError) -> None:
    """Following a visible test's suggested fix gives the right answer, or the visible test fails."""
    fix, name = getattr(failure, "fix", None), getattr(failure, "name", "")
    if fix is None:
        return
    assert name in answers, f"{grade_id}: a fix for {name!r}, which is not an answer"
    fixed = dict(answers, **{name: fix(answers[name])})
    if course.run(grade_id, fixed, hidden=False) is None:  # the visible test passes: it must be right
        assert course.run(grade_id, fixed, hidden=True) is None, (
            f"{grade_id}: following the message ({failure}) gives {fixed[name]!r}, which passes the "
            "visible test but is wrong"
        )


@pytest.mark.parametrize(("assignment", "cell", "answer", "kinds", "description"), CASES, ids=[c[4] for c in CASES])
def test_visible_tests_never_mislead_on_a_typical_mistake(assignment, cell, answer, kinds, description):
    course = Course.of(assignment)
    answers = course.answers({cell: answer})
    for grade_id in course.tests_after(cell):
        failure = course.run(grade_id, answers, hidden=False)
        if failure is None:
            continue
        named = getattr(failure, "kind", None)
        assert named is None or named in kinds, f"{grade_id} says {named!r} for {description} ({kinds}): {failure}"
        if "percent" not in kinds:
            assert "percentage" not in str(failure).split("\nHint:")[0], f"{grade_id}: {failure}"
        check_fix(course, grade_id, answers, failure)


@pytest.mark.parametrize(("assignment", "cell", "answer", "kinds", "description"), CASES, ids=[c[4] for c in CASES])
def test_hidden_tests_name_the_kind_of_a_typical_mistake(assignment, cell, answer, kinds, description):
    course = Course.of(assignment)
    answers = course.answers({cell: answer})
    failures = [course.run(g, answers, hidden=True) for g in course.tests_after(cell)]
    named = {getattr(f, "kind", None) for f in failures if f is not None} - {None}
    # A form test that fails first (its hint says where to look) keeps a cell's hidden tests from running.
    stopped = any(getattr(course.run(g, answers, hidden=False), "kind", "") is None for g in course.tests_after(cell))
    if stopped:
        assert named <= set(kinds), f"{description}: the tests named {named}, expected {kinds}: {failures}"
    else:
        assert named == set(kinds), f"{description}: the tests named {named}, expected {kinds}: {failures}"


@pytest.mark.parametrize("assignment", assignment_names())
def test_following_a_visible_message_never_makes_a_skewed_value_look_right(assignment):
    course = Course.of(assignment)
    for cell, answer in harness.skewed_answers(course.assignment.nb).items():
        answers = course.answers({cell: answer})
        for grade_id in course.tests_after(cell):
            failure = course.run(grade_id, answers, hidden=False)
            if failure is not None:
                check_fix(course, grade_id, answers, failure)


@pytest.mark.parametrize("assignment", assignment_names())
def test_in_the_whole_typical_submission_visible_tests_name_only_its_mistakes(assignment):
    """With mistakes carried from part to part, a kind a visible test names is still the part's own."""
    course = Course.of(assignment)
    spec = json.loads((GOLDEN / assignment / "typical-mistakes.json").read_text(encoding="utf-8"))
    answers = course.answers(spec["answers"])
    for cell, kind in spec["mistake_kinds"].items():
        kinds = kind if isinstance(kind, list) else [kind]
        for grade_id in course.tests_after(cell):
            failure = course.run(grade_id, answers, hidden=False)
            named = getattr(failure, "kind", None)
            assert named is None or named in kinds, f"{grade_id}: {failure}"


def test_the_checks_record_what_they_recognised():
    with pytest.raises(checks.CheckFailed) as percent:
        checks.check_fraction(25.7, "share", likely=(0.05, 1))
    assert percent.value.kind == "percent" and percent.value.fix(25.7) == pytest.approx(0.257)
    with pytest.raises(checks.CheckFailed) as inverted:
        checks.check_fraction(3.9, "share", likely=(0.05, 1))
    assert inverted.value.kind is None and inverted.value.fix is None
