"""nbgrader extensions that keep autograding going whatever students hand in.

Everything here is switched on in ``assignments/nbgrader_config.py``, so the same rules
apply whether grading is started by ``course-admin autograde``, by ``nbgrader
autograde`` or by the Formgrader's "autograde" button: all three read that file.

What each piece does (the instructor guide has the table of outcomes):

- :class:`RobustNotebookExporter` (``Autograde.exporter_class``): a submitted file that
  nbgrader cannot process (not JSON, not a notebook, broken nbgrader metadata) is first
  repaired and, failing that, graded as the unanswered release, with a note saying why.
  Without it the student's grading fails and ``nbgrader autograde`` exits 1.
- :func:`recover_renamed_notebooks` (``Autograde.pre_convert_hook``): a notebook
  submitted under another name (``ps1-Copy1.ipynb``) is graded under the expected name.
  The student's file stays as it is; the grader adds a copy and a note file next to it.
- :class:`RecordingDeduplicateIds`, :class:`RecordingOverwriteCells`: nbgrader's own
  sanitising (duplicate grade ids, edited or deleted test and read-only cells, changed
  points), with a note for every change, so the instructor sees what was restored.
- :class:`RobustExecute` (replaces ``Execute``): when a cell cannot be interrupted (a
  loop that catches KeyboardInterrupt or BaseException) or the kernel dies (``os._exit``,
  a crash), the kernel is restarted, the cells above are run again and grading goes on,
  instead of nbgrader dropping the whole submission. It also caps each cell's output
  while it runs, restores what tests rely on (``math.isclose``, ``numpy.isclose``, the
  helpers imported by read-only cells, IPython's exception handling) before each test
  cell, keeps test cells out of IPython's input history, and runs the kernel in a
  scratch folder without the notebook files (which hold the hidden tests).
- :class:`AddGraderNotes`: writes the notes above into a cell at the top of the graded
  notebook, where the Formgrader and the feedback show them.
- :class:`FeedbackClearHiddenTests`, :class:`RedactSecrets` (``GenerateFeedback``): no
  hidden test, solution or mark scheme reaches feedback, not even through tracebacks or
  through output that printed them.
- :class:`SubMarks` (``AssignLatePenalties.plugin_class``): the late policy.

Student code runs with the grader's rights; these measures stop accidents and the
usual tricks, not a determined attacker. Run autograding in a container for that.
"""
from __future__ import annotations

import ast
import copy
import html
import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from queue import Empty
from time import monotonic

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.exporters import NotebookExporter
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Enum, Float, Integer, List, Unicode

from nbgrader import utils as nbutils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import (ClearHiddenTests, DeduplicateIds, Execute, NbGraderPreprocessor,
                                    OverwriteCells)

NOTES_KEY = "platform_intl"
NOTE_CELL_TAG = "grader-notes"
RECOVERY_FILE = "grader-recovered-notebooks.json"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TAG = re.compile(r"<[^>]+>")

#: Short labels of the events the grader records, for summaries.
NOTE_KINDS = {
    "unreadable": "submitted file unreadable: graded as unanswered",
    "repaired": "broken nbgrader metadata repaired",
    "renamed": "notebook submitted under another name",
    "duplicate": "duplicated cell",
    "restored": "edited read-only or test cell restored",
    "missing-cell": "deleted test cell restored",
    "points": "changed points restored",
    "timeout": "cell interrupted after the time limit",
    "unresponsive": "cell ignored the interrupt: kernel restarted",
    "died": "kernel died: restarted",
    "gave-up": "kernel kept failing: remaining cells not run",
    "output": "output truncated",
    "protection": "submission changed what tests rely on: restored",
}


# --------------------------------------------------------------------------- notes

def add_note(nb: NotebookNode, kind: str, message: str, cell: str | None = None) -> None:
    """Record something the grader did or saw, in the notebook's metadata."""
    notes = nb.metadata.setdefault(NOTES_KEY, {}).setdefault("grader_notes", [])
    note = {"kind": kind, "message": message}
    if cell:
        note["cell"] = cell
    if note not in notes:
        notes.append(note)


def grader_notes(nb) -> list[dict]:
    """The notes recorded in a (graded) notebook."""
    return list(nb.get("metadata", {}).get(NOTES_KEY, {}).get("grader_notes", []))


def cell_label(cell, index: int) -> str:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return gid or f"cell {index + 1}"


