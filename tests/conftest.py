"""Shared fixtures: the repository's notebooks and assignments, and graded sandboxes."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from platform_intl.environment import course_environment, make_state_dirs

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
ASSIGNMENTS = ROOT / "assignments"
GOLDEN = ROOT / "tests" / "golden"

# The course's environment (Jupyter, IPython and matplotlib state inside the project's
# environment, the datasets found), even when pytest is started without tasks.py.
os.environ.update(course_environment(Path(sys.prefix), datasets=ROOT / "datasets", keep_existing=True))
make_state_dirs(os.environ)


def course_notebooks() -> list[Path]:
    return sorted(COURSE.glob("*.ipynb"))


def assignment_names() -> list[str]:
    from platform_intl.instructor.harness import assignment_names as names

    return names(ASSIGNMENTS)
