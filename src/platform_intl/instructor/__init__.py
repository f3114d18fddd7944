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

``python -m platform_intl.instructor`` is the same as ``course-admin``. The package holds one
stage of grading per module; docs/architecture.md maps them. Instructor commands
run nbgrader in the course root (``assignments/``, or ``--course-dir``) and so read its
``nbgrader_config.py``, exactly as ``nbgrader`` and the Formgrader do.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """``course-admin``; imported lazily so that nbgrader's configuration can name classes here cheaply."""
    from .cli import main as cli_main

    return cli_main(argv)
