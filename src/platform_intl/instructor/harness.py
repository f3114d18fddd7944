"""Run nbgrader on a throw-away copy of the course and read the scores it records.

Used by the test suite (every assignment's solution scores full marks, its blank
release scores zero, its golden submissions score as asserted) and by the class
simulation. Everything goes through nbgrader's own commands; scores are read from the
gradebook, never from `nbgrader validate`'s exit code (jupyter/nbgrader#1908).
"""

from __future__ import annotations

import ast
import copy
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from ..environment import DATASETS_VARIABLE, course_environment, find_datasets
from .cells import is_answer_cell, nbgrader_meta

GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db")


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for nbgrader subprocesses: this interpreter's environment, its state inside it."""
    env = course_environment(Path(sys.prefix), keep_existing=True)
    datasets = find_datasets()  # the kernels and the grader's process run in scratch folders: name it
    if (datasets / "datapackage.json").is_file():
        env.setdefault(DATASETS_VARIABLE, str(datasets))
    if extra:
        env.update(extra)
    return env


def assignment_names(course_dir: Path) -> list[str]:
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


@dataclass
class NotebookScore:
    student: str
    notebook: str
    grades: dict[str, float | None] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)
    needs_manual_grade: list[str] = field(default_factory=list)

    def autograded(self, test_ids) -> float:
        return sum(self.grades.get(i) or 0.0 for i in test_ids)


@dataclass
class CommandResult:
    args: list[str]
    returncode: int
    output: str


class CourseSandbox:
    """A temporary nbgrader course made from the repository's `assignments/` folder."""

    def __init__(self, root: Path, *, source_course: Path, config_overrides: str = ""):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source_course / "source", self.root / "source", dirs_exist_ok=True)
        config = (source_course / "nbgrader_config.py").read_text(encoding="utf-8")
        # The committed file sets CourseDirectory.root to its own folder: the copy does too.
        (self.root / "nbgrader_config.py").write_text(config + "\n" + config_overrides, encoding="utf-8")
        self.exchange = self.root / "exchange"
        self.exchange.mkdir(exist_ok=True)
        self.log: list[CommandResult] = []

    def env(self) -> dict[str, str]:
        return nbgrader_env({"NBGRADER_EXCHANGE": str(self.exchange)})

    def nbgrader(self, *args: str, check: bool = True, timeout: float = 900) -> CommandResult:
        cmd = [sys.executable, "-m", "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=self.root, env=self.env(), capture_output=True, text=True, timeout=timeout)
        result = CommandResult(cmd, proc.returncode, proc.stdout + proc.stderr)
        self.log.append(result)
        if check and proc.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{result.output[-4000:]}")
        return result

    def notebook_paths(self, assignment: str, folder: str = "source") -> list[Path]:
        return sorted((self.root / folder / assignment).glob("*.ipynb"))

    def generate(self, assignment: str) -> list[Path]:
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.notebook_paths(assignment, "release")

    def submit(
        self, assignment: str, student: str, notebooks: dict[str, object], *, timestamp: datetime | None = None
    ) -> Path:
        """Place a submission as `nbgrader collect` would: submitted/<student>/<assignment>/.

        ``notebooks`` maps a file name to a NotebookNode, a path, or raw text/bytes (to
        simulate files that are not valid notebooks).
        """
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in notebooks.items():
            target = folder / name
            if isinstance(content, (str, Path)) and Path(str(content)).exists():
                shutil.copyfile(content, target)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            elif isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                nbformat.write(content, str(target))
        stamp = (timestamp or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        (folder / "timestamp.txt").write_text(stamp)
        return folder

    def autograde(self, assignment: str, *extra: str, check: bool = True) -> CommandResult:
        return self.nbgrader("autograde", assignment, "--force", *extra, check=check)

    def scores(self, assignment: str) -> dict[tuple[str, str], NotebookScore]:
        """Per (student, notebook) grades as recorded in the gradebook."""
        from nbgrader.api import Gradebook

        out: dict[tuple[str, str], NotebookScore] = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for submission in gb.assignment_submissions(assignment):
                for nb in submission.notebooks:
                    score = NotebookScore(submission.student.id, nb.name)
                    for grade in nb.grades:
                        score.grades[grade.name] = grade.score if not grade.needs_manual_grade else grade.auto_score
                        score.max_points[grade.name] = grade.max_score
                        if grade.needs_manual_grade:
                            score.needs_manual_grade.append(grade.name)
                    out[(submission.student.id, nb.name)] = score
        return out


def load_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=nbformat.NO_CONVERT)


def with_answers(release_nb, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of a released notebook with some answer cells filled in, by grade_id."""
    nb = copy.deepcopy(release_nb)
    unknown = set(answers) - {nbgrader_meta(c).get("grade_id") for c in nb.cells if is_answer_cell(c)}
    if unknown:
        raise KeyError(f"no answer cells with grade_id {sorted(unknown)}")
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if is_answer_cell(cell) and gid in answers:
            cell.source = answers[gid]
    return nb


def strip_solution_markers(source: str) -> str:
    lines = [l for l in source.splitlines() if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(lines)


def solution_answers(source_nb) -> dict[str, str]:
    """The instructor's answers, as a student who solved everything would submit them."""
    return {
        nbgrader_meta(c)["grade_id"]: strip_solution_markers(c.source)
        for c in source_nb.cells
        if is_answer_cell(c) and c.cell_type == "code"
    }


_SKEW = '''
def _skew(value):
    """Shift an answer to a plausible wrong value of the same type."""
    import numbers
    if isinstance(value, bool):
        return not value
    if isinstance(value, numbers.Number):
        return value * 1.37 + 1
    if isinstance(value, str):
        return value[::-1] + "?"
    if isinstance(value, (list, tuple)):
        return type(value)(list(value)[::-1][:-1]) if len(value) > 1 else type(value)()
    if isinstance(value, dict):
        return {k: _skew(v) for k, v in value.items()}
    try:
        import pandas as pd
        if isinstance(value, (pd.Series, pd.DataFrame)):
            return value.apply(lambda s: s * 1.37 + 1 if s.dtype.kind in "if" else s)
    except Exception:
        pass
    return value
'''


def skewed_answers(source_nb) -> dict[str, str]:
    """The solution with every top-level assigned value nudged to a wrong one of the same type.

    Visible tests that check only type and shape still pass; tests of values must fail.
    This is how the suite proves that an assignment's tests can fail at all.
    """
    answers = {}
    for gid, code in solution_answers(source_nb).items():
        names = []
        for node in ast.parse(code).body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else ([node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
            )
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        if names:
            code += "\n" + _SKEW + "".join(f"{n} = _skew({n})\n" for n in dict.fromkeys(names))
        answers[gid] = code
    return answers


def read_golden(path: Path) -> dict:
    spec = json.loads(path.read_text(encoding="utf-8"))
    missing = {"description", "answers", "expected_autograded_score"} - set(spec)
    if missing:
        raise ValueError(f"{path}: golden submission lacks {sorted(missing)}")
    return spec
