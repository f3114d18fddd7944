"""A class server for the tests: real Unix accounts, the two courses, commands run as each user.

Used by tests/test_hub_exchange.py (the exchange's permissions, checked by running
nbgrader and plain file operations *as* the student accounts) and tests/test_hub_class.py
(the whole class cycle through JupyterHub in a real browser). Everything is made with
the real commands (`course-admin hub course`, `course-admin hub users`) under a temporary
server root, with course ids and user names carrying a random tag, so that a run never
meets a real deployment's (or another run's) accounts; `remove()` deletes all of them.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.prefix) / "bin"
COURSE_ADMIN = [str(VENV_BIN / "course-admin"), "hub"]
MAIN_COURSE = ROOT / "assignments"
DEMO_COURSE = ROOT / "hub" / "demo-course"


def skip_unless_root_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the class server is for Linux (Unix accounts, PAM, file modes)")
    if os.geteuid() != 0:
        pytest.skip("the class server tests create Unix accounts: run them as root (CI does)")


@dataclass
class ClassServer:
    """A server root with the main course and the demo course, tagged for this run."""

    gradebook: str = "sqlite"
    tag: str = field(default_factory=lambda: "t" + secrets.token_hex(2))
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pi-hub-")))
    passwords: dict[str, str] = field(default_factory=dict)
    rosters: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        os.chmod(self.root, 0o755)  # users' servers read their Jupyter configuration below it
        self.main = f"{self.tag}-intl"
        self.demo = f"{self.tag}-demo"

    # ------------------------------------------------------------------ set-up

    def course_copy(self, source: Path, course_id: str) -> Path:
        """The course under its test id: its own config, the course id appended."""
        copy = self.root / "sources" / course_id
        shutil.copytree(source / "source", copy / "source")
        config = (source / "nbgrader_config.py").read_text(encoding="utf-8")
        (copy / "nbgrader_config.py").write_text(config + f"\nc.CourseDirectory.course_id = {course_id!r}\n")
        os.chmod(copy.parent, 0o700)
        return copy

    def admin(self, *args: str) -> str:
        result = subprocess.run([*COURSE_ADMIN, *args, "--root", str(self.root)], capture_output=True, text=True)
        assert result.returncode == 0, f"course-admin hub {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def lay_out(self) -> ClassServer:
        self.admin("course", str(self.course_copy(MAIN_COURSE, self.main)), "--gradebook", self.gradebook)
        self.admin("course", str(self.course_copy(DEMO_COURSE, self.demo)), "--gradebook", self.gradebook)
        return self

    def name(self, who: str) -> str:
        return f"{self.tag}-{who}"

    def add_roster(self, course_id: str, members: list[tuple[str, str]]) -> list[str]:
        """Accounts for (who, role) pairs; returns their user names."""
        roster = self.root / f"roster-{course_id}-{len(self.rosters)}.csv"
        with open(roster, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "role", "first_name", "last_name", "email", "password"])
            for who, role in members:
                user = self.name(who)
                self.passwords.setdefault(user, secrets.token_urlsafe(10))
                writer.writerow([user, role, who.title(), "Test", f"{who}@example.org", self.passwords[user]])
        self.rosters.append(roster)
        self.admin("users", str(roster), "--course", course_id)
        return [self.name(who) for who, _ in members]

    def remove(self) -> None:
        """Delete every account, course and folder this server made (safe to call twice)."""
        for roster in self.rosters:
            subprocess.run([*COURSE_ADMIN, "remove-users", str(roster), "--root", str(self.root)], capture_output=True)
        for course_id in (self.main, self.demo):
            subprocess.run([*COURSE_ADMIN, "remove-course", course_id, "--root", str(self.root)], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ acting as a user

    def exchange(self, course_id: str) -> Path:
        return self.root / "exchange" / course_id

    def course_root(self, course_id: str) -> Path:
        return self.root / "courses" / course_id

    def home(self, user: str) -> Path:
        import pwd

        return Path(pwd.getpwnam(user).pw_dir)

    def run_as(self, user: str, args: list[str], *, cwd: Path | None = None, kind: str = "student"):
        """``args`` as the Unix user, with a login-like environment: their home, the course
        environment first on PATH and the students' (or staff's) Jupyter configuration."""
        env = {
            "PATH": f"{VENV_BIN}:/usr/bin:/bin",
            "HOME": str(self.home(user)),
            "USER": user,
            "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": str(self.root / "jupyter" / kind),
            "PLATFORM_INTL_DATASETS": str(ROOT / "datasets"),
        }
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *args]
        return subprocess.run(command, cwd=cwd or self.home(user), env=env, capture_output=True, text=True)

    def python_as(self, user: str, code: str):
        """Run Python ``code`` as the user (for plain file operations: open, listdir, unlink)."""
        return self.run_as(user, [str(VENV_BIN / "python"), "-c", code])

    def nbgrader_as(self, user: str, *args: str, cwd: Path | None = None, kind: str = "student"):
        return self.run_as(user, [str(VENV_BIN / "python"), "-m", "nbgrader", *args], cwd=cwd, kind=kind)

    def grader(self, course_id: str, *args: str):
        """An nbgrader command as the course's grader account, in its course root (as the Formgrader runs)."""
        result = self.nbgrader_as(f"grader-{course_id}", *args, cwd=self.course_root(course_id), kind="grader")
        assert result.returncode == 0, (
            f"nbgrader {' '.join(args)} as grader-{course_id}:\n{result.stdout}{result.stderr}"
        )
        return result
