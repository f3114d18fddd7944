"""Submission behaviours as recipes applied to a release: what simulated students hand in."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from . import harness
from .cells import is_answer_cell, is_test_cell, nbgrader_meta
from .course import DEFAULT_FIXTURES, REFERENCE_PROFILES, SIMULATED_WRITTEN_ANSWER

# -------------------------------------------------------------- submission specs


def load_specs(folder: Path = DEFAULT_FIXTURES) -> dict[str, dict]:
    """Submission behaviours: ``<name>.json`` files (see tests/fixtures/submissions/README.md)."""
    specs = {}
    for path in sorted(Path(folder).glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        spec.setdefault("start_from", "correct")
        spec.setdefault("operations", [])
        spec.setdefault("assignments", "all" if path.stem in REFERENCE_PROFILES else "first")
        specs[path.stem] = spec
    for name in REFERENCE_PROFILES:
        specs.setdefault(
            name,
            {
                "behaviour": name,
                "start_from": name,
                "operations": [],
                "assignments": "all",
                "expect": {"score_as": name},
            },
        )
    ordered = {n: specs[n] for n in REFERENCE_PROFILES}
    ordered.update({n: s for n, s in specs.items() if n not in ordered})
    return ordered


def select_cells(nb, source_nb, selector: str) -> list:
    """Cells of ``nb`` named by a selector such as ``answer:0``, ``test:-1``, ``hidden-test:0``,
    ``read-only:0``, ``written:0`` or ``id:<grade_id>``, so specs work for any assignment."""
    kind, _, which = selector.partition(":")
    if kind == "id":
        return [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == which]
    hidden = {nbgrader_meta(c).get("grade_id") for c in source_nb.cells if "BEGIN HIDDEN TESTS" in c.source}
    tests = {
        "answer": lambda c: is_answer_cell(c) and c.cell_type == "code",
        "written": lambda c: is_answer_cell(c) and c.cell_type == "markdown",
        "test": is_test_cell,
        "hidden-test": lambda c: is_test_cell(c) and nbgrader_meta(c).get("grade_id") in hidden,
        "read-only": lambda c: (
            c.cell_type == "code" and nbgrader_meta(c).get("locked") and not nbgrader_meta(c).get("grade")
        ),
    }
    if kind not in tests:
        raise ValueError(f"unknown cell selector {selector!r}")
    matching = [c for c in nb.cells if tests[kind](c)]
    if which in ("", "*"):
        return matching
    index = int(which)
    if not -len(matching) <= index < len(matching):
        raise ValueError(f"{selector!r}: the notebook has {len(matching)} such cells")
    return [matching[index]]


def starting_notebook(profile: str, release_nb, source_nb):
    """A released notebook answered as one of the reference students would."""
    if profile == "blank":
        return copy.deepcopy(release_nb)
    if profile == "wrong-values":
        nb = harness.with_answers(release_nb, harness.skewed_answers(source_nb))
    elif profile in ("correct", "partial"):
        answers = harness.solution_answers(source_nb)
        if profile == "partial":
            first = [
                nbgrader_meta(c)["grade_id"] for c in release_nb.cells if is_answer_cell(c) and c.cell_type == "code"
            ][:1]
            answers = {k: v for k, v in answers.items() if k not in first}
        nb = harness.with_answers(release_nb, answers)
    else:
        raise ValueError(f"unknown starting point {profile!r} (use one of {REFERENCE_PROFILES})")
    if profile == "correct":
        for cell in nb.cells:
            if is_answer_cell(cell) and cell.cell_type == "markdown":
                cell.source = SIMULATED_WRITTEN_ANSWER
    return nb


def apply_spec(spec: dict, folder: Path, source_dir: Path) -> None:
    """Turn a fetched assignment folder into what the spec's student submits."""
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    if not names:
        raise FileNotFoundError(f"no released notebook in {folder}")
    notebooks = {}
    for name in names:
        release_nb = nbformat.read(str(folder / name), as_version=4)
        source_nb = nbformat.read(str(source_dir / name), as_version=4)
        notebooks[name] = [starting_notebook(spec["start_from"], release_nb, source_nb), source_nb]
    files: dict[str, object] = {name: pair[0] for name, pair in notebooks.items()}
    for op in spec["operations"]:
        name = op.get("notebook", names[0])
        if name not in notebooks:
            raise ValueError(f"spec names notebook {name!r}; the assignment has {names}")
        nb, source_nb = notebooks[name]
        kind = op["op"]
        if kind in (
            "replace",
            "prepend",
            "append",
            "delete",
            "duplicate",
            "set_points",
            "set_metadata",
            "set_tags",
            "insert_after",
            "retype",
        ):
            for cell in select_cells(nb, source_nb, op["cell"]):
                if kind == "replace":
                    cell.source = op["source"]
                elif kind == "prepend":
                    cell.source = op["source"].rstrip("\n") + "\n" + cell.source
                elif kind == "append":
                    cell.source = cell.source.rstrip("\n") + "\n" + op["source"]
                elif kind == "delete":
                    nb.cells.remove(cell)
                elif kind == "duplicate":
                    twin = copy.deepcopy(cell)
                    twin["id"] = (cell.get("id") or "cell")[:50] + "-copy"
                    if "source" in op:
                        twin.source = op["source"]
                    nb.cells.insert(nb.cells.index(cell) + 1, twin)
                elif kind == "set_points":
                    cell.metadata.nbgrader["points"] = op["points"]
                elif kind == "set_metadata":
                    cell.metadata.nbgrader.update(op["nbgrader"])
                elif kind == "set_tags":
                    cell.metadata["tags"] = list(op["tags"])
                elif kind == "retype":
                    # The cell deleted and its answer typed into a new cell in its place:
                    # a new cell id and none of the release's metadata.
                    fresh = nbformat.v4.new_code_cell(source=op.get("source", cell.source))
                    nb.cells[nb.cells.index(cell)] = fresh
                elif kind == "insert_after":
                    new = op["new_cell"]
                    make = (
                        nbformat.v4.new_code_cell
                        if new.get("cell_type", "code") == "code"
                        else nbformat.v4.new_markdown_cell
                    )
                    added = make(source=new.get("source", ""))
                    if "nbgrader" in new:
                        added.metadata["nbgrader"] = dict(new["nbgrader"])
                    if "id" in new:
                        added["id"] = new["id"]
                    nb.cells.insert(nb.cells.index(cell) + 1, added)
        elif kind == "write_text":
            files[name] = op["text"]
        elif kind == "rename":
            files[op["to"].format(stem=Path(name).stem)] = files.pop(name)
        elif kind == "remove":
            files.pop(name, None)
        elif kind == "add_file":
            files[op["name"]] = op["text"]
        elif kind in ("write_timestamp", "add_symlink"):
            pass  # applied to the collected copy (apply_after_collect): the exchange does not keep them
        else:
            raise ValueError(f"unknown operation {kind!r}")
    for path in folder.iterdir():
        if path.suffix == ".ipynb":
            path.unlink()
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, str(target))


def apply_after_collect(spec: dict, submitted: Path) -> None:
    """What a spec does to the collected copy in ``submitted/<student>/<assignment>/``: a
    ``timestamp.txt`` of its own, symbolic links (the exchange copies neither as they are)."""
    for op in spec["operations"]:
        if op["op"] == "write_timestamp":
            (submitted / "timestamp.txt").write_text(op["text"], encoding="utf-8")
        elif op["op"] == "add_symlink":
            link = submitted / op["name"]
            link.unlink(missing_ok=True)
            link.symlink_to(op["target"])


def student_id(spec_name: str, spec: dict) -> str:
    """The id a simulated student has: the spec's name, or the ``student_id`` it asks for."""
    return str(spec.get("student_id", spec_name))


def assignments_of(spec: dict, assignments: list[str], every_assignment: bool = False) -> list[str]:
    """The assignments a simulated student submits: the first, every one, or the one the spec names."""
    scope = spec.get("assignments", "first")
    if scope == "all" or every_assignment:
        return list(assignments)
    if scope != "first":
        if scope not in assignments:
            raise ValueError(f"spec names assignment {scope!r}; the course has {assignments}")
        return [scope]
    return list(assignments[:1])
