"""Author and tidy the course notebooks.

    python tools/notebooks.py strip [NOTEBOOK ...]     strip outputs and execution counts
                                                       (all committed notebooks by default)
    python tools/notebooks.py from-text SRC.py DEST.ipynb
                                                       build a notebook from jupytext's
                                                       percent format (cells "# %%")
    python tools/notebooks.py to-text NOTEBOOK.ipynb   print the notebook in percent format

Notebooks are committed without outputs, execution counts or editor metadata, with the
Python 3 kernelspec, and with stable cell ids (the nbgrader grade_id where there is one)
so that diffs stay small.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def committed_notebooks() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / p for p in out]


def tidy(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        base = re.sub(r"[^A-Za-z0-9_-]", "-", grade_id or f"{stem[:40]}-{index:03d}")[:64]
        cell_id, n = base, 1
        while cell_id in seen:
            n += 1
            cell_id = f"{base[:58]}-{n}"
        seen.add(cell_id)
        cell["id"] = cell_id
        keep = {k: v for k, v in cell.get("metadata", {}).items() if k in {"nbgrader", "tags"}}
        cell["metadata"] = nbformat.from_dict(keep)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        if isinstance(cell.source, list):
            cell.source = "".join(cell.source)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def strip(paths: list[Path]) -> None:
    for path in paths or committed_notebooks():
        nb = nbformat.read(path, as_version=4)
        write(tidy(nb, path.stem), path)


def from_text(source: Path, dest: Path) -> None:
    import jupytext

    nb = jupytext.read(source, fmt="py:percent")
    dest.parent.mkdir(parents=True, exist_ok=True)
    write(tidy(nb, dest.stem), dest)


def to_text(path: Path) -> None:
    import jupytext

    nb = nbformat.read(path, as_version=4)
    sys.stdout.write(jupytext.writes(nb, fmt="py:percent"))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, args = argv[0], [Path(a) for a in argv[1:]]
    if command == "strip":
        strip(args)
    elif command == "from-text" and len(args) == 2:
        from_text(*args)
    elif command == "to-text" and len(args) == 1:
        to_text(args[0])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
