"""The instructor's cycle: the class simulation end to end, and the documented commands.

`course-admin simulate` builds a temporary course, imports a roster, releases every
assignment, lets one simulated student per behaviour in src/platform_intl/instructor/behaviours/
fetch and submit through nbgrader's exchange, collects, autogrades (progress bar),
generates and releases feedback, lets the students fetch it, and exports grades. The
session-wide `simulation` fixture runs it once; test_robustness.py and test_leaks.py
check the same run. A second, small course goes through the commands of the instructor
guide one by one, with a student on the command line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS, assignment_names, entry

from platform_intl.instructor import behaviours, harness
from platform_intl.instructor import course as admin
from platform_intl.instructor.cli import main as course_admin_main
from platform_intl.instructor.notes import RECOVERY_FILE


def graded_students(simulation) -> list[str]:
    """The simulated students nbgrader can see: all but those with an id the intake refuses."""
    refused = {s["student_id"] for s in simulation["specs"].values() if "student_id" in s}
    return [sid for sid in simulation["summary"]["profiles"] if sid not in refused]


@pytest.mark.slow
def test_simulation_runs_the_whole_class_and_prints_a_summary(simulation):
    # Students whose ids nbgrader cannot see are refused by name (exit code 2), the others graded.
    refused = [n for n, s in simulation["specs"].items() if "student_id" in s]
    expected = {a: 2 if refused and a == simulation["first"] else 0 for a in simulation["assignments"]}
    assert simulation["summary"]["autograde_exit_codes"] == expected
    assert simulation["code"] == (2 if refused else 0), simulation["stdout"][-3000:]
    table = simulation["stdout"]
    for student in graded_students(simulation):
        assert student in table
    for assignment in simulation["assignments"]:
        assert assignment in table.splitlines()[0]
    assert "autograde " in simulation["stderr"] and "submission" in simulation["stderr"], "no progress bar"
    assert len(simulation["summary"]["profiles"]) == len(simulation["specs"])


@pytest.mark.slow
def test_every_assignment_is_released_submitted_and_graded(simulation):
    outbound = simulation["exchange"] / "platform-intl" / "outbound"
    for assignment in simulation["assignments"]:
        released = sorted(p.name for p in (outbound / assignment).glob("*.ipynb"))
        assert released and released == sorted(p.name for p in (ASSIGNMENTS / "source" / assignment).glob("*.ipynb"))
        maximum = simulation["summary"]["assignments"][assignment]["max_score"]
        assert maximum > 0
        scores = {s: entry(simulation, s, assignment) for s in admin.REFERENCE_PROFILES}
        assert all(e["graded"] for e in scores.values()), assignment
        assert scores["blank"]["code_score"] == 0
        assert 0 < scores["wrong-values"]["code_score"] < scores["correct"]["code_score"]
        assert 0 < scores["partial"]["code_score"] < scores["correct"]["code_score"]
        assert scores["correct"]["needs_manual_grade"], "written answers wait for the Formgrader"


@pytest.mark.slow
def test_roster_is_imported_into_the_gradebook(simulation):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{simulation['course'] / 'gradebook.db'}") as gb:
        students = {s.id: s for s in gb.students}
    # The roster refuses the ids nbgrader could never grade (named when the roster is imported).
    assert set(students) == set(graded_students(simulation))
    roster = list(csv.DictReader(open(simulation["root"] / "roster.csv")))
    for row in roster:
        student = students[row["id"]]
        assert (student.email, student.lms_user_id, student.last_name) == (
            row["email"],
            row["lms_user_id"],
            row["last_name"],
        )


@pytest.mark.slow
def test_students_fetch_their_feedback(simulation):
    """Every student gets feedback for each notebook of the assignment they submitted, a
    renamed one too; a notebook the assignment does not have gets none."""
    homes = simulation["root"] / "students"
    for student in graded_students(simulation):
        for assignment, info in simulation["summary"]["students"][student]["assignments"].items():
            if not info["graded"]:
                continue
            record = simulation["course"] / "submitted" / student / assignment / RECOVERY_FILE
            renamed = json.loads(record.read_text()) if record.is_file() else {}
            graded = {p.stem for p in (ASSIGNMENTS / "source" / assignment).glob("*.ipynb")}
            graded |= {Path(entry["copied_from"]).stem for entry in renamed.values()}
            submitted = {p.stem for p in (homes / student / assignment).glob("*.ipynb")} & graded
            fetched = {p.stem for p in (homes / student / assignment / "feedback").glob("*/*.html")}
            assert submitted and submitted <= fetched, (student, assignment, submitted, fetched)
            assert fetched <= graded, f"{student} fetched feedback for notebooks of no assignment: {fetched - graded}"


@pytest.mark.slow
def test_grades_are_exported_for_nbgrader_and_for_an_lms(simulation):
    summary = simulation["summary"]
    students, assignments = summary["students"], list(summary["assignments"])
    rows = list(csv.DictReader(open(simulation["root"] / "grades.csv")))
    assert len(rows) == len(students) * len(assignments)

    with open(simulation["root"] / "lms-grades.csv", newline="") as fh:
        table = list(csv.reader(fh))
    header, possible, body = table[0], table[1], table[2:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Email"]
    assert header[5:] == assignments + ["Total"]
    assert possible[0] == "Points Possible"
    assert [float(x) for x in possible[5:-1]] == [summary["assignments"][a]["max_score"] for a in assignments]
    assert len(body) == len(students)
    for row in body:
        student = row[2]
        expected = [students[student]["assignments"][a]["score"] for a in assignments]
        assert [float(x) for x in row[5:-1]] == pytest.approx(expected), student
        assert float(row[-1]) == pytest.approx(sum(expected))
        assert row[1].startswith("LMS") and row[4] == f"{student}@example.edu"


@pytest.mark.slow
def test_manual_grading_in_the_formgrader_reaches_the_export(simulation, formgrader, tmp_path):
    first = simulation["first"]
    notebooks = formgrader("GET", f"/formgrader/api/student_notebook_submissions/correct/{first}")
    assert notebooks and notebooks[0]["needs_manual_grade"]
    grades = formgrader("GET", f"/formgrader/api/grades?submission_id={notebooks[0]['id']}")
    written = [g for g in grades if g["needs_manual_grade"]]
    assert written, "the written answer should wait for manual grading"
    for grade in written:
        formgrader("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": grade["max_score"]})
    course = admin.Course(root=simulation["course"], exchange=simulation["exchange"])
    _, lms = admin.export(course, tmp_path / "grades.csv", tmp_path / "lms.csv")
    rows = {r[2]: r for r in csv.reader(open(lms))}
    column = rows["SIS User ID"].index(first)
    before = entry(simulation, "correct")["score"]
    assert float(rows["correct"][column]) == before + sum(g["max_score"] for g in written)


def write_roster(path: Path, students: list[str]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        for n, sid in enumerate(students, 1):
            writer.writerow([sid, "Ada", f"Lovelace {n}", f"{sid}@example.edu", f"L{n}"])
    return path


def grade_written_answers(course_root, assignment: str, student: str) -> None:
    """Full marks for every part left for manual grading, as the Formgrader records them."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        for notebook in gb.find_submission(assignment, student).notebooks:
            for grade in notebook.grades:
                if grade.needs_manual_grade:
                    grade.manual_score = grade.max_score
                    grade.needs_manual_grade = False
        gb.db.commit()


