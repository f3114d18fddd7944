"""Intake repair: every cell the release defines gets its nbgrader role back, whatever the student edited.

An honest student can break grading with one stray edit of cell metadata: a renamed grade
id, ``grade: false`` on a test cell, a test cell pasted from another assignment, a
``skip-execution`` tag, a test cell turned into markdown. Before nbgrader sanitises a
submission, :func:`restore_from_release` matches each cell of the release to a cell of the
submission, by grade id, then by cell id, then by position between matched neighbours, and
puts back the release's nbgrader metadata, tags and cell type. Cells that claim a grading
role the release does not know lose that claim (their code still runs as ordinary code).
Each repair is returned as a note for the grader. The student's answers (the sources of
answer cells) are never touched; test and read-only sources are restored later, from the
gradebook, by nbgrader's ``OverwriteCells``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence

import nbformat
from nbformat.notebooknode import NotebookNode

from .cells import nbgrader_meta

#: A note: (kind, message, cell label).
Note = tuple[str, str, str | None]


def _grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def _match(release: Sequence, submitted: Sequence) -> dict[int, int]:
    """submitted index -> release index, for the release cells that carry nbgrader metadata."""
    wanted = [i for i, cell in enumerate(release) if _grade_id(cell)]
    by_grade_id = {_grade_id(release[i]): i for i in wanted}
    by_cell_id = {release[i].get("id"): i for i in wanted if release[i].get("id")}
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for rule in ("grade_id", "cell_id"):
        for s, cell in enumerate(submitted):
            if s in matched:
                continue
            key = _grade_id(cell) if rule == "grade_id" else cell.get("id")
            r = (by_grade_id if rule == "grade_id" else by_cell_id).get(key)
            if r is not None and r not in taken:
                matched[s] = r
                taken.add(r)
    # Position: between two matched neighbours, the unmatched release cells and the unmatched
    # submitted cells of the same type are paired in order when there are as many of each.
    anchors = sorted(matched.items())
    bounds = [(-1, -1), *anchors, (len(submitted), len(release))]
    for (s_lo, r_lo), (s_hi, r_hi) in itertools.pairwise(bounds):
        missing = [r for r in wanted if r_lo < r < r_hi and r not in taken]
        if not missing:
            continue
        free = [s for s in range(s_lo + 1, s_hi) if s not in matched]
        if len(free) == len(missing) and all(
            submitted[s].get("cell_type") == release[r].get("cell_type") or _grade_id(submitted[s])
            for s, r in zip(free, missing)
        ):
            for s, r in zip(free, missing):
                matched[s] = r
                taken.add(r)
    return matched


def _as_type(cell, cell_type: str) -> NotebookNode:
    """The cell rebuilt as ``cell_type``, keeping its id, source and metadata."""
    make = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }[cell_type]
    rebuilt = make(source=cell.get("source", ""), metadata=copy.deepcopy(cell.get("metadata", {})))
    if cell.get("id"):
        rebuilt["id"] = cell["id"]
    return rebuilt


def restore_from_release(nb: NotebookNode, release: NotebookNode) -> list[Note]:
    """Restore, in place, the nbgrader role of every cell the release defines; the notes say what changed."""
    notes: list[Note] = []
    matched = _match(release.cells, nb.cells)
    release_ids = {_grade_id(c) for c in release.cells if _grade_id(c)}
    for s, cell in enumerate(nb.cells):
        r = matched.get(s)
        if r is None:
            gid = _grade_id(cell)
            meta = nbgrader_meta(cell)
            if meta and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
                if gid in release_ids:
                    continue  # a duplicate of a known cell: DeduplicateIds deals with it and says so
                del cell.metadata["nbgrader"]
                notes.append(
                    (
                        "extra-cell",
                        f"A cell marked `{gid or 'without an id'}` for grading is not part of "
                        "this assignment (pasted from elsewhere, or added): it was ignored for grading "
                        "and run as ordinary code.",
                        gid,
                    )
                )
            continue
        original = release.cells[r]
        label = _grade_id(original)
        changed = []
        if cell.get("cell_type") != original.get("cell_type"):
            changed.append(f"cell type {cell.get('cell_type')} → {original.get('cell_type')}")
            cell = nb.cells[s] = _as_type(cell, original["cell_type"])
        wanted = copy.deepcopy(original.metadata.get("nbgrader", {}))
        have = nbgrader_meta(cell)
        if isinstance(have.get("points"), (int, float)) and "points" in wanted:
            wanted["points"] = have["points"]  # OverwriteCells restores points from the gradebook, with its own note
        for key in sorted(set(wanted) | set(have)):
            if key != "checksum" and have.get(key) != wanted.get(key):
                changed.append(f"{key} {have.get(key)!r} → {wanted.get(key)!r}")
        cell.metadata["nbgrader"] = wanted
        tags, wanted_tags = list(cell.metadata.get("tags", [])), list(original.metadata.get("tags", []))
        if sorted(tags) != sorted(wanted_tags):
            changed.append(f"tags {tags} → {wanted_tags}")
            if wanted_tags:
                cell.metadata["tags"] = wanted_tags
            else:
                cell.metadata.pop("tags", None)
        if changed and not have:
            notes.append(
                (
                    "metadata",
                    f"`{label}` had no nbgrader settings (a cell deleted and typed again, or pasted from "
                    "elsewhere); the grader recognised it by its place among the cells around it and restored "
                    "the release's, so the cell is graded as designed.",
                    label,
                )
            )
        elif changed:
            notes.append(
                (
                    "metadata",
                    f"The nbgrader settings of `{label}` had been changed ({'; '.join(changed)}); "
                    "the grader restored the release's, so the cell is graded as designed.",
                    label,
                )
            )
    return notes
