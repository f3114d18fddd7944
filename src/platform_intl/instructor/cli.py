"""``course-admin``: the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import course as steps
from . import hub_cli
from .course import DEFAULT_FIXTURES, Course
from .exchange import student_command
from .simulate import simulate
from .student_edition import build_student_edition
from .summary import format_summary, summarize

# ----------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course-admin",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `course-admin COMMAND -h` for a command's options.",
    )
    parser.add_argument(
        "--course-dir",
        type=Path,
        default=None,
        help="nbgrader course root (default: the current folder if it is one, else "
        "./assignments/, else the repository's assignments/)",
    )
    parser.add_argument(
        "--exchange", type=Path, default=None, help="exchange folder (default: $NBGRADER_EXCHANGE or the course config)"
    )
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
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="submissions graded at once (default: one per CPU core); each in its own sandboxed kernel",
    )
    p = sub.add_parser("feedback", help="generate feedback and release it to the exchange")
    p.add_argument("assignment")
    p.add_argument(
        "--allow-ungraded",
        action="store_true",
        help="release even where written answers are not graded yet (they show 0 until graded)",
    )
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
    p.add_argument(
        "--every-assignment",
        action="store_true",
        help="misbehaving students misbehave on every assignment (default: on the first)",
    )
    p.add_argument("--no-progress", action="store_true")
    hub_cli.add_parser(sub)
    p = sub.add_parser("student-edition", help="build what students receive into a folder")
    p.add_argument("out", type=Path)
    p.add_argument("--force", action="store_true", help="replace the folder if it is not empty")
    return parser


def default_course_dir(cwd: Path | None = None) -> Path:
    """The course the instructor is in: ``.``, ``./assignments`` or a folder above that holds an
    nbgrader course (``nbgrader_config.py`` and ``source/``)."""
    cwd = Path(cwd or Path.cwd())
    for folder in (cwd, *cwd.parents):
        for candidate in (folder, folder / "assignments"):
            if (candidate / "nbgrader_config.py").is_file() and (candidate / "source").is_dir():
                return candidate.resolve()
    raise SystemExit(
        f"no nbgrader course (nbgrader_config.py and source/) in {cwd} or above it: "
        "run course-admin inside the course, or give --course-dir"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "hub":
        return hub_cli.run(args)
    args.course_dir = (args.course_dir or default_course_dir()).resolve()
    course = Course(root=args.course_dir, exchange=args.exchange)
    if args.command == "roster":
        print(steps.import_roster(course, args.csv), end="")
    elif args.command == "release":
        steps.release(course, args.assignment, args.duedate)
        print(f"released {args.assignment} to {course.exchange_root}")
    elif args.command == "collect":
        steps.collect(course, args.assignment)
        print(f"collected {len(course.submissions(args.assignment))} submission(s) of {args.assignment}")
    elif args.command == "autograde":
        if args.jobs is not None and args.jobs < 1:
            raise SystemExit(f"--jobs must be 1 or more, not {args.jobs}")
        code = steps.autograde(course, args.assignment, student=args.student, force=args.force, jobs=args.jobs)
        print(format_summary(summarize(course, [args.assignment])))
        if code == 1:
            print(course.log[-1][-6000:], file=sys.stderr)
        return code
    elif args.command == "feedback":
        steps.feedback(course, args.assignment, allow_ungraded=args.allow_ungraded)
        print(f"feedback for {args.assignment} generated in {course.root / 'feedback'} and released")
    elif args.command == "export":
        to, lms = steps.export(course, args.to, args.lms)
        print(f"wrote {to} and {lms}")
    elif args.command == "summary":
        summary = summarize(course, args.assignments or None)
        print(json.dumps(summary, indent=2, default=str) if args.json else format_summary(summary))
    elif args.command in ("fetch", "submit", "fetch-feedback"):
        student_command(course, args.command, args.assignment, args.student, args.home)
    elif args.command == "simulate":
        result = simulate(
            args.workdir,
            students=args.students,
            fixtures=args.fixtures,
            cell_timeout=args.cell_timeout,
            progress=not args.no_progress,
            source_course=args.course_dir.resolve(),
            assignments=args.assignments,
            every_assignment=args.every_assignment,
        )
        print(result.table)
        print(
            f"\n{len(result.profiles)} students, {len(result.summary['assignments'])} assignment(s) in "
            f"{result.seconds:.0f} s. Course: {result.course.root}\nGrades: {result.grades_csv} and "
            f"{result.lms_csv}; details: {result.root / 'summary.json'}"
        )
        # 2: some submissions were refused at intake (named above); 1: a grading run failed.
        codes = set(result.autograde_exit_codes.values()) - {0}
        return 0 if not codes else (2 if codes == {2} else 1)
    elif args.command == "student-edition":
        out = build_student_edition(args.out, course_dir=args.course_dir.resolve(), force=args.force)
        print(f"student edition in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