def is_test_cell(cell) -> bool:
    return (cell.get("cell_type") == "code" and nbutils.is_grade(cell)
            and not nbutils.is_solution(cell))


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
            try:
                return self.from_notebook_node(nb, resources=copy.deepcopy(pristine), **kw)
            except Exception as error:  # noqa: BLE001 - any failure: try the fallbacks
                if _is_infrastructure_error(error):
                    raise
                problem = f"nbgrader could not process it ({type(error).__name__}: {error})"
            repaired, changed = _repair_metadata(nb)
            if changed:
                add_note(repaired, "repaired", "Cells whose nbgrader metadata was broken were treated as "
                         f"ordinary cells: {', '.join(changed)}. " + problem)
                try:
                    return self.from_notebook_node(repaired, resources=copy.deepcopy(pristine), **kw)
                except Exception as error:  # noqa: BLE001
                    if _is_infrastructure_error(error):
                        raise
                    problem += f"; after repair: {type(error).__name__}: {error}"
        self.log.warning("Grading %s as unanswered: %s", filename, problem)
        blank = self._blank_notebook(resources)
        name = os.path.basename(filename)
        add_note(blank, "unreadable",
                 f"The submitted file `{name}` could not be graded: {_shorten(problem, 300)}. "
                 "It was graded as the unanswered release, so every automatic test scores 0. "
                 "The file itself is kept unchanged in the submission folder for the instructor "
                 "to inspect.")
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
        coursedir = self.parent.coursedir
        info = resources["nbgrader"]
        released = Path(coursedir.format_path(coursedir.release_directory, ".", info["assignment"]),
                        info["notebook"] + ".ipynb")
        if released.exists():
            return nbformat.read(str(released), as_version=4)
        from nbgrader.preprocessors import ClearSolutions

        source = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]),
                      info["notebook"] + ".ipynb")
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
    except Exception as error:  # noqa: BLE001
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
        except Exception:  # noqa: BLE001
            changed.append(str(cell.metadata.nbgrader.get("grade_id") or f"cell {index + 1}"))
            del cell.metadata["nbgrader"]
    return nb, changed


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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

        def overlap(path: Path) -> tuple[int, bool]:
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
        existing.update({name: {"copied_from": original,
                                "reason": f"the expected {name} was missing; {original} holds its cells"}
                         for name, original in recovered.items()})
        record.write_text(json.dumps(existing, indent=2) + "\n", encoding="utf-8")


def copy_feedback_for_renamed_notebooks(assignment=None, student=None, notebooks=None, **_ignored) -> None:
    """``GenerateFeedback.post_convert_hook``: feedback for a renamed notebook under both names.

    Students fetch feedback by the names of the notebooks they submitted; a notebook
    graded from a renamed file (see :func:`recover_renamed_notebooks`) also gets its
    feedback under the student's file name, which ``release_feedback`` then releases.
    """
    if not notebooks:
        return
    graded = Path(notebooks[0]).parent
    folder = _course_folder("feedback_directory", "feedback") / graded.parent.name / graded.name
    record = folder / RECOVERY_FILE
    if not record.is_file():
        return
    try:
        copies = json.loads(record.read_text(encoding="utf-8"))
    except ValueError:
        return
    for name, entry in copies.items():
        html_file = folder / (Path(name).stem + ".html")
        original = Path(entry.get("copied_from", "")).stem
        if html_file.is_file() and original and "/" not in original:
            shutil.copyfile(html_file, folder / (original + ".html"))


def _course_folder(trait: str, default: str) -> Path:
    """A course folder (release, feedback, ...) from the running nbgrader app, or its default
    name in the course root, where nbgrader runs its converters."""
    try:
        from traitlets.config import Application

        coursedir = getattr(Application.instance(), "coursedir", None) if Application.initialized() else None
        if coursedir is not None:
            return Path(coursedir.root) / getattr(coursedir, trait)
    except Exception:  # noqa: BLE001
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
    except Exception:  # noqa: BLE001
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
    return (f"The expected `{Path(filename).name}` was not submitted; the grader graded "
            f"`{original.name}`, which holds its cells. Both files are kept as submitted.")


# ----------------------------------------------------------- sanitising, recorded

def _strip_region(source: str, begin: str, end: str) -> str:
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


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
                add_note(nb, "duplicate", f"`{gid}` appeared {count} times. The last copy was graded; "
                         "the other copies ran as ordinary cells.", gid)
        return nb, resources


class RecordingOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, with a grader note whenever it restores something.

    nbgrader reports every hidden-test cell as "changed" (the release lacks the hidden
    part); a note is only written when the student's cell differs from what they were
    given.
    """

    def preprocess(self, nb, resources):
        before = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
                  if nbutils.is_grade(c) or nbutils.is_solution(c)}
        nb, resources = super().preprocess(nb, resources)
        if self.add_missing_cells:
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if nbutils.is_grade(cell) and gid not in before:
                    add_note(nb, "missing-cell", f"The graded cell `{gid}` had been deleted; the grader "
                             "put the original back and ran it.", gid)
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
                self._pending_notes.append(("points", f"The points of `{gid}` had been changed from {old:g} "
                                            f"to {new}; the original {old:g} were used.", gid))
            elif attr == "checksum":
                given = _strip_region(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
                if not _same_code(submitted, given):
                    kind = "test" if nbutils.is_grade(cell) else "read-only"
                    self._pending_notes.append(("restored", f"The {kind} cell `{gid}` had been edited; the "
                                                "grader restored the original before running it.", gid))
            elif attr in ("cell_type", "locked"):
                self._pending_notes.append(("restored", f"The {attr.replace('_', ' ')} of `{gid}` had been "
                                            f"changed from {old} to {new}; the original was restored.", gid))
        return cell, resources


# ------------------------------------------------------------------ execution

_GUARD = r'''
def _install_grader_guard(protected):
    import builtins, importlib, sys, threading, types
    ip = get_ipython()
    bdict = vars(builtins)
    saved_builtins = dict(bdict)
    kernel_managed = {"input", "_", "__", "___"}  # ipykernel and IPython replace these themselves
    saved_modules = {}
    for name in protected:
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        saved_modules[name] = (module, vars(module), dict(vars(module)))
    lists = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
    saved_lists = {name: list(getattr(ip, name, [])) for name in lists}
    saved_events = {event: list(cbs) for event, cbs in ip.events.callbacks.items()}
    methods = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
               "_showtraceback", "showsyntaxerror", "transform_cell", "should_run_async")
    saved_methods = {m: vars(ip)[m] for m in methods if m in vars(ip)}
    kernel = getattr(ip, "kernel", None)
    kernel_methods = ("do_execute", "execute_request")
    saved_kernel = {m: vars(kernel)[m] for m in kernel_methods if kernel is not None and m in vars(kernel)}
    xmode = ip.InteractiveTB.mode
    remembered = {}
    missing = object()

    def from_library(obj):
        module = getattr(obj, "__module__", None)
        return isinstance(module, str) and module != "__main__"

    def remember(names):
        for name in names:
            if name in ip.user_ns:
                remembered[name] = ip.user_ns[name]

    def restore():
        changed = []
        for key, value in saved_builtins.items():
            if key not in kernel_managed and bdict.get(key, missing) is not value:
                bdict[key] = value
                changed.append("builtins." + key)
        for name, (module, namespace, saved) in saved_modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                changed.append("sys.modules[%r]" % name)
            for key, value in saved.items():
                if namespace.get(key, missing) is not value:
                    namespace[key] = value
                    changed.append(name + "." + key)
        for name, original in saved_lists.items():
            hooks = getattr(ip, name, None)
            if isinstance(hooks, list):
                kept = [h for h in hooks if any(h is o for o in original) or from_library(h)]
                if len(kept) != len(hooks):
                    hooks[:] = kept
                    changed.append("IPython " + name)
        for event, callbacks in ip.events.callbacks.items():
            original = saved_events.get(event, [])
            kept = [c for c in callbacks if any(c is o for o in original) or from_library(c)]
            if len(kept) != len(callbacks):
                callbacks[:] = kept
                changed.append("IPython %s callbacks" % event)
        for obj, names, saved in ((ip, methods, saved_methods), (kernel, kernel_methods, saved_kernel)):
            if obj is None:
                continue
            for m in names:
                if m in vars(obj) and vars(obj)[m] is not saved.get(m, missing):
                    if m in saved:
                        setattr(obj, m, saved[m])
                    else:
                        delattr(obj, m)
                    changed.append("%s.%s" % (type(obj).__name__, m))
        if ip.custom_exceptions:
            ip.custom_exceptions = ()
            changed.append("IPython custom exception handler")
        if ip.InteractiveTB.mode != xmode:
            ip.InteractiveTB.set_mode(xmode)
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changed.append("sys.settrace/setprofile")
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        for name, value in remembered.items():
            if ip.user_ns.get(name, missing) is not value:
                ip.user_ns[name] = value
                changed.append(name)
        guard.changed = changed

    guard = types.ModuleType("_platform_intl_grader_guard")
    guard.restore, guard.remember, guard.changed = restore, remember, []
    sys.modules[guard.__name__] = guard

_install_grader_guard(__PROTECTED__)
del _install_grader_guard
'''

_RESTORE = '__import__("sys").modules["_platform_intl_grader_guard"].restore()'
_CHANGED = {"changed": '__import__("sys").modules["_platform_intl_grader_guard"].changed'}
_REMEMBER = '__import__("sys").modules["_platform_intl_grader_guard"].remember(%r)'


def _bound_helper_names(source: str) -> list[str]:
    """Names a (read-only) cell binds with import, def or class at top level."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
    return names


