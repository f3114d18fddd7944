"""Intake: turn whatever a student handed in into a notebook nbgrader can grade, with a note for each repair."""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import traceback
from pathlib import Path

import jsonschema
import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.api import MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import (
    CheckCellMetadata,
    DeduplicateIds,
    OverwriteCells,
)

from .cells import split_region
from .notes import INTAKE_FILE, NOTES_KEY, RECOVERY_FILE, add_note
from .repair import restore_from_release

# ------------------------------------------------------------------ unreadable files


class RobustNotebookExporter(NotebookExporter):
    """Notebook exporter for ``Autograde`` that never lets one file stop the run.

    While nbgrader sanitises a submission, a file that cannot be read or processed is
    tried again with its nbgrader metadata repaired, then replaced by the released
    notebook (every answer blank). The reason goes into the grader notes. The student's
    file is never modified.
    """

    def _sanitizing(self) -> bool:
        return bool(getattr(self.parent, "_sanitizing", False)) and hasattr(self.parent, "coursedir")

    def from_filename(self, filename, resources=None, **kw):
        if not self._sanitizing():
            return super().from_filename(filename, resources=resources, **kw)
        resources = self._file_resources(filename, resources)
        pristine = copy.deepcopy(resources)
        nb, problem = _read_notebook(filename)
        renamed = _recovered_from(filename)
        if nb is not None:
            nb.metadata.pop(NOTES_KEY, None)  # whatever a submission says about itself
            if renamed:
                add_note(nb, "renamed", renamed)
            for note in _intake_notes(filename):
                add_note(nb, *note)
            release = self._blank_notebook(resources)
            for note in restore_from_release(nb, release):
                add_note(nb, *note)
            try:
                return self.from_notebook_node(nb, resources=copy.deepcopy(pristine), **kw)
            except Exception as error:
                if _is_infrastructure_error(error):
                    raise
                problem = f"nbgrader could not process it ({type(error).__name__}: {error})"
            repaired, changed = _repair_metadata(nb)
            if changed:
                add_note(
                    repaired,
                    "repaired",
                    "Cells whose nbgrader metadata was broken were treated as "
                    f"ordinary cells: {', '.join(changed)}. " + problem,
                )
                try:
                    return self.from_notebook_node(repaired, resources=copy.deepcopy(pristine), **kw)
                except Exception as error:
                    if _is_infrastructure_error(error):
                        raise
                    problem += f"; after repair: {type(error).__name__}: {error}"
        self.log.warning("Grading %s as unanswered: %s", filename, problem)
        blank = self._blank_notebook(resources)
        name = os.path.basename(filename)
        add_note(
            blank,
            "unreadable",
            f"The submitted file `{name}` could not be graded: {_shorten(problem, 300)}. "
            "It was graded as the unanswered release, so every automatic test scores 0. "
            "The file itself is kept unchanged in the submission folder for the instructor "
            "to inspect.",
        )
        return self.from_notebook_node(blank, resources=copy.deepcopy(pristine), **kw)

    @staticmethod
    def _file_resources(filename, resources):
        resources = dict(resources or {})
        metadata = dict(resources.get("metadata") or {})
        metadata["name"] = os.path.splitext(os.path.basename(filename))[0]
        metadata["path"] = os.path.dirname(filename)
        resources["metadata"] = metadata
        return resources

    def _blank_notebook(self, resources) -> NotebookNode:
        """The released notebook, or the source with solutions cleared if there is none."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            raise RuntimeError("the exporter runs only inside nbgrader's autograde, which sets its course folder")
        info = resources["nbgrader"]
        released = Path(
            coursedir.format_path(coursedir.release_directory, ".", info["assignment"]), info["notebook"] + ".ipynb"
        )
        if released.exists():
            return nbformat.read(str(released), as_version=4)
        from nbgrader.preprocessors import ClearSolutions

        source = Path(
            coursedir.format_path(coursedir.source_directory, ".", info["assignment"]), info["notebook"] + ".ipynb"
        )
        nb = nbformat.read(str(source), as_version=4)
        nb, _ = ClearSolutions(parent=self).preprocess(nb, {})
        return nb


def _is_infrastructure_error(error: BaseException) -> bool:
    """Errors about the course (database, configuration), not about the submission."""
    module = type(error).__module__ or ""
    return module.startswith("sqlalchemy") or isinstance(error, (MemoryError, MissingEntry))


def _read_notebook(filename) -> tuple[NotebookNode | None, str]:
    try:
        raw = Path(filename).read_bytes()
    except OSError as error:
        return None, f"it could not be opened ({error.strerror})"
    if not raw.strip():
        return None, "the file is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "the file is not text (not UTF-8)"
    try:
        json.loads(text)
    except ValueError as error:
        return None, f"it is not valid JSON ({error})"
    try:
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as error:
        return None, f"it is JSON but not a notebook ({type(error).__name__}: {_shorten(str(error), 200)})"
    return nb, ""


def _repair_metadata(nb) -> tuple[NotebookNode, list[str]]:
    """A copy of ``nb`` without the nbgrader metadata that does not validate."""
    nb = copy.deepcopy(nb)
    validator = MetadataValidator()
    changed = []
    for index, cell in enumerate(nb.cells):
        cell.setdefault("metadata", NotebookNode())
        cell.setdefault("source", "")
        if "nbgrader" not in cell.metadata:
            continue
        try:
            validator.validate_cell(validator.upgrade_cell_metadata(copy.deepcopy(cell)))
            meta = cell.metadata.nbgrader
            if nbutils.is_grade(cell):
                float(meta["points"])
        except Exception:
            changed.append(str(cell.metadata.nbgrader.get("grade_id") or f"cell {index + 1}"))
            del cell.metadata["nbgrader"]
    return nb, changed


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------- before conversion

#: What nbgrader's folder scan (glob) cannot see: a leading dot hides a folder, and brackets,
#: ``*`` and ``?`` are pattern characters, so such a student id never matches its own folder.
SKIPPED_ID_RULE = "a student id must not start with '.' nor contain '[', ']', '*' or '?'"


def skipped_student_ids(submitted: Path, assignment: str | None = None) -> list[str]:
    """Students in ``submitted/`` (with a folder for ``assignment``, if given) that nbgrader's
    autograde would silently skip."""
    if not Path(submitted).is_dir():
        return []
    return sorted(
        p.name
        for p in Path(submitted).iterdir()
        if p.is_dir() and not _scannable(p.name) and (assignment is None or (p / assignment).is_dir())
    )


def _scannable(student_id: str) -> bool:
    return not student_id.startswith(".") and not any(ch in student_id for ch in "[]*?")


def prepare_submission(assignment=None, student=None, notebooks=None, **kwargs) -> None:
    """``Autograde.pre_convert_hook``: make a submission gradable without losing anything of it.

    - names every submission nbgrader's scan skips, with the rule, in the log (every run);
    - an unparseable ``timestamp.txt`` is kept as ``timestamp-unreadable.txt`` and the
      submission is graded with the note "submission time unknown" (nbgrader would fail it);
    - symbolic links are not followed: each is removed from the collected copy (the exchange
      keeps the original) and named in a note;
    - a notebook submitted under another name is graded under the expected one.
    """
    if notebooks:
        folder = Path(notebooks[0]).parent
        skipped = skipped_student_ids(folder.parent.parent, folder.name)
        if skipped:
            import logging

            logging.getLogger("traitlets").error(
                "NOT GRADED: submissions of %s: %s. Rename the folder(s) in submitted/ and the "
                "roster entry to a valid id, then autograde again.",
                ", ".join(map(repr, skipped)),
                SKIPPED_ID_RULE,
            )
        notes = _check_timestamp(folder) + _drop_symlinks(folder)
        if notes:
            record = folder / INTAKE_FILE
            record.write_text(json.dumps([list(n) for n in notes], indent=2) + "\n", encoding="utf-8")
    recover_renamed_notebooks(assignment=assignment, student=student, notebooks=notebooks, **kwargs)


def _check_timestamp(folder: Path) -> list[tuple[str, str, None]]:
    from nbgrader.utils import parse_utc

    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return []
    text = stamp.read_text(encoding="utf-8", errors="replace").strip()
    try:
        if text:
            parse_utc(text)
        return []
    except Exception:
        kept = folder / "timestamp-unreadable.txt"
        stamp.replace(kept)
        stamp.write_text("", encoding="utf-8")  # empty: nbgrader grades it without a time (and feedback still works)
        return [
            (
                "time-unknown",
                f"Submission time unknown: timestamp.txt read {_shorten(text, 60)!r}, which is not a "
                "date. The submission was graded without a late penalty; the file is kept as "
                f"`{kept.name}`. Check the exchange for the real time.",
                None,
            )
        ]


def _drop_symlinks(folder: Path) -> list[tuple[str, str, None]]:
    links = sorted(p for p in folder.rglob("*") if p.is_symlink())
    if not links:
        return []
    shown = ", ".join(f"`{p.relative_to(folder)}` → `{os.readlink(p)}`" for p in links[:5])
    for link in links:
        link.unlink()
    return [
        (
            "symlink",
            f"The submission contained {len(links)} symbolic link(s) ({shown}); links are not "
            "followed, so the grader removed them from its copy before grading.",
            None,
        )
    ]


def _intake_notes(filename) -> list[tuple]:
    record = Path(filename).parent / INTAKE_FILE
    try:
        return [tuple(n) for n in json.loads(record.read_text(encoding="utf-8"))] if record.is_file() else []
    except ValueError:
        return []


# ------------------------------------------------------------- renamed notebooks


def recover_renamed_notebooks(assignment=None, student=None, notebooks=None, **_ignored) -> None:
    """``Autograde.pre_convert_hook``: grade a notebook submitted under another name.

    nbgrader skips notebooks it does not know and, when none is left, fails the student
    ("No notebooks found"). For every expected notebook that is missing, a submitted
    notebook with an unknown name that carries its grade ids (or starts with its name)
    is copied to the expected name, and the copy is added to the list nbgrader is about
    to grade. The original file is left as it is; ``grader-recovered-notebooks.json``
    next to it records the copy, and the grader notes say so.
    """
    if not notebooks:
        return
    folder = Path(notebooks[0]).parent
    expected = _expected_notebooks(folder.name)
    if not expected:
        return
    present = {Path(n).name for n in notebooks}
    unknown = [Path(n) for n in notebooks if Path(n).name not in expected]
    recovered = {}
    for name in sorted(set(expected) - present):
        wanted_ids = expected[name]

        def overlap(path: Path, wanted_ids=wanted_ids, name=name) -> tuple[int, bool]:
            return (len(_grade_ids(path) & wanted_ids), path.stem.startswith(Path(name).stem))

        candidates = [p for p in unknown if overlap(p) > (0, False)]
        if not candidates:
            continue
        best = max(candidates, key=lambda p: (overlap(p), p.stat().st_mtime))
        target = folder / name
        shutil.copyfile(best, target)
        unknown.remove(best)
        notebooks.append(str(target))
        recovered[name] = best.name
    if recovered:
        record = folder / RECOVERY_FILE
        existing = {}
        if record.exists():
            try:
                existing = json.loads(record.read_text(encoding="utf-8"))
            except ValueError:
                existing = {}
        existing.update(
            {
                name: {
                    "copied_from": original,
                    "reason": f"the expected {name} was missing; {original} holds its cells",
                }
                for name, original in recovered.items()
            }
        )
        record.write_text(json.dumps(existing, indent=2) + "\n", encoding="utf-8")


def _course_folder(trait: str, default: str) -> Path:
    """A course folder (release, feedback, ...) from the running nbgrader app, or its default
    name in the course root, where nbgrader runs its converters."""
    try:
        from traitlets.config import Application

        coursedir = getattr(Application.instance(), "coursedir", None) if Application.initialized() else None
        if coursedir is not None:
            return Path(coursedir.root) / getattr(coursedir, trait)
    except Exception:
        pass
    return Path.cwd() / default


def _expected_notebooks(assignment: str) -> dict[str, set[str]]:
    """Notebook names of an assignment's source (grade ids of each)."""
    source = _course_folder("source_directory", "source") / assignment
    return {p.name: _grade_ids(p) for p in sorted(source.glob("*.ipynb"))}


