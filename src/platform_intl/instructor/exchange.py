"""A student's side of the exchange (fetch, submit, fetch feedback), for trying the cycle on one machine."""

from __future__ import annotations

from pathlib import Path

from .course import Course

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


def student_exchange(action: str, *, course_id: str, exchange: Path, home: Path, assignment: str, student: str) -> None:
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
    return course.nbgrader(
        command,
        assignment,
        f"--course={course.course_id}",
        f"--student={student}",
        f"--Exchange.root={course.exchange_root}",
        f"--Exchange.cache={home / '.nbgrader-cache'}",
        cwd=home,
        quiet=False,
    )