def _imported_modules(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module)
    return modules


def _error_output(ename: str, message: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class RobustExecute(Execute):
    """nbgrader's Execute that survives what student code does to the kernel.

    nbgrader interrupts a cell that runs past ``timeout``. When the interrupt does not
    stop it, or when the kernel dies, nbgrader gives up on the whole submission. Here
    the cell gets an error output saying what happened, the kernel is restarted, the
    cells above are run again (except ones that hung) and grading continues.
    """

    restart_failed_kernel = Bool(
        True, help="Restart the kernel and continue when a cell ignores the interrupt or "
                   "the kernel dies (instead of failing the submission).").tag(config=True)
    max_restarts = Integer(3, help="Kernel restarts per notebook before the remaining cells "
                                   "are marked as not run.").tag(config=True)
    protect_tests = Bool(
        True, help="Before every test cell, restore what tests rely on (see "
                   "protected_modules) and run test cells without storing them in IPython's "
                   "history.").tag(config=True)
    protected_modules = List(
        Unicode(), ["math", "cmath", "numpy", "platform_intl.checks"],
        help="Modules whose attributes are snapshotted when the kernel starts and put back "
             "before each test cell.").tag(config=True)
    protected_packages = List(
        Unicode(), ["platform_intl"],
        help="Modules of these packages imported by read-only cells are protected too.").tag(config=True)
    isolate_working_directory = Bool(
        True, help="Run the kernel in a scratch copy of the submission folder without its "
                   "notebooks, which hold the hidden tests while grading.").tag(config=True)
    max_output_chars = Integer(
        100_000, help="Text a cell may output (stream and text results); the rest is dropped "
                      "while the cell runs, with a marker.").tag(config=True)
    max_output_bytes = Integer(
        20_000_000, help="Everything a cell may output, images included.").tag(config=True)

    # ---------------------------------------------------------------- notebook
    def preprocess(self, nb, resources=None, km=None):
        self._notes: list[tuple] = []
        self._replayable: list[int] = []
        self._restarts = 0
        self._gave_up = False
        self._protect = self._modules_to_protect(nb)
        self._tampered: list[str] = []
        path = (resources or {}).get("metadata", {}).get("path")
        scratch = None
        if self.isolate_working_directory and path and os.path.isdir(path):
            scratch = tempfile.mkdtemp(prefix="grading-")
            # As deep as autograded/<student>/<assignment>/, so that relative paths to the
            # other graded notebooks or to ../../../source/ find nothing.
            workdir = os.path.join(scratch, "work", "submission", os.path.basename(os.path.normpath(path)))
            shutil.copytree(path, workdir, symlinks=True,
                            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
            resources["metadata"]["path"] = workdir
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if scratch:
                resources["metadata"]["path"] = path
                shutil.rmtree(scratch, ignore_errors=True)
        if self._tampered:
            self._notes.append(("protection", "The submission changed what the tests rely on ("
                                + ", ".join(f"`{name}`" for name in self._tampered[:12])
                                + (", ..." if len(self._tampered) > 12 else "")
                                + "); the grader put the originals back before every test cell.", None))
        for note in self._notes:
            add_note(nb, *note)
        return nb, resources

    def _modules_to_protect(self, nb) -> list[str]:
        modules = list(self.protected_modules)
        for cell in nb.cells:
            if cell.cell_type == "code" and nbutils.is_locked(cell):
                for name in _imported_modules(cell.source):
                    if name.split(".")[0] in self.protected_packages and name not in modules:
                        modules.append(name)
        return modules

    # -------------------------------------------------------------------- cells
    def preprocess_cell(self, cell, resources, index):
        self._check_assign_resources(resources)
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, self.resources
        label = cell_label(cell, index)
        if self._gave_up:
            cell.outputs = [_error_output("NotRun", "The grader did not run this cell: the kernel "
                                          "kept failing in the cells above.")]
            return cell, self.resources
        test = is_test_cell(cell)
        if test and self.protect_tests and not self._hidden(_RESTORE, label, _CHANGED):
            if self._gave_up:
                return self.preprocess_cell(cell, resources, index)
        self._timed_out = False
        self._output_budget = {"chars": 0, "bytes": 0, "dropped": 0, "marker": None}
        try:
            cell = self.execute_cell(cell, index, store_history=not (test and self.protect_tests))
        except CellTimeoutError:
            if not self.restart_failed_kernel:
                raise
            if not self._timed_out:
                # The cell finished (its reply came) but its output kept streaming past
                # iopub_timeout, on a busy machine: keep what arrived and go on.
                self._notes.append(("output", f"`{label}`: the end of its output arrived too late to "
                                    "be recorded.", label))
                self._replayable.append(index)
                return cell, self.resources
            return self._kernel_failed(cell, index, label, died=False)
        except DeadKernelError:
            if not self.restart_failed_kernel:
                raise
            return self._kernel_failed(cell, index, label, died=True)
        self._finish_output_budget(cell, label)
        if self._timed_out:
            self._notes.append(("timeout", f"`{label}` ran longer than {self.timeout} s and was "
                                "interrupted.", label))
        else:
            self._replayable.append(index)
        if nbutils.is_locked(cell) and self.protect_tests:
            names = _bound_helper_names(cell.source)
            if names:
                self._hidden(_REMEMBER % (names,), label)
        return cell, self.resources

    def _kernel_failed(self, cell, index, label, *, died: bool):
        """The cell ignored the interrupt or the kernel died: say so, restart, replay."""
        message = ("The kernel died while running this cell (for example os._exit(), a crash, or "
                   "running out of memory)." if died else
                   f"This cell ran longer than {self.timeout} s and ignored the interrupt (for "
                   "example a loop that catches KeyboardInterrupt or BaseException).")
        message += (" The grader restarted the kernel, ran the cells above again and went on "
                    "with the rest of the notebook.")
        cell.outputs.append(_error_output("KernelDied" if died else "CellNotInterruptible", message))
        self._notes.append(("died" if died else "unresponsive", f"`{label}`: {message}", label))
        self._recover(index)
        return cell, self.resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    # ------------------------------------------------------------ kernel setup
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if self.protect_tests:
            await self._async_hidden(_GUARD.replace("__PROTECTED__", repr(self._protect)), timeout=max(30, self.timeout or 30))
        return kc

    # nbclient binds the synchronous wrappers to its own coroutines: rebind them.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_hidden(self, code: str, timeout: float | None = None, expressions=None):
        """Run code in the kernel without output or history; the reply content or None."""
        msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False,
                                                    user_expressions=expressions or {},
                                                    allow_stdin=False, stop_on_error=False))
        deadline = monotonic() + (timeout or min(self.timeout or 30, 30))
        while True:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=remaining))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def _hidden(self, code: str, label: str, expressions=None) -> bool:
        """Run grader code; on failure record it and, if the kernel is stuck, recover."""
        try:
            reply = run_sync(self._async_hidden)(code, expressions=expressions)
        except Exception:  # noqa: BLE001
            reply = None
        if reply is not None and reply.get("status") == "ok":
            value = (reply.get("user_expressions") or {}).get("changed", {})
            try:
                changed = ast.literal_eval(value.get("data", {}).get("text/plain", "[]"))
            except (ValueError, SyntaxError):
                changed = []
            for name in changed:
                if name not in self._tampered:
                    self._tampered.append(name)
            return True
        if reply is not None:
            self._notes.append(("protection", "Before running `%s` the grader could not restore what the "
                                "tests rely on (%s: %s): the submission interfered with the grader. Review "
                                "this submission." % (label, reply.get("ename"),
                                                      _shorten(reply.get("evalue", ""), 120)), label))
            return False
        self._notes.append(("unresponsive", f"The kernel stopped responding before `{label}`; the grader "
                            "restarted it and ran the cells above again.", label))
        self._recover(None)
        return False

    def _recover(self, failed_index):
        """Replace the kernel and replay the cells that ran, up to the failed one."""
        while True:
            if self._restarts >= self.max_restarts:
                self._gave_up = True
                self._notes.append(("gave-up", f"The kernel failed {self._restarts + 1} times; the grader "
                                    "did not run the remaining cells.", None))
                return
            self._restarts += 1
            try:
                run_sync(self._async_replace_kernel)()
            except Exception as error:  # noqa: BLE001
                self.log.error("Could not restart the kernel: %s", error)
                self._gave_up = True
                return
            if self._replay(failed_index):
                return

    async def _async_replace_kernel(self):
        """Kill the kernel (it is dead or stuck) and start a fresh one with the guard."""
        mode, self.shutdown_kernel = self.shutdown_kernel, "immediate"
        try:
            await self._async_cleanup_kernel()
        except Exception as error:  # noqa: BLE001 - a dead kernel may fail to shut down
            self.log.info("Cleaning up the failed kernel: %s", error)
        finally:
            self.shutdown_kernel = mode
        self.kc = None
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

    def _replay(self, failed_index) -> bool:
        """Re-run the cells that completed before; False when the kernel failed again."""
        for index in list(self._replayable):
            original = self.nb.cells[index]
            clone = copy.deepcopy(original)
            test = is_test_cell(clone)
            self._output_budget = {"chars": 0, "bytes": 0, "dropped": 0, "marker": None}
            try:
                self.execute_cell(clone, index, store_history=not (test and self.protect_tests))
            except (DeadKernelError, CellTimeoutError):
                self._replayable.remove(index)
                self._notes.append(("unresponsive", f"Running `{cell_label(original, index)}` again after a "
                                    "restart failed too; it was left out.", cell_label(original, index)))
                return False
            finally:
                self.nb.cells[index] = original
            if nbutils.is_locked(clone) and self.protect_tests:
                names = _bound_helper_names(clone.source)
                if names:
                    run_sync(self._async_hidden)(_REMEMBER % (names,))
        return True

    # ------------------------------------------------------------ output caps
    def output(self, outs, msg, display_id, cell_index):
        budget = getattr(self, "_output_budget", None)
        msg_type = msg["msg_type"]
        if budget is None or msg_type not in ("stream", "display_data", "execute_result"):
            return super().output(outs, msg, display_id, cell_index)
        content = msg["content"]
        text_size, total_size = _message_size(content)
        chars_left = self.max_output_chars - budget["chars"]
        bytes_left = self.max_output_bytes - budget["bytes"]
        if text_size <= chars_left and total_size <= bytes_left:
            budget["chars"] += text_size
            budget["bytes"] += total_size
            return super().output(outs, msg, display_id, cell_index)
        if msg_type == "stream" and chars_left > 0:
            msg = copy.copy(msg)
            msg["content"] = dict(content, text=content["text"][:chars_left])
            budget["chars"] += chars_left
            budget["bytes"] += chars_left
            budget["dropped"] += text_size - chars_left
            out = super().output(outs, msg, display_id, cell_index)
        else:
            budget["dropped"] += max(text_size, total_size)
            out = None
        if budget["marker"] is None:
            budget["marker"] = nbformat.v4.new_output("stream", name="stdout", text="")
            outs.append(budget["marker"])
        return out

    def _finish_output_budget(self, cell, label):
        budget = getattr(self, "_output_budget", None)
        if not budget or budget["marker"] is None:
            return
        dropped = budget["dropped"]
        budget["marker"]["text"] = (f"\n[The grader dropped {dropped:,} more characters of output from this "
                                    f"cell; a cell may print at most {self.max_output_chars:,}.]\n")
        if not any(output is budget["marker"] for output in cell.outputs):
            cell.outputs.append(budget["marker"])
        self._notes.append(("output", f"`{label}` printed about {budget['chars'] + dropped:,} characters; the "
                            f"grader kept the first {self.max_output_chars:,}.", label))


