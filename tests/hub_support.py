"""A class server for the tests: real Unix accounts, the two courses, commands run as each user.

Used by tests/test_hub_exchange.py (the exchange's permissions, checked by running
nbgrader and plain file operations *as* the student accounts) and tests/test_hub_class.py
(the whole class cycle through JupyterHub in a real browser). Everything is made with
the real commands (`course-admin hub course`, `course-admin hub users`) under a temporary
server root, with course ids and user names carrying a random tag, so that a run never
meets a real deployment's (or another run's) accounts; `remove()` deletes all of them.
"""

from __future__ import annotations

import contextlib
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

    opened: list[tuple[Path, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        os.chmod(self.root, 0o755)  # users' servers read their Jupyter configuration below it
        # The users run the checkout's .venv/bin/python and src/: a checkout under a folder
        # others cannot enter (a CI runner's home, say) is opened for the run, and closed
        # again by remove(), exactly as it was.
        for folder in [ROOT, *ROOT.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                os.chmod(folder, (mode & 0o7777) | 0o001)
                self.opened.append((folder, mode & 0o7777))
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
        failures = []
        commands = [["remove-users", str(roster)] for roster in self.rosters]
        commands += [["remove-course", course_id] for course_id in (self.main, self.demo)]
        for command in commands:
            result = subprocess.run([*COURSE_ADMIN, *command, "--root", str(self.root)], capture_output=True, text=True)
            if result.returncode != 0:
                failures.append(f"course-admin hub {' '.join(command)}: {result.stderr.strip()}")
        shutil.rmtree(self.root, ignore_errors=True)
        for folder, mode in reversed(self.opened):
            os.chmod(folder, mode)
        self.opened.clear()
        assert failures == [], "\n".join(failures)

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


# ---------------------------------------------------------------------- the hub itself


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class HubProcess:
    """JupyterHub started as the README says, `python3 tasks.py hub`, on loopback ports of its own."""

    server: ClassServer
    port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    proxy_api_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return ROOT / "artifacts" / "hub" / f"jupyterhub-{self.server.gradebook}.log"

    def start(self, timeout: float = 180) -> HubProcess:
        import time
        import urllib.request

        sources = self.server.root / "sources"
        command = [
            sys.executable,
            str(ROOT / "tasks.py"),
            "hub",
            "--root",
            str(self.server.root),
            "--course",
            str(sources / self.server.main),
            "--course",
            str(sources / self.server.demo),
            "--gradebook",
            self.server.gradebook,
            "--bind-url",
            self.url,
            "--hub-api-port",
            str(self.api_port),
            "--proxy-api-port",
            str(self.proxy_api_port),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")
        # A session of its own: stop() ends the hub, its proxy, services and users' servers together.
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"`tasks.py hub` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        from browser_support import log_tail

        return log_tail(self.log_path, lines)

    def stop(self) -> None:
        import signal

        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGTERM: JupyterHub stops every user's server, the services and the proxy itself.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # anything the hub left in its session
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()
        self.process = None


def write_lab_settings(server: ClassServer, user: str) -> None:
    """The browser tests' JupyterLab settings (tests/browser_support.py) in the user's own home:
    every cell rendered (no windowing), so that the page holds the whole notebook."""
    import json
    import pwd

    entry = pwd.getpwnam(user)
    settings = server.home(user) / ".jupyter" / "lab" / "user-settings"
    for name, values in bs_settings().items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    for path in [server.home(user) / ".jupyter", *(server.home(user) / ".jupyter").rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def bs_settings() -> dict:
    import browser_support

    return browser_support.LAB_SETTINGS
