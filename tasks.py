#!/usr/bin/env python3
"""Set up and run the Platform Internationalization course.

    python3 tasks.py lab            set up if needed, then open the course in JupyterLab
    python3 tasks.py test           set up if needed, then run the whole test suite
    python3 tasks.py test --fast    the quick loop: no slow (nbgrader, notebooks) or browser tests

Both create `.venv/` inside the repository on first use and install the pinned
dependencies plus the course's helper package: `requirements.lock` (what students need)
for `lab`; `requirements-hub.lock` on top of it (JupyterHub, the PostgreSQL driver) for
`hub`; and `requirements-dev.lock` on top of both (test, lint and type-check tools) for
`test`, `check` and `bench`. Later runs compare a fingerprint of the lock files and skip
installing when nothing changed. In a git checkout, every command also registers git's clean
filter for the notebooks (tools/notebooks.py, see .gitattributes), so that lectures saved
with their outputs never collide with `git pull` of course updates.

Further commands for maintainers:

    python3 tasks.py check   ruff (lint and format) and mypy, as CI runs them
    python3 tasks.py bench   run the benchmarks and print a markdown table
    python3 tasks.py hub     run a class on this server (as root on Linux): JupyterHub with
                             PAM log-in, the courses' Formgraders, a private exchange;
                             `--gradebook postgresql`, `--course DIR`, `--roster ID=CSV`,
                             `--bind-url URL`, `--no-start` (see `course-admin hub serve -h`)
    python3 tasks.py lock    re-resolve requirements*.in into the two lock files
    python3 tasks.py env     print the environment variables the commands use
                             (`--powershell` for Windows PowerShell)
    python3 tasks.py setup   only create/refresh the environment (`--hub` for the class
                             server's packages, `--dev` for those and the tools)

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
HUB_LOCK = ROOT / "requirements-hub.lock"
STAMP = VENV / ".installed-fingerprint"
IS_WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if IS_WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if IS_WINDOWS else "python")
MIN_PYTHON = (3, 11)

# The one environment builder, shared with the package and the tests. It is standard
# library only, so it runs here before anything is installed.
sys.path.insert(0, str(ROOT / "src"))
from platform_intl.environment import (  # noqa: E402
    STATE_VARIABLES,
    course_environment,
    make_state_dirs,
    write_server_config,
)

sys.path.pop(0)


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


#: The environment's layers, each on top of the one before: what students need (`lab`),
#: what a class server adds (`hub`: JupyterHub, the PostgreSQL driver), and the tools (`dev`).
LEVELS = ("lab", "hub", "dev")


def level_locks(level: str) -> list[Path]:
    return [LOCK, HUB_LOCK, DEV_LOCK][: LEVELS.index(level) + 1]


def fingerprint(level: str | bool) -> str:
    """The locks, pyproject.toml and Python of an environment level (True: "dev", False: "lab")."""
    name = ("dev" if level else "lab") if isinstance(level, bool) else level
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", *level_locks(name)):
        digest.update(path.read_bytes())
    digest.update(sys.version.split()[0].encode())
    return f"{name}:" + digest.hexdigest()


def course_env() -> dict[str, str]:
    """Environment for every Jupyter/nbgrader process: nothing lands in $HOME."""
    return course_environment(VENV, datasets=ROOT / "datasets")


def write_lab_settings() -> None:
    """Switch off JupyterLab's "get notified about Jupyter news?" prompt for this course, and
    let every Jupyter server of the environment serve the CJK font (custom.css, see
    platform_intl/lab_fonts)."""
    write_server_config(VENV)
    env = course_env()
    make_state_dirs(env)
    labconfig = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    page_config = labconfig / "page_config.json"
    wanted = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    if not page_config.exists() or json.loads(page_config.read_text()) != wanted:
        page_config.write_text(json.dumps(wanted, indent=2) + "\n")


#: The git filter that keeps outputs out of the committed notebooks (.gitattributes names it).
NOTEBOOK_FILTER = "platform-intl-notebooks"


def course_checkout(root: Path) -> str | None:
    """git, if ``root`` is the top of a git checkout (not a folder inside another one); else None."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    top = subprocess.run([git, "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
        return None
    return git


