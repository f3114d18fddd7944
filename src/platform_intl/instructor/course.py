"""The instructor's steps on a course folder, each wrapping nbgrader's own command."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Unicode
from traitlets.config import Configurable

from . import harness

#: The submission behaviours ``course-admin simulate`` plays (package data, one JSON file each).
DEFAULT_FIXTURES = Path(__file__).resolve().parent / "behaviours"
REFERENCE_PROFILES = ("correct", "partial", "wrong-values", "blank")
SIMULATED_WRITTEN_ANSWER = (
    "(Simulated answer.) The two figures count different things, so they "
    "cannot be compared directly; a like-for-like comparison needs the same metric."
)


def _num(value) -> str:
    return f"{float(value):g}"


class CourseAdmin(Configurable):
    """Course settings that nbgrader has no place for; set in ``nbgrader_config.py``."""

    due_dates = Dict(
        value_trait=Unicode(),
        default_value={},
        help="Due date per assignment, e.g. {'ps1': '2027-02-05 23:59:00 Europe/Copenhagen'}. "
        "`course-admin release` writes it into the gradebook, where nbgrader's late "
        "penalty (AssignLatePenalties) and the Formgrader read it.",
    ).tag(config=True)


class LmsGradesExport(ExportPlugin):
    """``nbgrader export`` plugin: one row per student, one column per assignment.

    The layout of Canvas's gradebook CSV (Student, ID, SIS User ID, ...; a "Points
    Possible" row), which Moodle's "Import grades: CSV file" also reads (map the "Email"
    or "SIS User ID" column to the user). Scores are after late penalties; a missing
    submission counts 0, as in nbgrader's own export.
    """

    def export(self, gradebook) -> None:
        from nbgrader.api import MissingEntry

        dest = self.to or "lms-grades.csv"
        assignments = [a for a in gradebook.assignments if not self.assignment or a.name in self.assignment]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Email"] + [a.name for a in assignments] + ["Total"]
        rows = [
            ["Points Possible", "", "", "", ""]
            + [_num(a.max_score) for a in assignments]
            + [_num(sum(a.max_score for a in assignments))]
        ]
        for student in students:
            scores = []
            for assignment in assignments:
                try:
                    sub = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    scores.append(0.0)
                else:
                    scores.append(max(0.0, sub.score - (sub.late_submission_penalty or 0.0)))
            name = ", ".join(p for p in (student.last_name, student.first_name) if p) or student.id
            rows.append(
                [name, student.lms_user_id or "", student.id, student.id, student.email or ""]
                + [_num(s) for s in scores]
                + [_num(sum(scores))]
            )
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        self.log.info("Exported %d students x %d assignments to %s", len(students), len(assignments), dest)


# ------------------------------------------------------------------------ running


@dataclass
class Course:
    """An nbgrader course root and the environment its commands run in."""

    root: Path
    exchange: Path | None = None
    progress: bool = True
    log: list[str] = field(default_factory=list)
    last_run: object = None  # the last autograde's grading_pool.ClassRun

    def env(self) -> dict[str, str]:
        extra = {"NBGRADER_EXCHANGE": str(self.exchange)} if self.exchange else {}
        return harness.nbgrader_env(extra)

    def config(self):
        """The course's nbgrader configuration, as nbgrader itself loads it."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    @property
    def course_id(self) -> str:
        return str(self.config().CourseDirectory.get("course_id", "default_course"))

    @property
    def exchange_root(self) -> Path:
        return Path(self.exchange or self.config().Exchange.get("root", "/usr/local/share/nbgrader/exchange"))

    @property
    def db_url(self) -> str:
        return str(self.config().CourseDirectory.get("db_url", "") or f"sqlite:///{self.root / 'gradebook.db'}")

    def due_dates(self) -> dict[str, str]:
        return dict(CourseAdmin(config=self.config()).due_dates)

    def nbgrader(self, *args: str, check: bool = True, cwd: Path | None = None, quiet: bool = True) -> str:
        cmd = [sys.executable, "-m", "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=cwd or self.root, env=self.env(), capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        self.log.append(f"$ nbgrader {' '.join(args)}\n{output}")
        if not quiet:
            print(output, end="")
        if check and proc.returncode != 0:
            raise SystemExit(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{output[-3000:]}")
        return output

    def assignments(self) -> list[str]:
        return harness.assignment_names(self.root)

    def submissions(self, assignment: str) -> list[str]:
        folder = self.root / "submitted"
        return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


# ------------------------------------------------------------- instructor steps


def import_roster(course: Course, csv_path: Path) -> str:
    """Students into the gradebook: columns id, first_name, last_name, email, lms_user_id.

    Refuses ids that nbgrader's folder scan would silently skip at autograde (see
    :data:`~.intake.SKIPPED_ID_RULE`), naming each one.
    """
    from .intake import SKIPPED_ID_RULE, _scannable

    with open(csv_path, newline="", encoding="utf-8") as fh:
        bad = [row.get("id", "") for row in csv.DictReader(fh) if not _scannable(row.get("id", ""))]
    if bad:
        raise SystemExit(
            f"roster refused: {', '.join(map(repr, bad))}: {SKIPPED_ID_RULE}, because nbgrader "
            "would never find their submissions. Give these students other ids."
        )
    return course.nbgrader("db", "student", "import", str(Path(csv_path).resolve()))


def release(course: Course, assignment: str, duedate: str | None = None) -> None:
    course.nbgrader("generate_assignment", assignment, "--force")
    duedate = duedate or course.due_dates().get(assignment)
    if duedate:
        course.nbgrader("db", "assignment", "add", assignment, f"--duedate={duedate}")
    course.nbgrader("release_assignment", assignment, "--force")


def collect(course: Course, assignment: str) -> list[str]:
    """``nbgrader collect``; then names every submission nbgrader's scan skipped (it never says).

    Returns the refused student ids (also printed, and kept in the course log).
    """
    from .intake import SKIPPED_ID_RULE, _scannable

    course.nbgrader("collect", assignment, "--update")
    inbound = course.exchange_root / course.course_id / "inbound"
    refused = (
        sorted(
            {p.name.split("+")[0] for p in inbound.glob(f".*+{assignment}+*")}
            | {p.name.split("+")[0] for p in inbound.glob(f"*+{assignment}+*") if not _scannable(p.name.split("+")[0])}
        )
        if inbound.is_dir()
        else []
    )
    if refused:
        message = (
            f"REFUSED at intake: submissions of {', '.join(map(repr, refused))} for {assignment}: "
            f"{SKIPPED_ID_RULE}. They are kept in the exchange; give these students valid ids."
        )
        print(message, file=sys.stderr)
        course.log.append(message)
    return refused


def autograde(
    course: Course, assignment: str, *, student: str | None = None, force: bool = False, jobs: int | None = None
) -> int:
    """Grade the class with ``jobs`` parallel workers (default: one per core), resumably.

    Returns 0 when every submission was graded, 1 when some could not be (named on stderr),
    2 when some were refused at intake (ids nbgrader cannot scan).
    """
    from .grading_pool import grade_class
    from .intake import SKIPPED_ID_RULE, _scannable, skipped_student_ids

    skipped = skipped_student_ids(course.root / "submitted", assignment)
    if skipped:
        message = (
            f"NOT GRADED: submissions of {', '.join(map(repr, skipped))} for {assignment}: {SKIPPED_ID_RULE}. "
            "Rename the folder(s) in submitted/ and the roster entry to a valid id, then autograde again."
        )
        print(message, file=sys.stderr)
        course.log.append(message)
    students = [student] if student else [s for s in course.submissions(assignment) if _scannable(s)]
    run = grade_class(course, assignment, students, jobs=jobs, force=force, progress=course.progress)
    course.last_run = run
    lines = [
        f"$ course-admin autograde {assignment} --jobs {run.jobs}: {len(run.graded)} graded, "
        f"{len(run.skipped)} already graded, {len(run.failed)} failed in {run.seconds:.1f} s"
    ]
    if run.empty:
        lines.append(f"no notebook handed in (nothing to grade): {', '.join(run.empty)}")
    if run.resumed:
        lines.append(f"regraded from scratch after an interrupted run: {', '.join(run.resumed)}")
    if run.retried:
        lines.append(
            "graded again (a worker stopped, or the kernel failed to start before their code ran): "
            + ", ".join(run.retried)
        )
    for name, message in run.failed.items():
        lines.append(f"FAILED {name}: {message}")
    lines += [f"--- nbgrader's log for {name}:\n{log[-3000:]}" for name, log in run.logs.items()]
    course.log.append("\n".join(lines))
    for line in lines[1:]:
        if not line.startswith("---"):
            print(line, file=sys.stderr)
    return 1 if run.failed else (2 if skipped else 0)


def refuse_if_interrupted(course: Course, assignment: str, action: str) -> None:
    """Stop ``action`` while a grading run of ``assignment`` is unfinished (its grades may be half-written)."""
    from .grading_pool import interrupted_students

    stuck = interrupted_students(course.root, assignment)
    if stuck:
        raise SystemExit(
            f"{action} refused: the grading of {', '.join(stuck)} for {assignment} was interrupted, so their "
            f"gradebook entries may be half-written. Run `course-admin autograde {assignment}` again first "
            "(it regrades only them)."
        )


def ungraded_written_answers(course: Course, assignment: str) -> list[str]:
    """Students of ``assignment`` with a part still waiting for manual grading."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(course.db_url) as gb:
            return sorted(s.student.id for s in gb.assignment_submissions(assignment) if s.needs_manual_grade)
    except MissingEntry:
        return []


def feedback(course: Course, assignment: str, *, allow_ungraded: bool = False) -> None:
    """Generate and release feedback; refused while written answers wait for grading (unless allowed)."""
    refuse_if_interrupted(course, assignment, "feedback")
    waiting = [] if allow_ungraded else ungraded_written_answers(course, assignment)
    if waiting:
        shown = ", ".join(waiting[:10]) + (f" and {len(waiting) - 10} more" if len(waiting) > 10 else "")
        raise SystemExit(
            f"feedback refused: written answers of {len(waiting)} student(s) for {assignment} are not graded "
            f"yet ({shown}); their feedback would show 0 for them. Grade them in the Formgrader first, or "
            f"run `course-admin feedback {assignment} --allow-ungraded` to release it anyway."
        )
    course.nbgrader("generate_feedback", assignment, "--force")
    course.nbgrader("release_feedback", assignment)


def export(course: Course, to: Path | None = None, lms: Path | None = None) -> tuple[Path, Path]:
    for assignment in course.assignments():
        refuse_if_interrupted(course, assignment, "export")
    to = Path(to or course.root / "grades.csv").resolve()
    lms = Path(lms or course.root / "lms-grades.csv").resolve()
    course.nbgrader("export", f"--to={to}")
    course.nbgrader("export", "--exporter=platform_intl.instructor.course.LmsGradesExport", f"--to={lms}")
    return to, lms