def _message_size(content) -> tuple[int, int]:
    if "text" in content:
        size = len(content["text"])
        return size, size
    text = total = 0
    for mime, value in (content.get("data") or {}).items():
        size = len(value) if isinstance(value, str) else len(json.dumps(value))
        total += size
        if mime.startswith("text/") or mime.endswith("json"):
            text += size
    return text, total


class AddGraderNotes(NbGraderPreprocessor):
    """Write the grader notes into a markdown cell at the top of the graded notebook."""

    heading = Unicode("Grader notes", help="Heading of the notes cell.").tag(config=True)

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if NOTE_CELL_TAG not in c.get("metadata", {}).get("tags", [])]
        notes = grader_notes(nb)
        if notes:
            lines = [f"**{self.heading}** (written while grading; the submitted file is unchanged)", ""]
            lines += [f"- {note['message']}" for note in notes]
            cell = nbformat.v4.new_markdown_cell("\n".join(lines))
            cell.metadata["tags"] = [NOTE_CELL_TAG]
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
            nb.cells.insert(0, cell)
            self.log.warning("Grader notes for %s: %s", resources.get("nbgrader", {}).get("student"),
                             "; ".join(n["kind"] for n in notes))
        return nb, resources


# ------------------------------------------------------------------ feedback

class _QuietFeedbackPreprocessor(NbGraderPreprocessor):
    """nbconvert's HTMLExporter configures ``NbConvertBase.display_data_priority``, which
    nbgrader's preprocessors do not take as configuration; accept it, without warnings."""

    display_data_priority = List(Unicode(), NbGraderPreprocessor.display_data_priority.default_value,
                                 help="Accepted from the exporter's configuration; unused.").tag(config=True)


