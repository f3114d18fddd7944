"""The instructor's side of the course in short commands, all wrapping nbgrader's own.

    course-admin roster roster.csv           students into the gradebook (nbgrader db student import)
    course-admin release ASSIGNMENT          generate_assignment, due date, release_assignment
    course-admin collect ASSIGNMENT          nbgrader collect --update
    course-admin autograde ASSIGNMENT        nbgrader autograde, with a progress bar and the grader notes
    course-admin feedback ASSIGNMENT         generate_feedback and release_feedback
    course-admin export                      grades.csv (nbgrader's) and lms-grades.csv (one row per student)
    course-admin summary [ASSIGNMENT ...]    scores, late penalties and grader notes per student

A student's side, for trying the cycle on one machine (the Assignment List does the same):

    course-admin fetch ASSIGNMENT --student ID --home DIR
    course-admin submit ASSIGNMENT --student ID --home DIR
    course-admin fetch-feedback ASSIGNMENT --student ID --home DIR

And two more:

    course-admin simulate [--students N]     a whole class through the cycle in a temporary course
    course-admin student-edition DIR         what students receive, without instructor material

``python -m platform_intl.instructor`` is the same as ``course-admin``. Instructor commands
run nbgrader in the course root (``assignments/``, or ``--course-dir``) and so read its
``nbgrader_config.py``, exactly as ``nbgrader`` and the Formgrader do.
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from traitlets import Dict, Unicode
from traitlets.config import Configurable

from nbgrader.plugins import ExportPlugin

from . import grading
from .robust_grading import NOTE_KINDS, grader_notes

REPO_ROOT = grading.REPO_ROOT
DEFAULT_COURSE = grading.COURSE_DIR
DEFAULT_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "submissions"
#: Modules of the helper package that only instructors use; the student edition omits them.
INSTRUCTOR_ONLY_MODULES = ("grading.py", "instructor.py", "robust_grading.py")
REFERENCE_PROFILES = ("correct", "partial", "wrong-values", "blank")
SIMULATED_WRITTEN_ANSWER = ("(Simulated answer.) The two figures count different things, so they "
                            "cannot be compared directly; a like-for-like comparison needs the same metric.")


class CourseAdmin(Configurable):
    """Course settings that nbgrader has no place for; set in ``nbgrader_config.py``."""

    due_dates = Dict(
        value_trait=Unicode(), default_value={},
        help="Due date per assignment, e.g. {'ps1': '2027-02-05 23:59:00 Europe/Copenhagen'}. "
             "`course-admin release` writes it into the gradebook, where nbgrader's late "
             "penalty (AssignLatePenalties) and the Formgrader read it.").tag(config=True)


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
        rows = [["Points Possible", "", "", "", ""] + [_num(a.max_score) for a in assignments]
                + [_num(sum(a.max_score for a in assignments))]]
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
            rows.append([name, student.lms_user_id or "", student.id, student.id, student.email or ""]
                        + [_num(s) for s in scores] + [_num(sum(scores))])
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        self.log.info("Exported %d students x %d assignments to %s", len(students), len(assignments), dest)


def _num(value) -> str:
    return f"{float(value):g}"


# ------------------------------------------------------------------------ running

@dataclass
class Course:
    """An nbgrader course root and the environment its commands run in."""

    root: Path = DEFAULT_COURSE
    exchange: Path | None = None
    progress: bool = True
    log: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        extra = {"NBGRADER_EXCHANGE": str(self.exchange)} if self.exchange else {}
        return grading.nbgrader_env(extra)

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
        return grading.assignment_names(self.root)

    def submissions(self, assignment: str) -> list[str]:
        folder = self.root / "submitted"
        return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


# ------------------------------------------------------------- instructor steps

def import_roster(course: Course, csv_path: Path) -> str:
    """Students into the gradebook: columns id, first_name, last_name, email, lms_user_id."""
    return course.nbgrader("db", "student", "import", str(Path(csv_path).resolve()))


def release(course: Course, assignment: str, duedate: str | None = None) -> None:
    course.nbgrader("generate_assignment", assignment, "--force")
    duedate = duedate or course.due_dates().get(assignment)
    if duedate:
        course.nbgrader("db", "assignment", "add", assignment, f"--duedate={duedate}")
    course.nbgrader("release_assignment", assignment, "--force")


def collect(course: Course, assignment: str) -> None:
    course.nbgrader("collect", assignment, "--update")


def autograde(course: Course, assignment: str, *, student: str | None = None, force: bool = False) -> int:
    """``nbgrader autograde`` with a progress bar; the exit code of nbgrader."""
    from tqdm import tqdm

    students = [student] if student else course.submissions(assignment)
    args = [sys.executable, "-m", "nbgrader", "autograde", assignment]
    if student:
        args.append(f"--student={student}")
    if force:
        args.append("--force")
    proc = subprocess.Popen(args, cwd=course.root, env=course.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    start = re.compile(r"Creating/updating student with ID '([^']+)'")
    done = re.compile(r"Setting destination file permissions|Removing failed assignment|Skipping existing assignment")
    with tqdm(total=len(students), desc=f"autograde {assignment}", unit="submission",
              disable=not course.progress, file=sys.stderr) as bar:
        for line in proc.stdout:
            lines.append(line)
            match = start.search(line)
            if match:
                bar.set_postfix_str(match.group(1))
            if done.search(line) and bar.n < bar.total:
                bar.update(1)
        returncode = proc.wait()
        bar.update(bar.total - bar.n)
    course.log.append(f"$ nbgrader autograde {assignment}\n" + "".join(lines))
    return returncode


def feedback(course: Course, assignment: str) -> None:
    course.nbgrader("generate_feedback", assignment, "--force")
    course.nbgrader("release_feedback", assignment)


def export(course: Course, to: Path | None = None, lms: Path | None = None) -> tuple[Path, Path]:
    to = Path(to or course.root / "grades.csv").resolve()
    lms = Path(lms or course.root / "lms-grades.csv").resolve()
    course.nbgrader("export", f"--to={to}")
    course.nbgrader("export", "--exporter=platform_intl.instructor.LmsGradesExport", f"--to={lms}")
    return to, lms


# ------------------------------------------------------------------ student steps

def _exchange_config(course_id: str, exchange: Path, home: Path, assignment: str, student: str):
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.course_id = course_id
    cfg.CourseDirectory.assignment_id = assignment
    cfg.CourseDirectory.student_id = student
    cfg.CourseDirectory.root = str(home)
    cfg.Exchange.root = str(exchange)
    cfg.Exchange.cache = str(home / ".nbgrader-cache")
    cfg.Exchange.assignment_dir = str(home)
    return cfg


def student_exchange(action: str, *, course_id: str, exchange: Path, home: Path, assignment: str,
                     student: str) -> None:
    """A student's fetch, submit or fetch-feedback through nbgrader's exchange, in process.

    The same classes ``nbgrader fetch_assignment``/``submit``/``fetch_feedback`` use, with
    ``CourseDirectory.student_id`` naming the student and a cache per student, so that
    many students can share one machine (used by the simulation: a process per student
    and step would cost a second or more each).
    """
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit

    classes = {"fetch": ExchangeFetchAssignment, "submit": ExchangeSubmit, "fetch-feedback": ExchangeFetchFeedback}
    home.mkdir(parents=True, exist_ok=True)
    cfg = _exchange_config(course_id, exchange, home, assignment, student)
    coursedir = CourseDirectory(config=cfg)
    classes[action](coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg).start()


def student_command(course: Course, action: str, assignment: str, student: str, home: Path) -> str:
    """The nbgrader command a student runs (in their home folder), for one-machine trials."""
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    command = {"fetch": "fetch_assignment", "submit": "submit", "fetch-feedback": "fetch_feedback"}[action]
    return course.nbgrader(command, assignment, f"--course={course.course_id}", f"--student={student}",
                           f"--Exchange.root={course.exchange_root}",
                           f"--Exchange.cache={home / '.nbgrader-cache'}", cwd=home, quiet=False)


# ------------------------------------------------------------------------ summary

def summarize(course: Course, assignments: list[str] | None = None) -> dict:
    """Per student and assignment: scores, penalty, manual grading left, grader notes."""
    from nbgrader.api import Gradebook, MissingEntry

    assignments = assignments or course.assignments()
    out: dict = {"assignments": {}, "students": {}}
    with Gradebook(course.db_url) as gb:
        known = {a.name: a for a in gb.assignments}
        for name in assignments:
            if name in known:
                out["assignments"][name] = {"max_score": known[name].max_score,
                                            "duedate": str(known[name].duedate or "")}
        for student in gb.students:
            row = out["students"].setdefault(student.id, {"first_name": student.first_name,
                                                          "last_name": student.last_name, "assignments": {}})
            for name in out["assignments"]:
                entry = {"graded": False, "score": 0.0, "raw_score": 0.0, "code_score": 0.0,
                         "late_penalty": 0.0, "needs_manual_grade": False, "notes": [], "files": []}
                folder = course.root / "submitted" / student.id / name
                if folder.is_dir():
                    entry["files"] = sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt")
                try:
                    sub = gb.find_submission(name, student.id)
                except MissingEntry:
                    if folder.is_dir() and not any(f.endswith(".ipynb") for f in entry["files"]):
                        entry["notes"].append({"kind": "no-notebook", "message": "The submission holds no "
                                               f"notebook (files: {', '.join(entry['files']) or 'none'})."})
                    row["assignments"][name] = entry
                    continue
                penalty = sub.late_submission_penalty or 0.0
                entry.update(graded=True, raw_score=sub.score, score=max(0.0, sub.score - penalty),
                             code_score=sub.code_score, late_penalty=penalty,
                             seconds_late=sub.total_seconds_late,
                             needs_manual_grade=bool(sub.needs_manual_grade))
                for nb in sorted((course.root / "autograded" / student.id / name).glob("*.ipynb")):
                    for note in grader_notes(nbformat.read(str(nb), as_version=4)):
                        entry["notes"].append(dict(note, notebook=nb.stem))
                row["assignments"][name] = entry
    return out


def format_summary(summary: dict, profiles: dict[str, str] | None = None) -> str:
    names = list(summary["assignments"])
    header = ["student"] + (["behaviour"] if profiles else []) + names + ["late", "manual", "grader notes"]
    rows = []
    for sid, info in sorted(summary["students"].items()):
        cells = [sid] + ([profiles.get(sid, "")] if profiles else [])
        late, manual, notes = [], 0, []
        for name in names:
            entry = info["assignments"].get(name, {})
            maximum = summary["assignments"][name]["max_score"]
            if not entry.get("graded"):
                cells.append("-" if not entry.get("files") else "not graded")
            else:
                cells.append(f"{entry['score']:g}/{maximum:g}")
            if entry.get("late_penalty"):
                late.append(f"-{entry['late_penalty']:g}")
            manual += bool(entry.get("needs_manual_grade"))
            notes += [n["kind"] for n in entry.get("notes", [])]
        cells += [" ".join(late) or "-", str(manual) if manual else "-",
                  ", ".join(dict.fromkeys(notes)) or "-"]
        rows.append(cells)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = sorted({n for r in rows for n in r[-1].split(", ") if n in NOTE_KINDS})
    if legend:
        lines += [""] + [f"  {kind}: {NOTE_KINDS[kind]}" for kind in legend]
    return "\n".join(lines)


# -------------------------------------------------------------- submission specs

def load_specs(folder: Path = DEFAULT_FIXTURES) -> dict[str, dict]:
    """Submission behaviours: ``<name>.json`` files (see tests/fixtures/submissions/README.md)."""
    specs = {}
    for path in sorted(Path(folder).glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        spec.setdefault("start_from", "correct")
        spec.setdefault("operations", [])
        spec.setdefault("assignments", "all" if path.stem in REFERENCE_PROFILES else "first")
        specs[path.stem] = spec
    for name in REFERENCE_PROFILES:
        specs.setdefault(name, {"behaviour": name, "start_from": name, "operations": [],
                                "assignments": "all", "expect": {"score_as": name}})
    ordered = {n: specs[n] for n in REFERENCE_PROFILES}
    ordered.update({n: s for n, s in specs.items() if n not in ordered})
    return ordered


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def select_cells(nb, source_nb, selector: str) -> list:
    """Cells of ``nb`` named by a selector such as ``answer:0``, ``test:-1``, ``hidden-test:0``,
    ``read-only:0``, ``written:0`` or ``id:<grade_id>``, so specs work for any assignment."""
    kind, _, which = selector.partition(":")
    if kind == "id":
        return [c for c in nb.cells if _meta(c).get("grade_id") == which]
    hidden = {_meta(c).get("grade_id") for c in source_nb.cells if "BEGIN HIDDEN TESTS" in c.source}
    tests = {
        "answer": lambda c: grading.is_answer_cell(c) and c.cell_type == "code",
        "written": lambda c: grading.is_answer_cell(c) and c.cell_type == "markdown",
        "test": grading.is_autograder_test,
        "hidden-test": lambda c: grading.is_autograder_test(c) and _meta(c).get("grade_id") in hidden,
        "read-only": lambda c: c.cell_type == "code" and _meta(c).get("locked") and not _meta(c).get("grade"),
    }
    if kind not in tests:
        raise ValueError(f"unknown cell selector {selector!r}")
    matching = [c for c in nb.cells if tests[kind](c)]
    if which in ("", "*"):
        return matching
    index = int(which)
    if not -len(matching) <= index < len(matching):
        raise ValueError(f"{selector!r}: the notebook has {len(matching)} such cells")
    return [matching[index]]


def starting_notebook(profile: str, release_nb, source_nb):
    """A released notebook answered as one of the reference students would."""
    if profile == "blank":
        return copy.deepcopy(release_nb)
    if profile == "wrong-values":
        nb = grading.with_answers(release_nb, grading.skewed_answers(source_nb))
    elif profile in ("correct", "partial"):
        answers = grading.solution_answers(source_nb)
        if profile == "partial":
            first = [_meta(c)["grade_id"] for c in release_nb.cells
                     if grading.is_answer_cell(c) and c.cell_type == "code"][:1]
            answers = {k: v for k, v in answers.items() if k not in first}
        nb = grading.with_answers(release_nb, answers)
    else:
        raise ValueError(f"unknown starting point {profile!r} (use one of {REFERENCE_PROFILES})")
    if profile == "correct":
        for cell in nb.cells:
            if grading.is_answer_cell(cell) and cell.cell_type == "markdown":
                cell.source = SIMULATED_WRITTEN_ANSWER
    return nb


def apply_spec(spec: dict, folder: Path, source_dir: Path) -> None:
    """Turn a fetched assignment folder into what the spec's student submits."""
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    if not names:
        raise FileNotFoundError(f"no released notebook in {folder}")
    notebooks = {}
    for name in names:
        release_nb = nbformat.read(str(folder / name), as_version=4)
        source_nb = nbformat.read(str(source_dir / name), as_version=4)
        notebooks[name] = [starting_notebook(spec["start_from"], release_nb, source_nb), source_nb]
    files: dict[str, object] = {name: pair[0] for name, pair in notebooks.items()}
    for op in spec["operations"]:
        name = op.get("notebook", names[0])
        if name not in notebooks:
            raise ValueError(f"spec names notebook {name!r}; the assignment has {names}")
        nb, source_nb = notebooks[name]
        kind = op["op"]
        if kind in ("replace", "prepend", "append", "delete", "duplicate", "set_points", "set_metadata"):
            for cell in select_cells(nb, source_nb, op["cell"]):
                if kind == "replace":
                    cell.source = op["source"]
                elif kind == "prepend":
                    cell.source = op["source"].rstrip("\n") + "\n" + cell.source
                elif kind == "append":
                    cell.source = cell.source.rstrip("\n") + "\n" + op["source"]
                elif kind == "delete":
                    nb.cells.remove(cell)
                elif kind == "duplicate":
                    twin = copy.deepcopy(cell)
                    twin["id"] = (cell.get("id") or "cell")[:50] + "-copy"
                    if "source" in op:
                        twin.source = op["source"]
                    nb.cells.insert(nb.cells.index(cell) + 1, twin)
                elif kind == "set_points":
                    cell.metadata.nbgrader["points"] = op["points"]
                elif kind == "set_metadata":
                    cell.metadata.nbgrader.update(op["nbgrader"])
        elif kind == "write_text":
            files[name] = op["text"]
        elif kind == "rename":
            files[op["to"].format(stem=Path(name).stem)] = files.pop(name)
        elif kind == "remove":
            files.pop(name, None)
        elif kind == "add_file":
            files[op["name"]] = op["text"]
        else:
            raise ValueError(f"unknown operation {kind!r}")
    for path in folder.iterdir():
        if path.suffix == ".ipynb":
            path.unlink()
    for name, content in files.items():
        target = folder / name
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, str(target))