@pytest.mark.slow
def test_the_documented_commands_run_the_cycle_on_one_machine(tmp_path, capsys):
    """The instructor guide's commands, in order, with one student on the command line."""
    assignment = assignment_names()[0]
    sandbox = harness.CourseSandbox(tmp_path / "course", source_course=ASSIGNMENTS)
    base = ["--course-dir", str(sandbox.root), "--exchange", str(sandbox.exchange)]
    home = tmp_path / "home" / "ada"

    def run(*args):
        assert course_admin_main(base + list(args)) == 0
        return capsys.readouterr().out

    run("roster", str(write_roster(tmp_path / "roster.csv", ["ada"])))
    run("release", assignment, "--duedate", "2099-01-01 00:00:00 UTC")
    run("fetch", assignment, "--student", "ada", "--home", str(home))
    folder = home / assignment
    source = sandbox.root / "source" / assignment
    for path in folder.glob("*.ipynb"):  # Ada answers everything
        nb = behaviours.starting_notebook(
            "correct", nbformat.read(str(path), as_version=4), nbformat.read(str(source / path.name), as_version=4)
        )
        nbformat.write(nb, str(path))
    run("submit", assignment, "--student", "ada", "--home", str(home))
    run("collect", assignment)
    table = run("autograde", assignment)
    assert "ada" in table
    # Her written answer waits for the Formgrader: feedback now would show it as 0.
    with pytest.raises(SystemExit, match="not graded yet.*ada"):
        course_admin_main(base + ["feedback", assignment])
    grade_written_answers(sandbox.root, assignment, "ada")
    run("feedback", assignment)
    run("fetch-feedback", assignment, "--student", "ada", "--home", str(home))
    assert list((folder / "feedback").glob("*/*.html"))
    run("export", "--to", str(tmp_path / "grades.csv"), "--lms", str(tmp_path / "lms.csv"))
    summary = json.loads(run("summary", "--json"))
    ada = summary["students"]["ada"]["assignments"][assignment]
    assert ada["graded"] and ada["late_penalty"] == 0 and ada["code_score"] > 0
    assert summary["assignments"][assignment]["duedate"].startswith("2099-01-01")
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert [r["student_id"] for r in rows] == ["ada"] and float(rows[0]["score"]) == ada["score"]


def test_late_policy_and_due_dates_live_in_the_committed_config():
    config = admin.Course(root=ASSIGNMENTS).config()
    assert config.AssignLatePenalties.plugin_class.endswith("late_policy.SubMarks")
    assert (config.SubMarks.penalty_per_unit, config.SubMarks.unit) == (1.0, "days")
    assert isinstance(admin.CourseAdmin(config=config).due_dates, dict)


def test_sub_marks_takes_points_per_started_unit_but_never_more_than_the_score():
    from platform_intl.instructor.late_policy import SubMarks

    policy = SubMarks(penalty_per_unit=1.0, unit="days")
    assert policy.late_submission_penalty("s", 5.0, 2) == 1
    assert policy.late_submission_penalty("s", 5.0, 86400 * 2 + 1) == 3
    assert policy.late_submission_penalty("s", 2.0, 86400 * 9) == 2
    assert SubMarks(grace_minutes=10).late_submission_penalty("s", 5.0, 300) == 0


def test_the_cli_documents_every_command(capsys):
    with pytest.raises(SystemExit):
        course_admin_main(["--help"])
    text = capsys.readouterr().out
    for command in (
        "roster",
        "release",
        "collect",
        "autograde",
        "feedback",
        "export",
        "summary",
        "fetch",
        "submit",
        "fetch-feedback",
        "simulate",
        "student-edition",
    ):
        assert command in text
