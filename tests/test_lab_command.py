"""The README's lab command serves the course with nbgrader working, and set-up is idempotent.

The server runs on a copy of the course in a temporary folder (sharing this checkout's
.venv), so the test never touches an instructor's real gradebook.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT

COPIED = [
    "tasks.py",
    "nbgrader_config.py",
    "pyproject.toml",
    "requirements.lock",
    "requirements-hub.lock",
    "requirements-dev.lock",
    "README.md",
    "src/platform_intl/__init__.py",
    "src/platform_intl/environment.py",
    "course",
    "datasets",
    "assignments/nbgrader_config.py",
    "assignments/source",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab") / "course"
    for rel in COPIED:
        src, dst = ROOT / rel, root / rel
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root


def test_second_setup_installs_nothing(course_copy):
    # The copy shares this checkout's .venv: a setup that did install would point the editable
    # install at the copy. So the environment must already be current before the copy's setup runs.
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    assert spec and spec.loader
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    stamp = (ROOT / ".venv" / ".installed-fingerprint").read_text().strip()
    if stamp not in {tasks.fingerprint(level) for level in tasks.LEVELS}:
        pytest.fail("the environment is older than pyproject.toml or the locks: run `python3 tasks.py setup --dev`")
    run = subprocess.run(
        [sys.executable, "tasks.py", "setup"], cwd=course_copy, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "installing" not in run.stdout + run.stderr


@pytest.mark.slow
def test_lab_command_serves_course_with_formgrader(course_copy):
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, NBGRADER_EXCHANGE=str(course_copy / "exchange"))
    server = subprocess.Popen(
        [
            sys.executable,
            "tasks.py",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
        ],
        cwd=course_copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "JupyterLab did not start:\n" + (server.stdout.read() if server.poll() is not None else "")
                    )
                time.sleep(0.5)
        status, page = get(f"{base}/lab?token={token}")
        assert status == 200
        assert "@jupyterlab/apputils-extension:announcements" in page, "the Jupyter news prompt is not disabled"
        status, body = get(f"{base}/formgrader/api/assignments?token={token}")
        listed = {a["name"] for a in json.loads(body)}
        expected = {p.name for p in (course_copy / "assignments" / "source").iterdir() if p.is_dir()}
        assert "ps0_orientation" in listed and expected <= listed
        status, body = get(f"{base}/api/contents/course?token={token}")
        assert any(item["name"] == "00_orientation.ipynb" for item in json.loads(body)["content"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
