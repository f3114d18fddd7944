"""A Jupyter server extension: a lecture saved with its outputs is no change to git.

The course's notebooks go through a git clean filter that strips outputs
(``tools/notebooks.py clean-filter``, registered by ``python3 tasks.py setup``). Git still
takes a file whose size changed for changed without reading it through the filter, so a
notebook saved in JupyterLab would show in ``git status`` and block ``git pull`` of a
course update. After every save of a notebook inside the course's git checkout, this
extension runs ``tools/notebooks.py refresh`` on it, in the background: git then records
it as unchanged when its stripped text is the committed one (real changes stay changes).

Anywhere else (a class server's home folders, a folder that is no git checkout of the
course) a save costs a look for ``.git`` up the folder tree, and nothing runs.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

TOOL = Path("tools", "notebooks.py")


def course_checkout(path: Path) -> Path | None:
    """The git checkout of the course holding ``path`` (it has tools/notebooks.py), or None."""
    for folder in Path(path).resolve().parents:
        if (folder / ".git").exists():
            return folder if (folder / TOOL).is_file() else None
    return None


def refresh(root: Path, path: str) -> subprocess.CompletedProcess:
    """``tools/notebooks.py refresh PATH`` in the checkout ``root``."""
    return subprocess.run(
        [sys.executable, str(root / TOOL), "refresh", path], cwd=root, capture_output=True, text=True, timeout=300
    )


def after_save(model: Any = None, os_path: str | None = None, contents_manager: Any = None, **_: Any) -> None:
    """The contents manager's post-save hook: refresh a saved notebook of the course, in a thread."""
    if not os_path or not os_path.endswith(".ipynb"):
        return
    root = course_checkout(Path(os_path))
    if root is not None:
        threading.Thread(target=refresh, args=(root, os_path), name="notebook-git-refresh", daemon=True).start()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    serverapp.contents_manager.register_post_save_hook(after_save)


load_jupyter_server_extension = _load_jupyter_server_extension