# ---------------------------------------------------------------------- simulate

@dataclass
class Simulation:
    root: Path
    course: Course
    profiles: dict[str, str]
    summary: dict
    table: str
    seconds: float
    autograde_exit_codes: dict[str, int]
    grades_csv: Path
    lms_csv: Path


def simulate(workdir: Path | None = None, *, students: int | None = None, fixtures: Path = DEFAULT_FIXTURES,
             cell_timeout: int = 10, progress: bool = True, source_course: Path = DEFAULT_COURSE,
             assignments: list[str] | None = None, every_assignment: bool = False) -> Simulation:
    """A class in a temporary course through the whole cycle; see ``course-admin simulate -h``.

    Every assignment is released. The reference students (correct, partial, wrong
    values, blank) submit every assignment; each misbehaving student submits, as real
    ones do, one broken assignment (the first; a spec's ``"assignments": "all"`` or
    ``every_assignment`` makes them misbehave on all) and nothing else.
    """
    started = time.monotonic()
    root = Path(workdir or tempfile.mkdtemp(prefix="course-simulation-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    overrides = (f"\n# class simulation: short cell time limit\nc.Execute.timeout = {cell_timeout}\n"
                 f"c.ExecutePreprocessor.timeout = {cell_timeout}\n")
    sandbox = grading.CourseSandbox(root / "course", source_course=source_course, config_overrides=overrides)
    course = Course(root=sandbox.root, exchange=sandbox.exchange, progress=progress)
    specs = load_specs(fixtures)
    names = list(specs)
    count = students or len(names)
    profiles = {}
    for i in range(count):
        name = names[i] if i < len(names) else REFERENCE_PROFILES[i % len(REFERENCE_PROFILES)]
        sid = name if name not in profiles else f"{name}-{i + 1}"
        profiles[sid] = name
    assignments = assignments or course.assignments()
    say = (lambda msg: print(f"[simulate] {msg}", file=sys.stderr, flush=True)) if progress else (lambda msg: None)

    roster = root / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        for n, (sid, profile) in enumerate(profiles.items(), 1):
            writer.writerow([sid, profile, f"Student {n:02d}", f"{sid}@example.edu", f"LMS{n:04d}"])
    timings: dict[str, float] = {}
    mark = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name] = round(timings.get(name, 0.0) + now - mark[0], 1)
        mark[0] = now

    import_roster(course, roster)
    say(f"course in {course.root}; {len(profiles)} students; assignments: {', '.join(assignments)}")

    course_id = course.course_id
    for assignment in assignments:
        release(course, assignment)
    lap("generate and release")

    def submitted_by(sid: str) -> list[str]:
        scope = specs[profiles[sid]].get("assignments", "first")
        return list(assignments) if scope == "all" or every_assignment else list(assignments[:1])

    homes = root / "students"
    late = [sid for sid, p in profiles.items() if specs[p].get("submit") == "late"]
    for phase in ("on time", "late"):
        if phase == "late":
            if not late:
                break
            # The due date passes between the on-time and the late submissions (what
            # `nbgrader db assignment add --duedate` does, without a process per assignment).
            from nbgrader.api import Gradebook

            due = datetime.now(timezone.utc).replace(tzinfo=None)
            with Gradebook(course.db_url) as gb:
                for assignment in assignments:
                    gb.update_or_create_assignment(assignment, duedate=due)
            time.sleep(1.1)
        for sid, profile in profiles.items():
            if (sid in late) != (phase == "late"):
                continue
            for assignment in submitted_by(sid):
                home = homes / sid
                student_exchange("fetch", course_id=course_id, exchange=course.exchange, home=home,
                                 assignment=assignment, student=sid)
                apply_spec(specs[profile], home / assignment, course.root / "source" / assignment)
                student_exchange("submit", course_id=course_id, exchange=course.exchange, home=home,
                                 assignment=assignment, student=sid)
    lap("students fetch and submit")
    say("submitted; collecting and autograding")
    codes = {}
    for assignment in assignments:
        collect(course, assignment)
        lap("collect")
        codes[assignment] = autograde(course, assignment)
        lap(f"autograde {assignment}")
        feedback(course, assignment)
        lap("feedback")
    for sid in profiles:
        for assignment in submitted_by(sid):
            student_exchange("fetch-feedback", course_id=course_id, exchange=course.exchange, home=homes / sid,
                             assignment=assignment, student=sid)
    lap("students fetch feedback")
    grades_csv, lms_csv = export(course, root / "grades.csv", root / "lms-grades.csv")
    lap("export")
    summary = summarize(course, assignments)
    summary["profiles"] = profiles
    summary["autograde_exit_codes"] = codes
    summary["timings"] = timings
    (root / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    (root / "nbgrader.log").write_text("\n".join(course.log), encoding="utf-8")
    table = format_summary(summary, {sid: specs[p].get("behaviour", p) for sid, p in profiles.items()})
    return Simulation(root, course, profiles, summary, table, time.monotonic() - started, codes,
                      grades_csv, lms_csv)


# --------------------------------------------------------------- student edition

STUDENT_CONFIG = '''"""nbgrader settings for students: which course, and where assignments arrive.

The Assignment List (Nbgrader menu) reads this file. Your instructor tells you the
exchange folder if it is not the one below.
"""
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", {exchange!r})
'''


def build_student_edition(out: Path, *, repo: Path = REPO_ROOT, course_dir: Path = DEFAULT_COURSE,
                          force: bool = False) -> Path:
    """What students receive, in ``out``: lectures, datasets, released assignments, the
    helper package without instructor modules, environment files and the student guide.
    No sources, solutions, tests or mark schemes."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"{out} is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store")
    for folder in ("course", "datasets"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, out / folder, ignore=skip)
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = grading.CourseSandbox(Path(tmp) / "course", source_course=course_dir)
        for assignment in grading.assignment_names(course_dir):
            sandbox.generate(assignment)
            shutil.copytree(sandbox.root / "release" / assignment, out / "assignments" / assignment, ignore=skip)
    package = out / "src" / "platform_intl"
    shutil.copytree(repo / "src" / "platform_intl", package,
                    ignore=shutil.ignore_patterns(*INSTRUCTOR_ONLY_MODULES, "__pycache__", "*.pyc"))
    leftovers = [str(p.relative_to(out)) for p in package.rglob("*.py")
                 if re.search(r"\b(grading|instructor|robust_grading)\b\s+import|import\s+.*\b(grading|instructor|"
                              r"robust_grading)\b|platform_intl\.(grading|instructor|robust_grading)",
                              p.read_text(encoding="utf-8"))]
    if leftovers:
        raise SystemExit(f"student modules import instructor-only modules: {leftovers}")
    for name in ("requirements.lock", "requirements.in", "environment.yml", "tasks.py", "LICENSE",
                 "LICENSE-content.md", ".gitignore"):
        if (repo / name).exists():
            shutil.copy2(repo / name, out / name)
    pyproject = (repo / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = "\n".join(l for l in pyproject.splitlines() if "platform_intl.instructor" not in l) + "\n"
    (out / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    guide = repo / "docs" / "student-guide.md"
    (out / "docs").mkdir(exist_ok=True)
    if guide.exists():
        shutil.copy2(guide, out / "docs" / "student-guide.md")
        text = guide.read_text(encoding="utf-8").replace("](images/", "](docs/images/")
        (out / "README.md").write_text(text, encoding="utf-8")
    images = repo / "docs" / "images"
    for image in ("assignment-list.png",):
        if (images / image).exists():
            (out / "docs" / "images").mkdir(exist_ok=True)
            shutil.copy2(images / image, out / "docs" / "images" / image)
    course = Course(root=course_dir)
    config = course.config()
    (out / "nbgrader_config.py").write_text(STUDENT_CONFIG.format(
        course_id=str(config.CourseDirectory.get("course_id", "platform-intl")),
        exchange="/usr/local/share/nbgrader/exchange"), encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- CLI

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course-admin", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Run `course-admin COMMAND -h` for a command's options.")
    parser.add_argument("--course-dir", type=Path, default=None,
                        help="nbgrader course root (default: the current folder if it is one, else "
                             "./assignments/, else the repository's assignments/)")
    parser.add_argument("--exchange", type=Path, default=None,
                        help="exchange folder (default: $NBGRADER_EXCHANGE or the course config)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("roster", help="import students from a CSV (id, first_name, last_name, email, lms_user_id)")
    p.add_argument("csv", type=Path)
    p = sub.add_parser("release", help="generate and release an assignment (sets its due date)")
    p.add_argument("assignment")
    p.add_argument("--duedate", help='e.g. "2027-02-05 23:59:00 Europe/Copenhagen" (default: CourseAdmin.due_dates)')
    p = sub.add_parser("collect", help="collect submissions from the exchange")
    p.add_argument("assignment")
    p = sub.add_parser("autograde", help="autograde collected submissions (progress bar, grader notes)")
    p.add_argument("assignment")
    p.add_argument("--student")
    p.add_argument("--force", action="store_true", help="regrade submissions graded before")
    p = sub.add_parser("feedback", help="generate feedback and release it to the exchange")
    p.add_argument("assignment")
    p = sub.add_parser("export", help="grades.csv (nbgrader's format) and lms-grades.csv (one row per student)")
    p.add_argument("--to", type=Path)
    p.add_argument("--lms", type=Path)
    p = sub.add_parser("summary", help="scores, late penalties and grader notes per student")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--json", action="store_true")
    for action in ("fetch", "submit", "fetch-feedback"):
        p = sub.add_parser(action, help=f"a student's {action.replace('-', ' ')} (one-machine trials)")
        p.add_argument("assignment")
        p.add_argument("--student", required=True)
        p.add_argument("--home", type=Path, required=True, help="the student's working folder")
    p = sub.add_parser("simulate", help="run a simulated class through the whole cycle in a temporary course")
    p.add_argument("--students", type=int, help="number of students (default: one per behaviour)")
    p.add_argument("--workdir", type=Path, help="where to build the course (default: a new temporary folder)")
    p.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="folder of submission specs")
    p.add_argument("--cell-timeout", type=int, default=10, help="seconds a cell may run (default 10)")
    p.add_argument("--assignment", action="append", dest="assignments", help="only this assignment (repeatable)")
    p.add_argument("--every-assignment", action="store_true",
                   help="misbehaving students misbehave on every assignment (default: on the first)")
    p.add_argument("--no-progress", action="store_true")
    p = sub.add_parser("student-edition", help="build what students receive into a folder")
    p.add_argument("out", type=Path)
    p.add_argument("--force", action="store_true", help="replace the folder if it is not empty")
    return parser


def default_course_dir(cwd: Path | None = None) -> Path:
    """The course the instructor is in: ``.`` or ``./assignments`` when they hold an
    nbgrader course (``nbgrader_config.py`` and ``source/``), else the repository's."""
    cwd = Path(cwd or Path.cwd())
    for candidate in (cwd, cwd / "assignments"):
        if (candidate / "nbgrader_config.py").is_file() and (candidate / "source").is_dir():
            return candidate.resolve()
    return DEFAULT_COURSE


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.course_dir = (args.course_dir or default_course_dir()).resolve()
    course = Course(root=args.course_dir, exchange=args.exchange)
    if args.command == "roster":
        print(import_roster(course, args.csv), end="")
    elif args.command == "release":
        release(course, args.assignment, args.duedate)
        print(f"released {args.assignment} to {course.exchange_root}")
    elif args.command == "collect":
        collect(course, args.assignment)
        print(f"collected {len(course.submissions(args.assignment))} submission(s) of {args.assignment}")
    elif args.command == "autograde":
        code = autograde(course, args.assignment, student=args.student, force=args.force)
        print(format_summary(summarize(course, [args.assignment])))
        if code:
            print(f"nbgrader autograde exited with {code}; see the log above", file=sys.stderr)
            print(course.log[-1][-4000:], file=sys.stderr)
        return code
    elif args.command == "feedback":
        feedback(course, args.assignment)
        print(f"feedback for {args.assignment} generated in {course.root / 'feedback'} and released")
    elif args.command == "export":
        to, lms = export(course, args.to, args.lms)
        print(f"wrote {to} and {lms}")
    elif args.command == "summary":
        summary = summarize(course, args.assignments or None)
        print(json.dumps(summary, indent=2, default=str) if args.json else format_summary(summary))
    elif args.command in ("fetch", "submit", "fetch-feedback"):
        student_command(course, args.command, args.assignment, args.student, args.home)
    elif args.command == "simulate":
        result = simulate(args.workdir, students=args.students, fixtures=args.fixtures,
                          cell_timeout=args.cell_timeout, progress=not args.no_progress,
                          source_course=args.course_dir.resolve(), assignments=args.assignments,
                          every_assignment=args.every_assignment)
        print(result.table)
        print(f"\n{len(result.profiles)} students, {len(result.summary['assignments'])} assignment(s) in "
              f"{result.seconds:.0f} s. Course: {result.course.root}\nGrades: {result.grades_csv} and "
              f"{result.lms_csv}; details: {result.root / 'summary.json'}")
        return 0 if not any(result.autograde_exit_codes.values()) else 1
    elif args.command == "student-edition":
        out = build_student_edition(args.out, course_dir=args.course_dir.resolve(), force=args.force)
        print(f"student edition in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