def _grade_ids(path: Path) -> set[str]:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])} - {None}
    except Exception:
        return set()


def _recovered_from(filename) -> str:
    record = Path(filename).parent / RECOVERY_FILE
    if not record.exists():
        return ""
    try:
        entry = json.loads(record.read_text(encoding="utf-8")).get(Path(filename).name)
    except ValueError:
        return ""
    if not entry:
        return ""
    original = Path(filename).parent / entry.get("copied_from", "")
    if not original.is_file() or original.read_bytes() != Path(filename).read_bytes():
        return ""
    return (
        f"The expected `{Path(filename).name}` was not submitted; the grader graded "
        f"`{original.name}`, which holds its cells. Both files are kept as submitted."
    )


# ----------------------------------------------------------- sanitising, recorded


def _same_code(a: str, b: str) -> bool:
    def norm(text):
        return "\n".join(l.rstrip() for l in text.strip().splitlines() if l.strip())

    return norm(a) == norm(b)


class RecordingDeduplicateIds(DeduplicateIds):
    """nbgrader's DeduplicateIds (the last copy of a cell is graded, earlier copies run
    as ordinary cells), with a grader note for each duplicated id."""

    def preprocess(self, nb, resources):
        counts: dict[str, int] = {}
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid and (nbutils.is_grade(cell) or nbutils.is_solution(cell) or nbutils.is_locked(cell)):
                counts[gid] = counts.get(gid, 0) + 1
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            # nbgrader leaves `nbgrader: {}` on the demoted copies, which CheckCellMetadata
            # then rejects as "schema version 0" and the whole autograde run stops.
            if "nbgrader" in cell.get("metadata", {}) and not cell.metadata.nbgrader:
                del cell.metadata["nbgrader"]
        for gid, count in counts.items():
            if count > 1:
                add_note(
                    nb,
                    "duplicate",
                    f"`{gid}` appeared {count} times. The last copy was graded; "
                    "the other copies ran as ordinary cells.",
                    gid,
                )
        return nb, resources


class RecordingOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, with a grader note whenever it restores something.

    nbgrader reports every hidden-test cell as "changed" (the release lacks the hidden
    part); a note is only written when the student's cell differs from what they were
    given.
    """

    def preprocess(self, nb, resources):
        before = {
            c.metadata.get("nbgrader", {}).get("grade_id")
            for c in nb.cells
            if nbutils.is_grade(c) or nbutils.is_solution(c)
        }
        nb, resources = super().preprocess(nb, resources)
        if self.add_missing_cells:
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if nbutils.is_grade(cell) and gid not in before:
                    add_note(
                        nb,
                        "missing-cell",
                        f"The graded cell `{gid}` had been deleted; the grader put the original back and ran it.",
                        gid,
                    )
        for note in getattr(self, "_pending_notes", []):
            add_note(nb, *note)
        self._pending_notes = []
        return nb, resources

    def report_change(self, name, attr, old, new):
        super().report_change(name, attr, old, new)
        self._changes.append((attr, old, new))

    def preprocess_cell(self, cell, resources, cell_index):
        self._changes = []
        if not hasattr(self, "_pending_notes"):
            self._pending_notes = []
        submitted = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        for attr, old, new in self._changes:
            if attr == "points":
                self._pending_notes.append(
                    (
                        "points",
                        f"The points of `{gid}` had been changed from {old:g} "
                        f"to {new}; the original {old:g} were used.",
                        gid,
                    )
                )
            elif attr == "checksum":
                given = "\n".join(split_region(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")[0])
                if not _same_code(submitted, given):
                    kind = "test" if nbutils.is_grade(cell) else "read-only"
                    self._pending_notes.append(
                        (
                            "restored",
                            f"The {kind} cell `{gid}` had been edited; the "
                            "grader restored the original before running it.",
                            gid,
                        )
                    )
            elif attr in ("cell_type", "locked"):
                self._pending_notes.append(
                    (
                        "restored",
                        f"The {attr.replace('_', ' ')} of `{gid}` had been "
                        f"changed from {old} to {new}; the original was restored.",
                        gid,
                    )
                )
        return cell, resources


# --------------------------------------------------------------- metadata check, compiled once
@functools.cache
def _compiled_schema(schema_json: str):
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class _CompiledSchemaCheck(BaseMetadataValidator):
    """nbgrader's schema check of a cell's metadata, with the schema checked and compiled once.

    nbgrader validates each cell with ``jsonschema.validate``, which checks the schema itself
    again for every cell: at autograde that was a third of the grader's CPU time.
    """

    def validate_cell(self, cell) -> None:
        meta = cell.metadata.get("nbgrader") if "nbgrader" in cell.metadata else None
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nothing to check, or nbgrader's version errors
        error = jsonschema.exceptions.best_match(_compiled_schema(json.dumps(self.schema)).iter_errors(meta))
        if error is not None:
            raise error


class _FastMetadataValidator(MetadataValidator, _CompiledSchemaCheck):
    """nbgrader's validator (its checks, order and errors) on top of the compiled schema check."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` without re-checking the schema for every cell."""

    def preprocess(self, nb, resources):
        try:
            _FastMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
