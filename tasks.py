#!/usr/bin/env python3
"""Set up and run the Platform Internationalization course.

    python3 tasks.py lab            set up if needed, then open the course in JupyterLab
    python3 tasks.py test           set up if needed, then run the whole test suite
    python3 tasks.py test --fast    the quick loop: no slow (nbgrader, notebooks) or browser tests

Both create `.venv/` inside the repository on first use and install the pinned
dependencies plus the course's helper package: `requirements.lock` (what students need)
for `lab`, and `requirements-dev.lock` on top of it (test, lint and type-check tools) for
`test`, `check` and `bench`. Later runs compare a fingerprint of the lock files and skip
installing when nothing changed.

Further commands for maintainers:

    python3 tasks.py check   ruff (lint and format) and mypy, as CI runs them
    python3 tasks.py bench   run the benchmarks and print a markdown table
    python3 tasks.py lock    re-resolve requirements*.in into the two lock files
    python3 tasks.py env     print the environment variables the commands use
                             (`--powershell` for Windows PowerShell)
    python3 tasks.py setup   only create/refresh the environment (`--dev` for the tools too)

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
DEV_LOCK = ROOT / "requirements-dev.lock"
STAMP = VENV / ".installed-fingerprint"
IS_WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if IS_WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if IS_WINDOWS else "python")
MIN_PYTHON = (3, 11)

# The one environment builder, shared with the package and the tests. It is standard
# library only, so it runs here before anything is installed.
sys.path.insert(0, str(ROOT / "src"))
from platform_intl.environment import STATE_VARIABLES, course_environment, make_state_dirs  # noqa: E402

sys.path.pop(0)


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def fingerprint(dev: bool) -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml", *((DEV_LOCK,) if dev else ())):
        digest.update(path.read_bytes())
    digest.update(sys.version.split()[0].encode())
    return ("dev:" if dev else "lab:") + digest.hexdigest()


def course_env() -> dict[str, str]:
    """Environment for every Jupyter/nbgrader process: nothing lands in $HOME."""
    return course_environment(VENV, datasets=ROOT / "datasets")


def write_lab_settings() -> None:
    """Switch off JupyterLab's "get notified about Jupyter news?" prompt for this course."""
    env = course_env()
    make_state_dirs(env)
    labconfig = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    page_config = labconfig / "page_config.json"
    wanted = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    if not page_config.exists() or json.loads(page_config.read_text()) != wanted:
        page_config.write_text(json.dumps(wanted, indent=2) + "\n")


def ensure_sandbox_tool() -> None:
    """Autograding runs student code in bubblewrap: install Debian's package where we can."""
    if shutil.which("bwrap") or not sys.platform.startswith("linux"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's bubblewrap (the sandbox student code runs in at autograde)")
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.call(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL, env=apt_env) == 0:
            subprocess.call(["apt-get", "install", "-y", "-qq", "bubblewrap"], stdout=subprocess.DEVNULL, env=apt_env)
    if not shutil.which("bwrap"):
        say(
            "note: bubblewrap (bwrap) is not installed; autograding will refuse to run student code until it is "
            "(Debian/Ubuntu: sudo apt-get install bubblewrap)"
        )


def ensure_env(*, dev: bool = False) -> None:
    """Create or refresh `.venv/`: the lab lock, plus the dev lock when ``dev``.

    A dev environment also serves `lab`; a lab-only one is upgraded when `test` needs the tools.
    """
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed; this is {sys.version.split()[0]}.")
    ensure_sandbox_tool()
    have = STAMP.read_text().strip() if STAMP.exists() else ""
    if PYTHON.exists() and (have == fingerprint(dev) or (not dev and have == fingerprint(True))):
        write_lab_settings()
        return
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the pinned dependencies (first run: about a minute)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    env = course_env()
    locks = ["-r", str(LOCK)] + (["-r", str(DEV_LOCK)] if dev else [])
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", *locks], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", "--no-deps", "-e", str(ROOT)], check=True, env=env)
    write_lab_settings()
    STAMP.write_text(fingerprint(dev) + "\n")
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
    ensure_env(dev=True)
    if "--fast" in extra:
        extra = [a for a in extra if a != "--fast"] + ["-m", "not slow and not browser"]
    return run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)