class FeedbackClearHiddenTests(_QuietFeedbackPreprocessor, ClearHiddenTests):
    """ClearHiddenTests for feedback: never fails a student's feedback over markers that
    appear outside test cells (it removes them all the same)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("enforce_metadata", False)
        super().__init__(**kwargs)


def _visible_lines(nb) -> set[str]:
    return {" ".join(line.split()) for cell in nb.cells for line in cell.source.splitlines()}


def instructor_only_lines(source_nb, release_nb, min_length: int = 12) -> set[str]:
    """Lines of the instructor's notebook that its release does not show to students."""
    shown = _visible_lines(release_nb)
    secret = set()
    for cell in source_nb.cells:
        for line in cell.source.splitlines():
            text = " ".join(line.split())
            if len(text) >= min_length and text not in shown:
                secret.add(text)
    return secret


_SECRETS_CACHE: dict = {}


def _hidden_test_lines(source: str) -> list[str]:
    return _strip_region_inverse(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _strip_region_inverse(source: str, begin: str, end: str) -> list[str]:
    """The lines between the markers."""
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line)
    return out


class RedactSecrets(_QuietFeedbackPreprocessor):
    """Hide instructor-only lines (hidden tests, solutions, mark schemes) in outputs.

    Tracebacks of failed hidden tests quote the failing line, and a submission can print
    anything it reads; every output line that contains a line of a source notebook of
    the course missing from its release is replaced, before the feedback is written.
    What the student wrote themselves is left alone.
    """

    replacement = Unicode("[instructor-only text hidden by the grader]").tag(config=True)
    min_length = Integer(12, help="Shorter lines are not treated as secrets.").tag(config=True)

    def preprocess(self, nb, resources):
        own = " ".join(" ".join(cell.source.split()) for cell in nb.cells
                       if nbutils.is_solution(cell) or not cell.get("metadata", {}).get("nbgrader"))
        secrets = {line for line in (" ".join(s.split()) for s in self._secrets(resources)) if line not in own}
        if not secrets:
            return nb, resources
        patterns = set()
        for line in secrets:
            patterns |= {line, " ".join(json.dumps(line)[1:-1].split()),
                         " ".join(repr(line)[1:-1].split()), " ".join(html.escape(line).split())}
        redacted = 0
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                redacted += self._redact_output(output, patterns)
        if redacted:
            self.log.warning("Hid %d line(s) of instructor-only text in the outputs of %s",
                             redacted, resources.get("nbgrader", {}).get("student"))
        return nb, resources

    def _secrets(self, resources) -> set[str]:
        """Instructor-only lines of every notebook of the course (a submission can print
        any of them), from the source notebooks and the gradebook's hidden tests."""
        info = resources.get("nbgrader", {})
        coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None)
        if coursedir is None:
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
        secrets: set[str] = set()
        sources = Path(coursedir.format_path(coursedir.source_directory, ".", "."))
        for source in sorted(sources.glob("*/*.ipynb")):
            released = Path(coursedir.format_path(coursedir.release_directory, ".", source.parent.name),
                            source.name)
            secrets |= self._notebook_secrets(source, released)
        db_url = info.get("db_url")
        if db_url:
            try:
                with Gradebook(db_url) as gb:
                    for assignment in gb.assignments:
                        for notebook in assignment.notebooks:
                            for cell in notebook.source_cells:
                                secrets |= {" ".join(line.split()) for line in _hidden_test_lines(cell.source or "")
                                            if len(line.strip()) >= self.min_length}
            except Exception as error:  # noqa: BLE001
                self.log.warning("Could not read hidden tests from the gradebook: %s", error)
        return secrets

    def _notebook_secrets(self, source: Path, released: Path) -> set[str]:
        key = (str(source), source.stat().st_mtime, released.exists() and released.stat().st_mtime, self.min_length)
        if key not in _SECRETS_CACHE:
            source_nb = nbformat.read(str(source), as_version=4)
            if released.exists():
                release_nb = nbformat.read(str(released), as_version=4)
            else:
                from nbgrader.preprocessors import ClearMarkScheme, ClearSolutions

                release_nb = ClearSolutions(parent=self).preprocess(copy.deepcopy(source_nb), {})[0]
                release_nb = ClearHiddenTests(parent=self, enforce_metadata=False).preprocess(release_nb, {})[0]
                release_nb = ClearMarkScheme(parent=self, enforce_metadata=False).preprocess(release_nb, {})[0]
            _SECRETS_CACHE[key] = instructor_only_lines(source_nb, release_nb, self.min_length)
        return _SECRETS_CACHE[key]

    def _redact_text(self, text: str, patterns) -> tuple[str, int]:
        plain = ANSI.sub("", text)
        lines = plain.split("\n")
        hits = 0
        for i, line in enumerate(lines):
            flat = " ".join(line.split())
            if flat and any(p in flat for p in patterns):
                indent = line[: len(line) - len(line.lstrip())]
                lines[i] = indent + self.replacement
                hits += 1
        return ("\n".join(lines), hits) if hits else (text, 0)

    def _redact_output(self, output, patterns) -> int:
        hits = 0
        kind = output.get("output_type")
        if kind == "stream":
            output["text"], n = self._redact_text(output.get("text", ""), patterns)
            hits += n
        elif kind == "error":
            output["evalue"], n = self._redact_text(output.get("evalue", ""), patterns)
            hits += n
            new_tb = []
            for entry in output.get("traceback", []):
                entry, n = self._redact_text(entry, patterns)
                hits += n
                new_tb.append(entry)
            output["traceback"] = new_tb
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                text = "".join(value) if isinstance(value, list) else value
                if not isinstance(text, str):
                    text = json.dumps(text)
                if mime == "text/html" or mime == "image/svg+xml":
                    flat = " ".join(html.unescape(TAG.sub(" ", text)).split())
                    if any(p in flat for p in patterns):
                        data[mime] = f"<pre>{html.escape(self.replacement)}</pre>" if mime == "text/html" else \
                            "<svg xmlns='http://www.w3.org/2000/svg'/>"
                        hits += 1
                elif mime.startswith("text/") or mime.endswith("json") or mime.endswith("javascript"):
                    new, n = self._redact_text(text, patterns)
                    if n:
                        data[mime] = new if isinstance(value, str) or mime.startswith("text/") else {"redacted": self.replacement}
                        hits += n
        return hits


# ------------------------------------------------------------------ late policy

class SubMarks(LateSubmissionPlugin):
    """Late policy: subtract ``penalty_per_unit`` points for every started ``unit``
    late (the "SubMarks" example of nbgrader's documentation, made configurable).

    nbgrader applies it per notebook and never takes more than the notebook's score.
    """

    penalty_per_unit = Float(1.0, help="Points subtracted per started unit of lateness.").tag(config=True)
    unit = Enum(["minutes", "hours", "days"], "days", help="The unit of lateness.").tag(config=True)
    grace_minutes = Float(0.0, help="Lateness up to this many minutes costs nothing.").tag(config=True)

    SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= self.grace_minutes * 60:
            return 0.0
        units = math.ceil(total_seconds_late / self.SECONDS[self.unit])
        penalty = min(float(score or 0.0), units * self.penalty_per_unit)
        self.log.warning("%s is %d %s late: %g point(s) subtracted", student_id, units, self.unit, penalty)
        return penalty
