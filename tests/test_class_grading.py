"""A class graded in parallel: the same results as one by one, and a run that survives being killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS

from platform_intl.instructor import course as steps
from platform_intl.instructor import harness
from platform_intl.instructor.course import Course
from platform_intl.instructor.grading_pool import Journal
from platform_intl.instructor.summary import format_summary, summarize

pytestmark = pytest.mark.usefixtures("needs_sandbox")


def make_class(root: Path, assignment: str, size: int) -> tuple[harness.CourseSandbox, dict[str, str]]:
    """``size`` submissions: solutions, blanks and half-answered notebooks, in turn."""
    box = harness.CourseSandbox(root, source_course=ASSIGNMENTS)
    box.generate(assignment)
    released = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment, "release")}
    sources = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment)}
    solution = {n: harness.solution_answers(nb) for n, nb in sources.items()}
    for name, nb in released.items():  # and a written answer, for the Formgrader to grade
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
                solution[name][meta["grade_id"]] = "The figures count different things, so they do not compare."
    kinds = {
        "solution": {n: harness.with_answers(released[n], solution[n]) for n in released},
        "blank": released,
        "half": {n: harness.with_answers(released[n], dict(list(solution[n].items())[::2])) for n in released},
    }
    who = {}
    for i in range(size):
        kind = list(kinds)[i % len(kinds)]
        who[f"student{i:03d}"] = kind
        box.submit(assignment, f"student{i:03d}", kinds[kind])
    return box, who


def gradebook_rows(root: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(assignment):
            for nb in submission.notebooks:
                for grade in nb.grades:
                    rows[(submission.student.id, nb.name, grade.name)] = (
                        grade.auto_score,
                        grade.manual_score,
                        grade.needs_manual_grade,
                    )
                for comment in nb.comments:
                    rows[(submission.student.id, nb.name, comment.name, "comment")] = comment.auto_comment
    return rows


def merged_streams(outputs: list) -> list:
    """Outputs with each stream's text in one piece: how the kernel chunked a print is timing, not content."""
    merged: list = []
    for output in outputs:
        if output.get("output_type") == "stream":
            same = next((o for o in merged if o.get("output_type") == "stream" and o["name"] == output["name"]), None)
            if same is not None:
                same["text"] += output["text"]
                continue
        merged.append(dict(output))
    return merged


