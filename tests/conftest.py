"""Shared fixtures: the repository's notebooks and assignments, and graded sandboxes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
ASSIGNMENTS = ROOT / "assignments"
GOLDEN = ROOT / "tests" / "golden"

# Keep Jupyter, IPython and matplotlib state inside the project environment, even when
# pytest is started without tasks.py.
_venv = ROOT / ".venv"
for key, sub in (("JUPYTER_CONFIG_DIR", "jupyter/config"), ("JUPYTER_DATA_DIR", "jupyter/data"),
                 ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"), ("IPYTHONDIR", "jupyter/ipython"),
                 ("MPLCONFIGDIR", "mplconfig")):
    os.environ.setdefault(key, str(_venv / sub))
    Path(os.environ[key]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")


def course_notebooks() -> list[Path]:
    return sorted(COURSE.glob("*.ipynb"))


def assignment_names() -> list[str]:
    from platform_intl.grading import assignment_names as names

    return names(ASSIGNMENTS)
