"""The README's lab command serves the course with nbgrader working and the CJK font for the
browser (platform_intl/lab_fonts), and set-up is idempotent.

The server runs on a copy of the course in a temporary folder (sharing this checkout's
.venv), so the test never touches an instructor's real gradebook.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from platform_intl import plots
from platform_intl.environment import SERVER_CONFIG, SERVER_CONFIG_FILE, write_server_config
from platform_intl.lab_fonts import FONT_FAMILY, font_file, static_folder

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
    # Set-up leaves the environment's Jupyter servers configured to serve the CJK font.
    written = json.loads((ROOT / ".venv" / SERVER_CONFIG_FILE).read_text(encoding="utf-8"))
    assert written["LabApp"]["custom_css"] is True
    assert written["ServerApp"]["jpserver_extensions"]["platform_intl.lab_fonts"] is True


def test_server_config_is_merged_and_written_once(tmp_path):
    target = tmp_path / SERVER_CONFIG_FILE
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"other": True}, "ip": "0.0.0.0"}}))
    assert write_server_config(tmp_path) == target
    written = json.loads(target.read_text())
    assert written["ServerApp"] == {
        "jpserver_extensions": {"other": True, **SERVER_CONFIG["ServerApp"]["jpserver_extensions"]},
        "ip": "0.0.0.0",
    }
    assert written["LabApp"] == SERVER_CONFIG["LabApp"]
    before = target.stat().st_mtime_ns
    time.sleep(0.01)
    write_server_config(tmp_path)
    assert target.stat().st_mtime_ns == before, "an unchanged configuration was rewritten"
    (tmp_path / "fresh").mkdir()
    assert json.loads(write_server_config(tmp_path / "fresh").read_text()) == SERVER_CONFIG


def theme_stacks() -> dict[str, str]:
    """The font stacks of the installed JupyterLab's light theme."""
    css = Path(sys.prefix) / "share" / "jupyter" / "lab" / "themes" / "@jupyterlab" / "theme-light-extension"
    text = (css / "index.css").read_text(encoding="utf-8")
    names = ("--jp-ui-font-family", "--jp-content-font-family", "--jp-code-font-family-default")
    return {name: re.search(re.escape(name) + r":([^;}]*)", text).group(1).strip() for name in names}


def test_custom_css_appends_the_cjk_font_to_jupyterlabs_own_stacks():
    css = (static_folder() / "custom.css").read_text(encoding="utf-8")
    ours = {name: " ".join(value.split()) for name, value in re.findall(r"(--jp-[a-z-]+):([^;]*);", css)}
    for name, stack in theme_stacks().items():
        assert ours.get(name) == f'{stack}, "{FONT_FAMILY}"', f"{name}: JupyterLab's stack changed? {stack}"
    assert font_file().is_file() and font_file().name in css
    assert font_file() == Path(plots.cjk_font_path()), "the browser's CJK font is not the figures' one"


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
        # The CJK font (platform_intl/lab_fonts): custom.css linked, served, and the font it names.
        assert 'href="/custom/custom.css"' in page, "JupyterLab's page does not link custom.css"
        status, css = get(f"{base}/custom/custom.css?token={token}")
        assert status == 200 and f'font-family: "{FONT_FAMILY}"' in css and "unicode-range" in css
        font_url = re.search(r'url\("\.\./([^"]+)"\)', css)
        assert font_url, css
        with urllib.request.urlopen(f"{base}/{font_url.group(1)}?token={token}", timeout=30) as response:
            assert response.status == 200
            assert response.read(4) == b"OTTO", "the font URL does not serve an OpenType font"
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