def install_notebook_filter(root: Path = ROOT, python: Path = PYTHON) -> bool:
    """Register tools/notebooks.py as git's clean filter for the notebooks, in ``root``'s own
    git configuration: a lecture run and saved with its outputs is then no change to git, and
    `git pull` brings course updates without conflicts. Only in a git checkout, and only when
    the setting differs; returns whether it wrote it."""
    git = course_checkout(root)
    if git is None:
        return False
    key = f"filter.{NOTEBOOK_FILTER}.clean"
    script = (root / "tools" / "notebooks.py").as_posix()
    wanted = f'"{Path(python).as_posix()}" "{script}" clean-filter %f'
    current = subprocess.run([git, "-C", str(root), "config", "--local", "--get", key], capture_output=True, text=True)
    if current.returncode == 0 and current.stdout.rstrip("\n") == wanted:
        return False
    subprocess.run([git, "-C", str(root), "config", "--local", key, wanted], check=True)
    say("git now leaves notebook outputs out of commits (a clean filter: tools/notebooks.py clean-filter)")
    return True


def refresh_notebooks(root: Path = ROOT, python: Path = PYTHON) -> None:
    """Record notebooks saved with outputs only as unchanged in git's index (git takes a file
    whose size changed for changed without reading it through the filter): `tools/notebooks.py
    refresh`, in a git checkout with the filter installed."""
    git = course_checkout(root)
    if git is None or not Path(python).exists():
        return
    key = f"filter.{NOTEBOOK_FILTER}.clean"
    if subprocess.run([git, "-C", str(root), "config", "--get", key], capture_output=True).returncode != 0:
        return
    subprocess.run([str(python), str(root / "tools" / "notebooks.py"), "refresh"], cwd=root, check=False)


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


def ensure_env(*, dev: bool = False, hub: bool = False) -> None:
    """Create or refresh `.venv/`: the lab lock, plus the hub lock when ``hub`` and the
    hub and dev locks when ``dev``.

    A higher level also serves the lower ones; a lower one is upgraded when a command needs more.
    """
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed; this is {sys.version.split()[0]}.")
    ensure_sandbox_tool()
    wanted = "dev" if dev else "hub" if hub else "lab"
    have = STAMP.read_text().strip() if STAMP.exists() else ""
    good_enough = {fingerprint(level) for level in LEVELS[LEVELS.index(wanted) :]}
    if PYTHON.exists() and have in good_enough:
        write_lab_settings()
        install_notebook_filter()
        refresh_notebooks()
        return
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the pinned dependencies (first run: about a minute)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    env = course_env()
    locks = [a for path in level_locks(wanted) for a in ("-r", str(path))]
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", *locks], check=True, env=env)
    subprocess.run(pip + ["install", "--quiet", "--no-deps", "-e", str(ROOT)], check=True, env=env)
    write_lab_settings()
    install_notebook_filter()
    refresh_notebooks()
    STAMP.write_text(fingerprint(wanted) + "\n")
    say("environment ready")


def run(args: list[str], **kwargs) -> int:
    return subprocess.call(args, env=course_env(), **kwargs)


def lab(extra: list[str]) -> int:
    ensure_env()
    args = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={ROOT}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    say("starting JupyterLab at the repository root (Ctrl+C to stop)")
    try:
        return run(args + extra, cwd=ROOT)
    finally:
        refresh_notebooks()  # lectures saved with their outputs are no change to `git pull`


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


