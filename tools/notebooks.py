"""Author and tidy the course notebooks.

    python tools/notebooks.py strip [NOTEBOOK ...]     strip outputs and execution counts
                                                       (all committed notebooks by default)
    python tools/notebooks.py from-text SRC.py DEST.ipynb
                                                       build a notebook from jupytext's
                                                       percent format (cells "# %%")
    python tools/notebooks.py to-text NOTEBOOK.ipynb   print the notebook in percent format
    python tools/notebooks.py clean-filter [PATH]      git's clean filter: a notebook on stdin,
                                                       stripped as `strip` does, on stdout
    python tools/notebooks.py refresh [NOTEBOOK ...]   tell git that notebooks saved with
                                                       outputs only are unchanged

Notebooks are committed without outputs, execution counts or editor metadata, with the
Python 3 kernelspec, and with stable cell ids (the nbgrader grade_id where there is one)
so that diffs stay small. Lectures also get their slide metadata from their headings, so
that each one shows as a talk (jupyterlab-rise: a new slide at each # and ## heading).

`python3 tasks.py setup` (and `lab`, `test`) registers `clean-filter` as git's clean filter
for the notebooks (.gitattributes): git then stores, compares and merges the stripped
notebook, so a lecture run and saved with its outputs is no change to git, and `git pull`
brings course updates without a conflict. PATH (git's %f) names the notebook, for its cell
ids; anything that is not a notebook passes through unchanged.

Git takes a file whose size changed for changed without reading it, filter or not, so a
notebook saved with outputs still needs `refresh`: it reads the notebooks git lists as
modified through the filter and records those whose stripped text is the index's as
unchanged (a notebook with real changes stays changed). `tasks.py` runs it at set-up and
when JupyterLab stops, and the course's Jupyter servers after every save
(platform_intl.notebook_git).
"""

from __future__ import annotations

import re
import shutil
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


#: Lectures (course/NN_*.ipynb) are also slideshows (jupyterlab-rise): slides follow the headings.
LECTURE_STEM = re.compile(r"^\d\d_")
RISE = {"scroll": True}


def slide_type(cell) -> str:
    """A new slide at each title and section (# and ##), a sub-slide at ###; the rest follows."""
    if cell.cell_type != "markdown":
        return "-"
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    if re.match(r"#{1,2} ", first):
        return "slide"
    return "subslide" if first.startswith("### ") else "-"


def tidy(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    lecture = bool(LECTURE_STEM.match(stem))
    metadata = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}
    nb.metadata = nbformat.from_dict({**metadata, "rise": RISE} if lecture else metadata)
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
        if lecture:
            keep["slideshow"] = {"slide_type": "slide" if index == 0 else slide_type(cell)}
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


def dumps(nb: nbformat.NotebookNode) -> str:
    """The notebook's text as committed."""
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.write_text(dumps(nb), encoding="utf-8")


def cleaned(data: bytes, name: str) -> bytes:
    """``data`` stripped as :func:`strip` writes it, or ``data`` itself if it is no valid notebook
    (a filter must never lose what git is given: a half-written file, conflict markers)."""
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        return dumps(tidy(nb, Path(name).stem)).encode("utf-8")
    except Exception:
        return data


def git(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        return subprocess.CompletedProcess(["git", *args], 1, "", "git is not installed")
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def refresh(paths: list[Path]) -> list[str]:
    """Record the filtered notebooks (of ``paths``, default all) that git lists as modified
    but whose stripped text is the index's as unchanged; returns them, relative to ROOT."""
    pathspec = [str(p) for p in paths] or ["*.ipynb"]
    listed = git("ls-files", "-m", "-z", "--", *pathspec)
    modified = [p for p in listed.stdout.split("\0") if p] if listed.returncode == 0 else []
    if not modified:
        return []
    attributes = git("check-attr", "-z", "filter", "--", *modified).stdout.split("\0")
    filtered = [
        path for path, value in zip(attributes[0::3], attributes[2::3], strict=False) if value not in ("", "unset")
    ]
    if not filtered:
        return []
    changed = set(git("diff", "--name-only", "-z", "--", *filtered).stdout.split("\0"))
    unchanged = [p for p in filtered if p not in changed]
    if unchanged and git("update-index", "-q", "--", *unchanged).returncode != 0:
        return []  # the index is busy (another git command): the next refresh records them
    return unchanged


def clean_filter(name: str) -> None:
    sys.stdout.buffer.write(cleaned(sys.stdin.buffer.read(), name))
    sys.stdout.buffer.flush()


def strip(paths: list[Path]) -> None:
    paths = paths or committed_notebooks()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        write(tidy(nb, path.stem), path)
    refresh(paths)  # a notebook stripped back to its committed text is no change to git


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
    if command == "clean-filter" and len(args) <= 1:
        clean_filter(argv[1] if args else "notebook.ipynb")
    elif command == "refresh":
        refresh(args)
    elif command == "strip":
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