def check(extra: list[str]) -> int:
    """Lint, format and type checks, configured in pyproject.toml; non-zero if any fails."""
    ensure_env(dev=True)
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
    ]
    failed = 0
    for step in steps:
        say(" ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
        failed |= run(step + extra, cwd=ROOT) != 0
    return 1 if failed else 0


def bench(extra: list[str]) -> int:
    ensure_env(dev=True)
    return run([str(PYTHON), str(ROOT / "tools" / "bench.py"), *extra], cwd=ROOT)


def _resolve(pip: list[str], *requirement_args: str) -> dict[str, str]:
    subprocess.run(pip + ["install", "--quiet", *requirement_args], check=True)
    subprocess.run(pip + ["check"], check=True)
    frozen = subprocess.run(
        pip + ["freeze", "--all", "--exclude", "pip"], check=True, capture_output=True, text=True
    ).stdout
    return {line.split("==")[0].lower(): line for line in frozen.splitlines() if "==" in line}


def lock(extra: list[str]) -> int:
    """Resolve requirements.in, then requirements-dev.in on top of it, in a throw-away environment.

    requirements.lock pins what students need; requirements-dev.lock pins only what the
    tools add, resolved with the student pins held fixed, so the two always agree. The pins
    already in the lock files are kept unless `--upgrade` is given, so adding a package does
    not move the others.
    """
    keep = [
        a
        for lock_file in (LOCK, DEV_LOCK)
        if lock_file.exists() and "--upgrade" not in extra
        for a in ("-c", str(lock_file))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        venv.EnvBuilder(with_pip=True).create(tmp)
        py = Path(tmp) / ("Scripts" if IS_WINDOWS else "bin") / "python"
        pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
        student = _resolve(pip, "-r", str(ROOT / "requirements.in"), *keep)
        header = (
            "# Generated by `python3 tasks.py lock` from {} on Python "
            f"{sys.version_info.major}.{sys.version_info.minor}. Do not edit by hand.\n"
        )
        LOCK.write_text(header.format("requirements.in") + "\n".join(sorted(student.values(), key=str.lower)) + "\n")
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("\n".join(student.values()) + "\n")
        everything = _resolve(pip, "-r", str(ROOT / "requirements-dev.in"), "-c", str(constraints), *keep)
    added = sorted((line for name, line in everything.items() if name not in student), key=str.lower)
    DEV_LOCK.write_text(header.format("requirements-dev.in, on top of requirements.lock") + "\n".join(added) + "\n")
    say(f"wrote {LOCK.name} ({len(student)} pins) and {DEV_LOCK.name} ({len(added)} more)")
    return 0


def print_env(extra: list[str]) -> int:
    """The variables, as POSIX shell exports (`eval "$(python3 tasks.py env)"`) or, with
    `--powershell`, as PowerShell assignments (`python tasks.py env --powershell | Invoke-Expression`)."""
    env = course_env()
    powershell = "--powershell" in extra
    for key in STATE_VARIABLES:
        if powershell:
            print(f"$env:{key} = '{env[key]}'")
        else:
            print(f"export {key}='{env[key]}'")
    print(
        f"$env:PATH = '{BIN}' + [IO.Path]::PathSeparator + $env:PATH"
        if powershell
        else f"export PATH='{BIN}':\"$PATH\""
    )
    return 0


def setup(extra: list[str]) -> int:
    ensure_env(dev="--dev" in extra)
    return 0


COMMANDS = {"lab": lab, "test": test, "check": check, "bench": bench, "lock": lock, "env": print_env, "setup": setup}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if not argv else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