def hub(extra: list[str]) -> int:
    """Install, lay out and start the class server; the work is `course-admin hub serve`'s."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        say("the class server runs as root on a Linux server (it creates a Unix account per user)")
        return 2
    # Node.js is the one prerequisite the command cannot install: say so before a long install.
    found = subprocess.run(["node", "--version"], capture_output=True, text=True) if shutil.which("node") else None
    if found is None or not shutil.which("npm") or int(found.stdout.strip().lstrip("v").split(".")[0] or 0) < 20:
        say("Node.js 20 or newer, with npm, is needed for configurable-http-proxy: install it (e.g. from")
        say("your distribution, NodeSource or nvm) and run this command again")
        return 2
    ensure_env(hub=True)
    # exec, not a child process: JupyterHub (which `serve` execs in turn) is then this very
    # process, and a signal to it (Ctrl+C, a service manager's SIGTERM) reaches the hub, which
    # stops every user's server and the proxy before it exits.
    os.chdir(ROOT)
    course_admin = str(BIN / "course-admin")
    os.execve(course_admin, [course_admin, "hub", "serve", *extra], course_env())


def _resolve(pip: list[str], *requirement_args: str) -> dict[str, str]:
    subprocess.run(pip + ["install", "--quiet", *requirement_args], check=True)
    subprocess.run(pip + ["check"], check=True)
    frozen = subprocess.run(
        pip + ["freeze", "--all", "--exclude", "pip"], check=True, capture_output=True, text=True
    ).stdout
    return {line.split("==")[0].lower(): line for line in frozen.splitlines() if "==" in line}


def lock(extra: list[str]) -> int:
    """Resolve requirements.in, then requirements-hub.in and requirements-dev.in on top of it,
    in a throw-away environment.

    requirements.lock pins what students need; requirements-hub.lock only what a class
    server adds, and requirements-dev.lock only what the tools add, each resolved with the
    pins below it held fixed, so that they always agree. The pins already in the lock files
    are kept unless `--upgrade` is given, so adding a package does not move the others.
    """
    keep = [
        a
        for lock_file in (LOCK, HUB_LOCK, DEV_LOCK)
        if lock_file.exists() and "--upgrade" not in extra
        for a in ("-c", str(lock_file))
    ]
    header = (
        "# Generated by `python3 tasks.py lock` from {} on Python "
        f"{sys.version_info.major}.{sys.version_info.minor}. Do not edit by hand.\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        venv.EnvBuilder(with_pip=True).create(tmp)
        py = Path(tmp) / ("Scripts" if IS_WINDOWS else "bin") / "python"
        pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
        below = _resolve(pip, "-r", str(ROOT / "requirements.in"), *keep)
        LOCK.write_text(header.format("requirements.in") + "\n".join(sorted(below.values(), key=str.lower)) + "\n")
        counts = [f"{LOCK.name} ({len(below)} pins)"]
        for layer_in, layer_lock in (("requirements-hub.in", HUB_LOCK), ("requirements-dev.in", DEV_LOCK)):
            constraints = Path(tmp) / f"constraints-{layer_lock.stem}.txt"
            constraints.write_text("\n".join(below.values()) + "\n")
            everything = _resolve(pip, "-r", str(ROOT / layer_in), "-c", str(constraints), *keep)
            added = sorted((line for name, line in everything.items() if name not in below), key=str.lower)
            on_top = f"{layer_in}, on top of " + (
                "requirements.lock" if layer_lock == HUB_LOCK else "requirements.lock and requirements-hub.lock"
            )
            layer_lock.write_text(header.format(on_top) + "\n".join(added) + "\n")
            counts.append(f"{layer_lock.name} ({len(added)} more)")
            below = everything
    say("wrote " + ", ".join(counts))
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
    ensure_env(dev="--dev" in extra, hub="--hub" in extra)
    return 0


COMMANDS = {
    "lab": lab,
    "test": test,
    "check": check,
    "bench": bench,
    "hub": hub,
    "lock": lock,
    "env": print_env,
    "setup": setup,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if not argv else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
