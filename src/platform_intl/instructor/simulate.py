"""A whole class through the cycle in a temporary course, to rehearse and to test."""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import course as steps
from . import harness
from .behaviours import apply_after_collect, apply_spec, assignments_of, load_specs, student_id
from .course import DEFAULT_FIXTURES, REFERENCE_PROFILES, Course
from .exchange import student_exchange
from .intake import _scannable
from .summary import format_summary, summarize

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


def simulate(
    workdir: Path | None = None,
    *,
    students: int | None = None,
    fixtures: Path = DEFAULT_FIXTURES,
    cell_timeout: int = 10,
    progress: bool = True,
    source_course: Path,
    assignments: list[str] | None = None,
    every_assignment: bool = False,
) -> Simulation:
    """A class in a temporary course through the whole cycle; see ``course-admin simulate -h``.

    Every assignment is released. The reference students (correct, partial, wrong
    values, blank) submit every assignment; each misbehaving student submits, as real
    ones do, one broken assignment (the first; a spec's ``"assignments": "all"`` or
    ``every_assignment`` makes them misbehave on all) and nothing else.
    """
    started = time.monotonic()
    root = Path(workdir or tempfile.mkdtemp(prefix="course-simulation-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    overrides = (
        f"\n# class simulation: short cell time limit\nc.Execute.timeout = {cell_timeout}\n"
        f"c.ExecutePreprocessor.timeout = {cell_timeout}\n"
    )
    sandbox = harness.CourseSandbox(root / "course", source_course=source_course, config_overrides=overrides)
    course = Course(root=sandbox.root, exchange=sandbox.exchange, progress=progress)
    exchange = sandbox.exchange
    specs = load_specs(fixtures)
    names = list(specs)
    count = students or len(names)
    profiles = {}
    for i in range(count):
        name = names[i] if i < len(names) else REFERENCE_PROFILES[i % len(REFERENCE_PROFILES)]
        sid = student_id(name, specs[name]) if i < len(names) else name
        sid = sid if sid not in profiles else f"{name}-{i + 1}"
        profiles[sid] = name
    assignments = assignments or course.assignments()
    say = (lambda msg: print(f"[simulate] {msg}", file=sys.stderr, flush=True)) if progress else (lambda msg: None)

    refused = [sid for sid in profiles if not _scannable(sid)]
    roster = root / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        for n, (sid, profile) in enumerate(profiles.items(), 1):
            if sid not in refused:  # the roster refuses ids nbgrader could never grade (the spec tests that)
                writer.writerow([sid, profile, f"Student {n:02d}", f"{sid}@example.edu", f"LMS{n:04d}"])
    timings: dict[str, float] = {}
    mark = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name] = round(timings.get(name, 0.0) + now - mark[0], 1)
        mark[0] = now

    steps.import_roster(course, roster)
    say(f"course in {course.root}; {len(profiles)} students; assignments: {', '.join(assignments)}")

    course_id = course.course_id
    for assignment in assignments:
        steps.release(course, assignment)
    lap("generate and release")

    def submitted_by(sid: str) -> list[str]:
        return assignments_of(specs[profiles[sid]], list(assignments), every_assignment)

    homes = root / "students"
    late = [sid for sid, p in profiles.items() if specs[p].get("submit") == "late"]
    for phase in ("on time", "late"):
        if phase == "late":
            if not late:
                break
            # The due date passes between the on-time and the late submissions (what
            # `nbgrader db assignment add --duedate` does, without a process per assignment).
            from nbgrader.api import Gradebook

            due = datetime.now(UTC).replace(tzinfo=None)
            with Gradebook(course.db_url) as gb:
                for assignment in assignments:
                    gb.update_or_create_assignment(assignment, duedate=due)
            time.sleep(1.1)
        for sid, profile in profiles.items():
            if (sid in late) != (phase == "late"):
                continue
            for assignment in submitted_by(sid):
                home = homes / sid
                student_exchange(
                    "fetch",
                    course_id=course_id,
                    exchange=exchange,
                    home=home,
                    assignment=assignment,
                    student=sid,
                )
                apply_spec(specs[profile], home / assignment, course.root / "source" / assignment)
                student_exchange(
                    "submit",
                    course_id=course_id,
                    exchange=exchange,
                    home=home,
                    assignment=assignment,
                    student=sid,
                )
    lap("students fetch and submit")
    say("submitted; collecting and autograding")
    codes = {}
    for assignment in assignments:
        steps.collect(course, assignment)
        for sid, profile in profiles.items():
            folder = course.root / "submitted" / sid / assignment
            if folder.is_dir():
                apply_after_collect(specs[profile], folder)
        lap("collect")
        codes[assignment] = steps.autograde(course, assignment)
        lap(f"autograde {assignment}")
        # A rehearsal: nobody grades the simulated written answers, feedback goes out anyway.
        steps.feedback(course, assignment, allow_ungraded=True)
        lap("feedback")
    for sid in profiles:
        for assignment in submitted_by(sid) if sid not in refused else []:
            student_exchange(
                "fetch-feedback",
                course_id=course_id,
                exchange=exchange,
                home=homes / sid,
                assignment=assignment,
                student=sid,
            )
    lap("students fetch feedback")
    grades_csv, lms_csv = steps.export(course, root / "grades.csv", root / "lms-grades.csv")
    lap("export")
    summary = summarize(course, assignments)
    summary["profiles"] = profiles
    summary["autograde_exit_codes"] = codes
    summary["timings"] = timings
    (root / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    (root / "nbgrader.log").write_text("\n".join(course.log), encoding="utf-8")
    table = format_summary(summary, {sid: specs[p].get("behaviour", p) for sid, p in profiles.items()})
    return Simulation(root, course, profiles, summary, table, time.monotonic() - started, codes, grades_csv, lms_csv)
