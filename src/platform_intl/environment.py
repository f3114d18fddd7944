"""The environment every Jupyter, nbgrader and kernel process of the course runs in.

One builder for ``tasks.py`` (which runs on a bare Python before anything is installed,
so this module uses only the standard library), for the instructor's commands and for the
tests. It keeps Jupyter's, IPython's and matplotlib's state inside the environment's
prefix instead of the user's home folder, and puts the environment's ``bin/`` first on
PATH because nbgrader creates a gradebook by running ``alembic`` in a subprocess.
"""

from __future__ import annotations

import json
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


#: The Jupyter server configuration the course environment carries for every server that
#: runs from it (``tasks.py lab``, the class server's users and Formgraders): JupyterLab
#: links custom.css into its page, and :mod:`platform_intl.lab_fonts` serves it, with the
#: CJK font it names; :mod:`platform_intl.notebook_git` keeps a notebook saved with its
#: outputs from looking changed to git.
SERVER_CONFIG = {
    "ServerApp": {"jpserver_extensions": {"platform_intl.lab_fonts": True, "platform_intl.notebook_git": True}},
    "LabApp": {"custom_css": True},
}
#: Below the environment's prefix: the environment-wide Jupyter configuration, read by
#: every Jupyter server started from that environment, whatever its JUPYTER_CONFIG_DIR.
#: (JupyterLab reads ``LabApp`` settings from the file itself, not from the
#: ``jupyter_server_config.d/`` folder where packages enable their extensions.)
SERVER_CONFIG_FILE = Path("etc", "jupyter", "jupyter_server_config.json")


def write_server_config(prefix: Path) -> Path:
    """Merge :data:`SERVER_CONFIG` into the environment's Jupyter server configuration at ``prefix``.

    Settings already in the file stay; it is rewritten only when something changes.
    Returns the file's path.
    """
    target = Path(prefix) / SERVER_CONFIG_FILE
    try:
        current = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    merged = _merged(current if isinstance(current, dict) else {}, SERVER_CONFIG)
    if merged != current or not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return target


def _merged(base: dict, update: Mapping) -> dict:
    result = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = value if not isinstance(value, Mapping) else _merged({}, value)
    return result