def graded_cells(root: Path, assignment: str) -> dict:
    """Every cell of every autograded notebook: type, source and outputs (run-specific timing left out)."""
    cells = {}
    for path in sorted((root / "autograded").glob(f"*/{assignment}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            outputs = json.dumps(merged_streams(cell.get("outputs", [])), sort_keys=True)
            cells[(path.parts[-3], path.name, index)] = (cell.cell_type, cell.source, outputs)
    return cells


def feedback_pages(root: Path, assignment: str) -> dict:
    return {
        (p.parts[-3], p.name): p.read_text(encoding="utf-8")
        for p in sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
    }


def snapshot(root: Path, assignment: str) -> tuple[dict, dict, dict]:
    return gradebook_rows(root, assignment), graded_cells(root, assignment), feedback_pages(root, assignment)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_parallel_grading_gives_exactly_what_grading_one_by_one_gives(tmp_path):
    assignment = "ps1_reading_the_numbers"
    box, _ = make_class(tmp_path / "course", assignment, 6)
    course = Course(root=box.root, exchange=box.exchange, progress=False)

    assert steps.autograde(course, assignment, jobs=1) == 0
    assert course.last_run.jobs == 1
    # The written answers are not graded yet: feedback would show them as 0, so it is refused.
    with pytest.raises(SystemExit, match="not graded yet"):
        steps.feedback(course, assignment)
    steps.feedback(course, assignment, allow_ungraded=True)
    one = snapshot(box.root, assignment)

    assert steps.autograde(course, assignment, jobs=2, force=True) == 0
    assert course.last_run.jobs == 2 and len(course.last_run.graded) == 6
    steps.feedback(course, assignment, allow_ungraded=True)
    two = snapshot(box.root, assignment)

    assert len(one[0]) > 6 * 10 and len(one[1]) > 6 * 20 and len(one[2]) == 6
    for what, first, second in zip(("gradebook", "graded cells", "feedback pages"), one, two, strict=True):
        differing = [key for key in first.keys() | second.keys() if first.get(key) != second.get(key)]
        shown = [(key, str(first.get(key))[:600], str(second.get(key))[:600]) for key in differing[:2]]
        assert not differing, f"{what} differ between one by one and in parallel: {differing[:5]}; first: {shown}"


def _done(journal: Journal) -> int:
    return sum(1 for e in journal.entries() if e["event"] == "done")


def _wait(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _workers(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        children = [int(c) for c in f.read().split()]
    out = []
    for child in children:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"grading_worker" in f.read():
                    out.append(child)
        except OSError:
            continue
    return out


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_class_of_100_survives_a_killed_worker_and_a_killed_run(tmp_path):
    assignment = "ps0_orientation"
    box, who = make_class(tmp_path / "course", assignment, 100)
    course = Course(root=box.root, exchange=box.exchange, progress=False)
    journal = Journal(box.root, assignment)
    cmd = [sys.executable, "-m", "platform_intl.instructor", "--course-dir", str(box.root), "autograde", assignment]
    run = subprocess.Popen(
        [*cmd, "--jobs", "2"],
        env=course.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # A worker killed mid-run (out of memory, an operator's kill): its student goes to a new one.
        _wait(lambda: _done(journal) >= 10, 600)
        victim = _workers(run.pid)[0]
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: any(e["event"] == "interrupted" for e in journal.entries()), 60)
        # Then the whole command killed (a reboot, a closed terminal): workers and kernels with it.
        _wait(lambda: _done(journal) >= 40, 600)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    first_run = journal.last_events()
    done_first = {s for s, e in first_run.items() if e["event"] == "done"}
    cut_short = journal.interrupted()
    assert 40 <= len(done_first) < 100
    assert cut_short, "the kill fell between two students; the test did not test an interruption"
    retried = [e for e in journal.entries() if e["event"] == "interrupted"]
    assert retried and "exit code -9" in retried[0]["reason"]
    assert first_run[retried[0]["student"]]["event"] == "done"  # handed to a new worker and finished

    # Until the class is finished, the half-written entries show as such and go nowhere.
    summary = summarize(course, [assignment])
    for student in cut_short:
        assert summary["students"][student]["assignments"][assignment]["interrupted"]
    assert "interrupted" in format_summary(summary)
    with pytest.raises(SystemExit, match="interrupted"):
        steps.export(course)
    with pytest.raises(SystemExit, match="interrupted"):
        steps.feedback(course, assignment)

    # Running the command again finishes the class; nobody graded in the first run is graded twice.
    assert steps.autograde(course, assignment, jobs=2) == 0
    second = course.last_run
    assert set(cut_short) <= set(second.resumed) and set(cut_short) <= set(second.graded)
    assert not set(second.graded) & done_first
    assert set(second.skipped) == done_first
    assert not journal.interrupted()
    assert {s: e["event"] for s, e in journal.last_events().items()} == dict.fromkeys(who, "done")

    # Every student once, every grade written, each the score their answers earn.
    scores = box.scores(assignment)
    assert len(scores) == 100
    expected = {}
    for (student, _notebook), score in scores.items():
        assert len(score.grades) == len(score.max_points)
        assert all(v is not None for g, v in score.grades.items() if g not in score.needs_manual_grade)
        expected.setdefault(who[student], set()).add(score.autograded(score.max_points))
    assert all(len(values) == 1 for values in expected.values()), expected
    assert expected["blank"] == {0} and min(expected["solution"]) > min(expected["half"]) > 0
    with sqlite3.connect(box.root / "gradebook.db") as db:
        (submissions,) = db.execute("select count(*) from submitted_assignment").fetchone()
    assert submissions == 100
    steps.export(course)  # now allowed


def test_sqlite_gradebook_takes_concurrent_read_then_write_transactions(tmp_path):
    """Four processes each add 1 to a counter 50 times, reading it first (as nbgrader's updates do)."""
    db = tmp_path / "gradebook.db"
    with sqlite3.connect(db) as con:
        con.execute("create table counter (n integer)")
        con.execute("insert into counter values (0)")
    script = f"""
from platform_intl.instructor.gradebook_lock import serialize_sqlite_writes
serialize_sqlite_writes(busy_timeout=60)
from sqlalchemy import create_engine, text
engine = create_engine("sqlite:///{db}")
for _ in range(50):
    with engine.begin() as connection:
        n = connection.execute(text("select n from counter")).scalar()
        connection.execute(text("update counter set n = :n"), {{"n": n + 1}})
"""
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    with sqlite3.connect(db) as con:
        assert con.execute("select n from counter").fetchone() == (200,)  # no update lost, none failed


def test_jobs_must_be_positive(capsys):
    from platform_intl.instructor.cli import main

    with pytest.raises(SystemExit, match="--jobs must be 1 or more"):
        main(["--course-dir", str(ASSIGNMENTS), "autograde", "ps0_orientation", "--jobs", "0"])


def test_the_journal_counts_every_unfinished_grading_as_interrupted(tmp_path):
    journal = Journal(tmp_path, "ps1")
    journal.write("ada", "started")
    journal.write("ada", "done")
    journal.write("bo", "started")  # the run stopped here
    journal.write("cy", "started")
    journal.write("cy", "interrupted", reason="the grading worker ended with exit code -9")  # then stopped
    journal.write("di", "started")
    journal.write("di", "failed", message="nbgrader could not grade this submission")
    with open(journal.path, "a", encoding="utf-8") as f:
        f.write('{"student": "ed", "event": "do')  # a line cut by a crash
    assert journal.interrupted() == ["bo", "cy"]
    assert {s: e["event"] for s, e in journal.last_events().items()} == {
        "ada": "done",
        "bo": "started",
        "cy": "interrupted",
        "di": "failed",
    }


HIJACK = """
import sys, types
# Replace the grader's capture program: publish a payload shaped like a verdict, not answers.
forged = "from IPython.display import publish_display_data\\n" \\
    "publish_display_data({_mime: {'status': 'pass', 'score': 100, 'names': _names, 'answers': {}}})"
sys.modules['_platform_intl_capture'] = types.SimpleNamespace(program=compile(forged, '<forged>', 'exec'))
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_blank_notebook_that_replaces_the_capture_program_scores_nothing(tmp_path):
    """The capture program left in the kernel can be replaced: what it sends is still only data."""
    assignment = "ps0_orientation"
    box = harness.CourseSandbox(tmp_path / "course", source_course=ASSIGNMENTS)
    box.generate(assignment)
    released = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment, "release")}
    sources = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment)}
    first_answer = {n: next(iter(harness.solution_answers(nb))) for n, nb in sources.items()}
    box.submit(
        assignment, "forger", {n: harness.with_answers(released[n], {first_answer[n]: HIJACK}) for n in released}
    )
    box.submit(
        assignment,
        "honest",
        {n: harness.with_answers(released[n], harness.solution_answers(sources[n])) for n in released},
    )
    course = Course(root=box.root, exchange=box.exchange, progress=False)
    assert steps.autograde(course, assignment, jobs=2) == 0
    scores = box.scores(assignment)
    forged = [s for (student, _), s in scores.items() if student == "forger"]
    honest = [s for (student, _), s in scores.items() if student == "honest"]
    assert forged and all(s.autograded(s.max_points) == 0 for s in forged)
    assert honest and all(s.autograded(s.max_points) > 0 for s in honest)  # the other student is untouched
    notes = summarize(course, [assignment])["students"]["forger"]["assignments"][assignment]["notes"]
    assert any(n["kind"] in ("refused", "verdict") for n in notes), notes  # and the grader is told
