"""A student's saved work never collides with course updates.

Saving a lecture writes its outputs into the tracked notebook. With the clean filter that
set-up registers (tasks.py `install_notebook_filter`, tools/notebooks.py `clean-filter`,
named for course/ and assignments/source/ in .gitattributes), git stores and compares the
stripped notebook. Git takes a file whose size changed for changed without reading it, so
saved notebooks are also recorded as unchanged (tools/notebooks.py `refresh`): by the
course's Jupyter servers after each save (platform_intl.notebook_git) and by tasks.py at
set-up and when JupyterLab stops. Then:

- in a clone of the course with the filter, every lecture run and saved with its outputs
  leaves `git diff` empty and `git status` clean, and `git pull` of an upstream commit
  that changes a lecture succeeds and leaves it clean;
- in a clone without it, the same pull refuses ("would be overwritten"): the problem.

The filter leaves committed notebooks byte for byte as they are, never loses what is not a
notebook, and registering it is idempotent and only happens in a git checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

#: What set-up needs from the checkout that a clone of HEAD may not have yet (before commit).
FILTER_FILES = (".gitattributes", "tools/notebooks.py")
UPDATED = "course/05_reading_across_languages.ipynb"


def load(relative: str):
    """A script of the repository (tasks.py, tools/notebooks.py) as a module."""
    spec = importlib.util.spec_from_file_location(Path(relative).stem + "_under_test", ROOT / relative)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tasks():
    return load("tasks.py")


def load_notebooks_tool():
    return load("tools/notebooks.py")


#: git as a student runs it, without this machine's global or system configuration.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Course",
    "GIT_AUTHOR_EMAIL": "course@example.org",
    "GIT_COMMITTER_NAME": "Course",
    "GIT_COMMITTER_EMAIL": "course@example.org",
}


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=dict(os.environ, **GIT_ENV), capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        pytest.fail(f"git {' '.join(args)} in {cwd} failed:\n{result.stdout}{result.stderr}", pytrace=False)
    return result


def status(cwd: Path) -> str:
    return git(cwd, "status", "--porcelain").stdout


def committed_notebooks() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return git(ROOT, "ls-files", "*.ipynb").stdout.split()


def filtered(path: str) -> bool:
    return git(ROOT, "check-attr", "filter", "--", path).stdout.strip().endswith(": platform-intl-notebooks")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory) -> Path:
    """A clone of this checkout standing for the course's repository (with this checkout's filter files)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout, or git is not installed")
    repo = tmp_path_factory.mktemp("upstream") / "course"
    git(ROOT, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(repo))
    for name in FILTER_FILES:
        shutil.copyfile(ROOT / name, repo / name)
    if status(repo):
        git(repo, "add", "--", *FILTER_FILES)
        git(repo, "commit", "--quiet", "-m", "The notebook filter as in the checkout under test")
    return repo


