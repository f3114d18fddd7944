#!/usr/bin/env python3
"""Set up and run the Platform Internationalization course.

    python3 tasks.py lab     set up if needed, then open the course in JupyterLab
    python3 tasks.py test    set up if needed, then run the whole test suite

Both create `.venv/` inside the repository on first use and install the pinned
dependencies from `requirements.lock` plus the course's helper package. Later runs
compare a fingerprint of the lock file and skip installing when nothing changed.

Further commands for maintainers:

    python3 tasks.py bench   run the benchmarks and print a markdown table
    python3 tasks.py lock    re-resolve requirements.in into requirements.lock
    python3 tasks.py env     print the environment variables the commands use
    python3 tasks.py setup   only create/refresh the environment

Only the standard library is used here, so this file runs on a bare Python 3.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-fingerprint"
IS_WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if IS_WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if IS_WINDOWS else "python")
MIN_PYTHON = (3, 11)


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(sys.version.split()[0].encode())
    return digest.hexdigest()


def course_env() -> dict[str, str]:
    """Environment for every Jupyter/nbgrader process: nothing lands in $HOME."""
    jupyter = VENV / "jupyter"
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(jupyter / "config"),
        JUPYTER_DATA_DIR=str(jupyter / "data"),
        JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
        IPYTHONDIR=str(jupyter / "ipython"),
        MPLCONFIGDIR=str(VENV / "mplconfig"),
        # nbgrader calls the `alembic` command of this environment in a subprocess.
        PATH=str(BIN) + os.pathsep + env.get("PATH", ""),
        VIRTUAL_ENV=str(VENV),
        PYTHONNOUSERSITE="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    env.setdefault("NBGRADER_EXCHANGE", str(VENV / "exchange"))
    return env


def write_lab_settings() -> None:
    """Switch off JupyterLab's "get notified about Jupyter news?" prompt for this course."""
    labconfig = VENV / "jupyter" / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    page_config = labconfig / "page_config.json"
    wanted = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    if not page_config.exists() or json.loads(page_config.read_text()) != wanted:
        page_config.write_text(json.dumps(wanted, indent=2) + "\n")
    for sub in ("data", "runtime", "ipython"):
        (VENV / "jupyter" / sub).mkdir(parents=True, exist_ok=True)
    (VENV / "mplconfig").mkdir(parents=True, exist_ok=True)
    Path(course_env()["NBGRADER_EXCHANGE"]).mkdir(parents=True, exist_ok=True)


def ensure_env() -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed; this is {sys.version.split()[0]}.")
    wanted = fingerprint()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        write_lab_settings()
        return
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the pinned dependencies (first run: about a minute)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    env = course_env()
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", "-r", str(LOCK)], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", "--no-deps", "-e", str(ROOT)], check=True, env=env)
    write_lab_settings()
    STAMP.write_text(wanted + "\n")
    say("environment ready")


def run(args: list[str], **kwargs) -> int:
    return subprocess.call(args, env=course_env(), **kwargs)


def lab(extra: list[str]) -> int:
    ensure_env()
    args = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={ROOT}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    say("starting JupyterLab at the repository root (Ctrl+C to stop)")
    return run(args + extra, cwd=ROOT)


def test(extra: list[str]) -> int:
    ensure_env()
    return run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)


def bench(extra: list[str]) -> int:
    ensure_env()
    return run([str(PYTHON), str(ROOT / "tools" / "bench.py"), *extra], cwd=ROOT)


def lock(extra: list[str]) -> int:
    """Resolve requirements.in in a throw-away environment and freeze it."""
    with tempfile.TemporaryDirectory() as tmp:
        builder = venv.EnvBuilder(with_pip=True)
        builder.create(tmp)
        py = Path(tmp) / ("Scripts" if IS_WINDOWS else "bin") / "python"
        pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run(pip + ["install", "--quiet", "-r", str(ROOT / "requirements.in")], check=True)
        subprocess.run(pip + ["check"], check=True)
        frozen = subprocess.run(pip + ["freeze", "--all", "--exclude", "pip"], check=True,
                                capture_output=True, text=True).stdout
    lines = sorted((l for l in frozen.splitlines() if "==" in l), key=str.lower)
    header = ("# Generated by `python3 tasks.py lock` from requirements.in on Python "
              f"{sys.version_info.major}.{sys.version_info.minor}. Do not edit by hand.\n")
    LOCK.write_text(header + "\n".join(lines) + "\n")
    say(f"wrote {LOCK.name} with {len(lines)} pins")
    return 0


def print_env(extra: list[str]) -> int:
    env = course_env()
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR", "NBGRADER_EXCHANGE", "VIRTUAL_ENV"):
        print(f"export {key}={env[key]}")
    print(f"export PATH={BIN}:$PATH")
    return 0


def setup(extra: list[str]) -> int:
    ensure_env()
    return 0


COMMANDS = {"lab": lab, "test": test, "bench": bench, "lock": lock, "env": print_env, "setup": setup}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if not argv else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
