"""The environment every Jupyter, nbgrader and kernel process of the course runs in.

One builder for ``tasks.py`` (which runs on a bare Python before anything is installed,
so this module uses only the standard library), for the instructor's commands and for the
tests. It keeps Jupyter's, IPython's and matplotlib's state inside the environment's
prefix instead of the user's home folder, and puts the environment's ``bin/`` first on
PATH because nbgrader creates a gradebook by running ``alembic`` in a subprocess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: Variables that name a folder the course's processes keep their state in (created on set-up).
STATE_FOLDERS = (
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_DATA_DIR",
    "JUPYTER_RUNTIME_DIR",
    "IPYTHONDIR",
    "MPLCONFIGDIR",
    "NBGRADER_EXCHANGE",
)
#: Variables the builder sets, in the order ``tasks.py env`` prints them.
STATE_VARIABLES = (*STATE_FOLDERS, "PLATFORM_INTL_DATASETS", "VIRTUAL_ENV")


#: The variable that names the course's datasets folder (the one holding datapackage.json).
DATASETS_VARIABLE = "PLATFORM_INTL_DATASETS"


def find_datasets(start: Path | None = None) -> Path:
    """``$PLATFORM_INTL_DATASETS``, else the nearest ``datasets/`` with a ``datapackage.json`` at or
    above ``start`` (default: the working folder); else that folder's ``datasets`` (which may not exist)."""
    override = os.environ.get(DATASETS_VARIABLE)
    if override:
        return Path(override).expanduser().resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "datasets" / "datapackage.json").is_file():
            return folder / "datasets"
    return here / "datasets"


def bin_dir(prefix: Path) -> Path:
    return Path(prefix) / ("Scripts" if os.name == "nt" else "bin")


def course_environment(
    prefix: Path, *, base: Mapping[str, str] | None = None, datasets: Path | None = None, keep_existing: bool = False
) -> dict[str, str]:
    """``base`` (default: this process's environment) with the course's variables for ``prefix``.

    ``keep_existing`` leaves variables that ``base`` already sets as they are (the tests and
    the instructor's commands respect a caller's choice); ``tasks.py`` overrides them.
    """
    prefix = Path(prefix)
    env = dict(os.environ if base is None else base)
    jupyter = prefix / "jupyter"
    wanted = {
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "IPYTHONDIR": str(jupyter / "ipython"),
        "MPLCONFIGDIR": str(prefix / "mplconfig"),
        "VIRTUAL_ENV": str(prefix),
        "PYTHONNOUSERSITE": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    if datasets is not None:
        wanted["PLATFORM_INTL_DATASETS"] = str(datasets)
    for key, value in wanted.items():
        if not (keep_existing and env.get(key)):
            env[key] = value
    env.setdefault("NBGRADER_EXCHANGE", str(prefix / "exchange"))
    path = env.get("PATH", "")
    first = str(bin_dir(prefix))
    if path.split(os.pathsep)[0] != first:
        env["PATH"] = first + os.pathsep + path if path else first
    return env


def make_state_dirs(env: Mapping[str, str]) -> None:
    """Create the folders the variables point to (Jupyter fails on a missing runtime folder)."""
    for key in STATE_FOLDERS:
        if env.get(key):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
