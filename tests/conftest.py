"""Shared fixtures: the repository's notebooks and assignments, the course's tables, a sandbox
course per test, and one class simulation (with a Formgrader) for the whole session.

`simulation` is one run of `course-admin simulate`: one student per behaviour of
src/platform_intl/instructor/behaviours/, every assignment; test_instructor_cycle.py,
test_robustness.py and test_leaks.py all check that same run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from platform_intl.environment import course_environment, make_state_dirs
from platform_intl.instructor import behaviours, harness
from platform_intl.instructor.cli import main as course_admin_main

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


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for every browser test module (the sync API allows one at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def users():
    """The platform_users table, loaded once (tests must not change it in place)."""
    from platform_intl import data

    return data.load("platform_users")


@pytest.fixture
def course_sandbox(tmp_path):
    """A throw-away nbgrader course made from the repository's assignments."""
    return harness.CourseSandbox(tmp_path / "course", source_course=ASSIGNMENTS)


CELL_TIMEOUT = 5  # seconds; every cell of the course runs in well under one


# The class simulation runs once per session; its results are kept here so that the
# Formgrader fixture can be restarted without running the class again.
_SESSION: dict = {}


@pytest.fixture(scope="session")
def simulation(tmp_path_factory):
    """One run of `course-admin simulate`: one student per behaviour, every assignment."""
    if "simulation" not in _SESSION:
        _SESSION["simulation"] = run_simulation(tmp_path_factory.mktemp("simulation"))
    return _SESSION["simulation"]


def run_simulation(workdir):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = course_admin_main(["simulate", "--workdir", str(workdir), "--cell-timeout", str(CELL_TIMEOUT)])
    summary = json.loads((workdir / "summary.json").read_text())
    specs = behaviours.load_specs()
    first = assignment_names()[0]
    return dict(
        code=code,
        stdout=out.getvalue(),
        stderr=err.getvalue(),
        root=workdir,
        course=workdir / "course",
        exchange=workdir / "course" / "exchange",
        summary=summary,
        specs=specs,
        first=first,
        assignments=assignment_names(),
    )


def entry(simulation, student, assignment=None):
    return simulation["summary"]["students"][student]["assignments"][assignment or simulation["first"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def formgrader(simulation):
    """A Jupyter server with the Formgrader, started in the simulated course as an instructor would."""
    if "formgrader" in _SESSION:
        yield _SESSION["formgrader"]
        return
    port, token = free_port(), "test-token"
    env = harness.nbgrader_env({"NBGRADER_EXCHANGE": str(simulation["exchange"])})
    from browser_support import jupyter_server_command

    args = jupyter_server_command(port, token, simulation["course"])
    log = simulation["root"] / "jupyter-server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(args, cwd=simulation["course"], env=env, stdout=fh, stderr=subprocess.STDOUT)

    def call(method, path, body=None, timeout=300):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                call("GET", "/formgrader/api/status", timeout=5)
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Jupyter server did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.3)
        _SESSION["formgrader"] = call
        yield call
    finally:
        _SESSION.pop("formgrader", None)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def ps2():
    """ps2 as the verdict tests read it: set-up cells, test cells, solutions."""
    from verdict_support import Assignment

    return Assignment("ps2_market_sizing")


@pytest.fixture(scope="session")
def ps2_solutions(ps2):
    return ps2.solutions()


# ------------------------------------------------------------ sandbox tests


@pytest.fixture(scope="session")
def needs_sandbox():
    """Skip where the sandbox cannot start (the reason says why); the sandbox tests use it."""
    from platform_intl.instructor.sandbox import sandbox_available

    ok, reason = sandbox_available()
    if not ok:
        pytest.skip(f"sandbox not available here: {reason}", allow_module_level=True)


@pytest.fixture
def no_kernel_left_behind():
    """After the test, no sandboxed kernel may be left running on the host."""
    yield
    from sandbox_support import kernels_on_host, wait_until

    assert wait_until(lambda: not kernels_on_host(), 10), kernels_on_host()


@pytest.fixture
def fake_course():
    """A course root with everything a kernel must not see, outside /tmp (the sandbox has its
    own /tmp, so a path there would be missing for that reason alone)."""
    root = Path(tempfile.mkdtemp(prefix="fake-course-", dir="/var/tmp"))
    course = root / "course"
    files = {
        "nbgrader_config.py": "c.CourseDirectory.root = '.'\n",
        "gradebook.db": "SQLite format 3\0 grades of every student\n",
        "source/ps1/ps1.ipynb": '{"solution": "SECRET-SOLUTION"}\n',
        "release/ps1/ps1.ipynb": '{"released": true}\n',
        "submitted/other_student/ps1/ps1.ipynb": '{"answers": "OTHER-STUDENT"}\n',
        "submitted/student/ps1/ps1.ipynb": '{"answers": "mine"}\n',
        "autograded/student/ps1/ps1.ipynb": '{"hidden_tests": "HIDDEN-TESTS"}\n',
        "autograded/student/ps1/data.csv": "country,users\nDK,5\nSE,7\n",
        "autograded/student/ps1/notes/readme.txt": "my notes\n",
        "exchange/platform-intl/inbound/other_student+ps1+2027/ps1.ipynb": '{"x": 1}\n',
        ".jupyter/jupyter_config.py": "c.Secret = 'JUPYTER-CONFIG'\n",
    }
    for rel, text in files.items():
        path = course / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # A symlink in the submission pointing at the gradebook must not leak it.
    os.symlink(course / "gradebook.db", course / "autograded/student/ps1/grades-link")
    home = root / "home"
    (home / ".jupyter").mkdir(parents=True)
    (home / "secret.txt").write_text("HOME-SECRET\n")
    (home / ".jupyter" / "jupyter_server_config.json").write_text('{"token": "HOME-TOKEN"}\n')
    outbox = root / "outbox"  # a host folder bound writable into the probe sandbox
    outbox.mkdir()
    os.chmod(outbox, 0o777)
    os.chmod(root, 0o755)
    yield {
        "root": root,
        "course": course,
        "home": home,
        "outbox": outbox,
        "submission": course / "autograded/student/ps1",
        "files": files,
    }
    shutil.rmtree(root, ignore_errors=True)
