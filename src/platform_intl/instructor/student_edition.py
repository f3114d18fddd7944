"""What students receive: the course without instructor material."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from . import harness
from .course import Course

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


def build_student_edition(out: Path, *, course_dir: Path, repo: Path | None = None, force: bool = False) -> Path:
    """What students receive, in ``out``: lectures, datasets, released assignments, the
    helper package without instructor modules, environment files and the student guide.
    No sources, solutions, tests or mark schemes."""
    out = Path(out).resolve()
    repo = Path(repo) if repo is not None else Path(course_dir).resolve().parent
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
        sandbox = harness.CourseSandbox(Path(tmp) / "course", source_course=course_dir)
        for assignment in harness.assignment_names(course_dir):
            sandbox.generate(assignment)
            shutil.copytree(sandbox.root / "release" / assignment, out / "assignments" / assignment, ignore=skip)
    package = out / "src" / "platform_intl"
    shutil.copytree(
        repo / "src" / "platform_intl", package, ignore=shutil.ignore_patterns("instructor", "__pycache__", "*.pyc")
    )
    leftovers = [
        str(p.relative_to(out))
        for p in package.rglob("*.py")
        if re.search(
            r"platform_intl\.instructor|from \.+instructor\b|from \.+ import .*\binstructor\b",
            p.read_text(encoding="utf-8"),
        )
    ]
    if leftovers:
        raise SystemExit(f"student modules import instructor-only modules: {leftovers}")
    for name in (
        "requirements.lock",
        "requirements.in",
        "environment.yml",
        "tasks.py",
        "LICENSE",
        "LICENSE-content.md",
        ".gitignore",
    ):
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
    (out / "nbgrader_config.py").write_text(
        STUDENT_CONFIG.format(
            course_id=str(config.CourseDirectory.get("course_id", "platform-intl")),
            exchange="/usr/local/share/nbgrader/exchange",
        ),
        encoding="utf-8",
    )
    return out