def execute_and_save(path: Path) -> None:
    """Run the notebook top to bottom and save it with its outputs, as a student does in JupyterLab."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    assert any(cell.get("outputs") for cell in nb.cells), f"{path.name} ran without any output"
    nbformat.write(nb, path)


def update_lecture(repo: Path, sentence: str) -> None:
    """An upstream change to a lecture: a sentence more in its first Markdown cell, committed stripped."""
    tool = load_notebooks_tool()
    path = repo / UPDATED
    nb = nbformat.read(path, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "markdown")
    first.source += "\n\n" + sentence
    tool.write(tool.tidy(nb, path.stem), path)
    git(repo, "commit", "--quiet", "-m", "Lecture 05: one sentence more", "--", UPDATED)


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_saved_lectures_and_a_course_update_pull_without_conflict(upstream, tmp_path):
    tasks = load_tasks()
    student = tmp_path / "student"
    git(tmp_path, "clone", "--quiet", str(upstream), str(student))
    assert tasks.install_notebook_filter(student, Path(sys.executable)) is True
    assert tasks.install_notebook_filter(student, Path(sys.executable)) is False, "set-up is not idempotent"
    config = git(student, "config", "--local", "--get", f"filter.{tasks.NOTEBOOK_FILTER}.clean").stdout
    assert "clean-filter %f" in config and str(student / "tools" / "notebooks.py") in config

    lectures = sorted((student / "course").glob("*.ipynb"))
    assert len(lectures) >= 8
    for lecture in lectures:
        execute_and_save(lecture)
    assert git(student, "diff", "--stat").stdout == "", "saved outputs show as changes to git"

    # JupyterLab's save: the course's server extension refreshes the saved notebook.
    from platform_intl import notebook_git

    first = lectures[0].relative_to(student).as_posix()
    assert notebook_git.course_checkout(lectures[0]) == student
    assert notebook_git.refresh(student, str(lectures[0])).returncode == 0
    assert first not in status(student)
    # JupyterLab stops (or set-up runs): tasks.py refreshes the others.
    tasks.refresh_notebooks(student, Path(sys.executable))
    assert status(student) == "", "lectures saved with their outputs show as changes to git"

    # Without the filter (a clone that never ran set-up), the same saved work blocks the update.
    unfiltered = tmp_path / "unfiltered"
    git(tmp_path, "clone", "--quiet", str(upstream), str(unfiltered))
    shutil.copyfile(student / UPDATED, unfiltered / UPDATED)
    assert status(unfiltered) != ""

    sentence = "A sentence the course added after the student saved this lecture."
    update_lecture(upstream, sentence)

    pulled = git(student, "pull", "--quiet", check=False)
    assert pulled.returncode == 0, f"git pull failed in the student's clone:\n{pulled.stdout}{pulled.stderr}"
    assert status(student) == "", "the student's clone is not clean after the pull"
    assert sentence in (student / UPDATED).read_text(encoding="utf-8")
    others = [p for p in lectures if p.relative_to(student).as_posix() != UPDATED]
    assert all(any(c.get("outputs") for c in nbformat.read(p, as_version=4).cells) for p in others), (
        "the pull touched lectures the course did not change"
    )

    refused = git(unfiltered, "pull", "--quiet", check=False)
    assert refused.returncode != 0 and "would be overwritten" in refused.stderr, refused.stderr

    # `tools/notebooks.py strip` still works in a filtered clone, and changes nothing git sees.
    run = subprocess.run(
        [sys.executable, "tools/notebooks.py", "strip", *[p.relative_to(student).as_posix() for p in lectures]],
        cwd=student,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert not any(c.get("outputs") for p in lectures for c in nbformat.read(p, as_version=4).cells)
    assert status(student) == ""


def test_a_save_in_jupyter_refreshes_only_notebooks_of_a_course_checkout(tmp_path, monkeypatch):
    from platform_intl import notebook_git

    started = []
    monkeypatch.setattr(notebook_git.threading, "Thread", lambda **kw: started.append(kw) or _NoThread())
    notebook_git.after_save(os_path=str(ROOT / "course" / "00_orientation.ipynb"))
    assert [kw["args"] for kw in started] == [(ROOT, str(ROOT / "course" / "00_orientation.ipynb"))]
    started.clear()
    (tmp_path / "home" / ".git").mkdir(parents=True)  # a git folder without the course's tool
    for path in (tmp_path / "home" / "a.ipynb", tmp_path / "b.ipynb", ROOT / "README.md"):
        notebook_git.after_save(os_path=str(path))
    assert started == []


class _NoThread:
    def start(self) -> None:
        pass


def test_setup_registers_the_filter_only_in_a_git_checkout(tmp_path):
    tasks = load_tasks()
    plain = tmp_path / "copy"
    (plain / "tools").mkdir(parents=True)
    assert tasks.install_notebook_filter(plain, Path(sys.executable)) is False
    assert not (plain / ".git").exists()
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # A folder inside someone else's checkout is not a checkout of the course.
    git(tmp_path, "init", "--quiet", str(tmp_path / "outer"))
    inner = tmp_path / "outer" / "course"
    (inner / ".git").mkdir(parents=True)  # not a repository: git finds the outer one
    assert tasks.install_notebook_filter(inner, Path(sys.executable)) is False
    assert git(tmp_path / "outer", "config", "--local", "--get-regexp", "filter", check=False).stdout == ""


def test_every_student_notebook_is_filtered_and_left_as_committed():
    tool = load_notebooks_tool()
    paths = committed_notebooks()
    student_facing = [p for p in paths if p.startswith(("course/", "assignments/source/"))]
    assert student_facing and all(filtered(p) for p in student_facing), "a lecture or problem set is not filtered"
    for path in filter(filtered, paths):
        blob = git(ROOT, "show", f"HEAD:{path}").stdout.encode("utf-8")
        assert tool.cleaned(blob, path) == blob, f"{path}: the filter would change the committed notebook"


def test_the_filter_strips_outputs_and_passes_anything_else_through():
    tool = load_notebooks_tool()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 + 1", execution_count=3, outputs=[nbformat.v4.new_output("stream")])]
    )
    stripped = nbformat.reads(tool.cleaned(nbformat.writes(nb).encode(), "course/x.ipynb").decode(), as_version=4)
    assert stripped.cells[0].outputs == [] and stripped.cells[0].execution_count is None
    assert stripped.cells[0].id == "x-000"
    for data in (b"", b"<<<<<<< HEAD\n{}\n=======\n", b"\xff\xfe not utf-8", b'{"cells": 3}'):
        assert tool.cleaned(data, "course/x.ipynb") == data
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "notebooks.py"), "clean-filter", "course/x.ipynb"],
        input=nbformat.writes(nb).encode(),
        capture_output=True,
    )
    assert run.returncode == 0 and b'"outputs": []' in run.stdout
