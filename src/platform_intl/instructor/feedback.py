"""Feedback that leaks nothing: no hidden test, solution or mark scheme, not even through outputs."""

from __future__ import annotations

import copy
import glob
import html
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.preprocessors import (
    ClearHiddenTests,
    NbGraderPreprocessor,
)
from nbgrader.utils import notebook_hash
from traitlets import Integer, List, Unicode

from . import safe_html
from .cells import is_test_cell, nbgrader_meta, split_region
from .intake import _course_folder
from .notes import ANSI, RECOVERY_FILE, TAG
from .parts import part_labels


def copy_feedback_for_renamed_notebooks(assignment=None, student=None, notebooks=None, **_ignored) -> None:
    """Feedback for a renamed notebook under both names.

    Students fetch feedback by the names of the notebooks they submitted; a notebook
    graded from a renamed file (see :func:`recover_renamed_notebooks`) also gets its
    feedback under the student's file name, which ``release_feedback`` then releases.
    Part of :func:`finish_feedback`, the ``GenerateFeedback.post_convert_hook``.
    """
    if not notebooks:
        return
    _copy_for_renamed(_feedback_folder(Path(notebooks[0]).parent))


def _feedback_folder(graded: Path) -> Path:
    """feedback/<student>/<assignment>/ for autograded/<student>/<assignment>/."""
    return _course_folder("feedback_directory", "feedback") / graded.parent.name / graded.name


def _copy_for_renamed(folder: Path) -> None:
    record = folder / RECOVERY_FILE
    if not record.is_file():
        return
    try:
        copies = json.loads(record.read_text(encoding="utf-8"))
    except ValueError:
        return
    if not isinstance(copies, dict):
        return
    for name, entry in copies.items():
        html_file = folder / (Path(name).stem + ".html")
        original = Path(entry.get("copied_from", "") if isinstance(entry, dict) else "").stem
        if html_file.is_file() and original and "/" not in original and original != html_file.stem:
            shutil.copyfile(html_file, folder / (original + ".html"))


# ----------------------------------------------- only the assignment's notebooks

#: What a feedback folder holds besides the feedback pages: what ``release_feedback``
#: reads to name the released files.
FEEDBACK_RECORDS = ("timestamp.txt", "submission_secret.txt")


def assignment_notebooks(assignment: str, coursedir=None) -> set[str]:
    """Names (without .ipynb) of the notebooks of an assignment: its source folder and the
    gradebook, both the instructor's. Empty when neither knows the assignment."""
    names: set[str] = set()
    if coursedir is None:
        coursedir = _running_coursedir()
    if coursedir is not None:
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    else:
        source = _course_folder("source_directory", "source") / assignment
    names |= {p.stem for p in source.glob("*.ipynb")}
    db_url = getattr(coursedir, "db_url", None) if coursedir is not None else None
    if db_url and db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///") :]).is_file():
        db_url = None  # opening a gradebook that does not exist would create one
    if db_url:
        try:
            with Gradebook(db_url) as gb:
                names |= {nb.name for nb in gb.find_assignment(assignment).notebooks}
        except Exception:  # an assignment the gradebook does not know: the source decides
            pass
    return names


def _running_app():
    try:
        from traitlets.config import Application

        if Application.initialized():
            return Application.instance()
    except Exception:
        pass
    return None


def _running_coursedir():
    return getattr(_running_app(), "coursedir", None)


def _log():
    """The running nbgrader command's log (its messages reach the instructor), else this module's."""
    import logging

    return getattr(_running_app(), "log", None) or logging.getLogger(__name__)


_PENDING_FEEDBACK: list[Path] = []


def prepare_feedback(assignment=None, student=None, notebooks=None, **_ignored) -> None:
    """``GenerateFeedback.pre_convert_hook``: only the assignment's own notebooks become feedback.

    nbgrader turns every ``*.ipynb`` in ``autograded/<student>/<assignment>/`` into
    feedback. A notebook there that the assignment does not have (one that a submission
    wrote while it ran, a copy of an instructor's notebook) is left out, with a warning.
    """
    if not notebooks:
        return
    graded = Path(notebooks[0]).parent
    _PENDING_FEEDBACK.append(graded)
    expected = assignment_notebooks(graded.name)
    for notebook in list(notebooks):
        if Path(notebook).stem not in expected:
            notebooks.remove(notebook)
            _log().warning(
                "Feedback: left out %s, which is not a notebook of %s (%s)",
                notebook,
                graded.name,
                ", ".join(sorted(expected)) or "no notebooks found",
            )


def finish_feedback(assignment=None, student=None, notebooks=None, **_ignored) -> None:
    """``GenerateFeedback.post_convert_hook``: the feedback folder holds the feedback and nothing else.

    nbgrader copies every other file of the graded submission into the feedback folder,
    and ``release_feedback`` releases every ``*.html`` there. After conversion: feedback
    for renamed notebooks is copied under the student's file name
    (:func:`copy_feedback_for_renamed_notebooks`), each feedback page is cleaned
    (:func:`safe_html.clean_document`), and every other file (an ``.html`` a student
    planted, their data files, the grader's records) is removed; a page that cannot be
    cleaned is removed too.
    """
    log = _log()
    folders = list(_PENDING_FEEDBACK)
    _PENDING_FEEDBACK.clear()
    if notebooks:
        folders.append(Path(notebooks[0]).parent)
    for graded in dict.fromkeys(folders):
        folder = _feedback_folder(graded)
        if not folder.is_dir():
            continue
        try:
            name_parts_in_pages(folder, graded)
            _copy_for_renamed(folder)
            for path, reason in keep_only_feedback(folder, assignment_notebooks(graded.name)):
                log.warning("Feedback: removed %s (%s)", path, reason)
        except Exception:
            # nbgrader would only log a failing hook at INFO and release what is there: fail closed.
            log.exception("Feedback for %s could not be checked; its pages are removed", folder)
            for page in folder.glob("*.html"):
                page.unlink()


_TOC_ENTRY = re.compile(r'<a href="#([^"<>]+)">(?:Test cell|Written response|Coding free-response|Task)</a>')
_CELL_HEADING = re.compile(r"Grade cell: <code>([^<>]+)</code>")


def name_parts(page: str, labels: dict) -> str:
    """A feedback page whose table of contents and cell headings name each graded cell by
    its part (``labels``: :func:`.parts.part_labels`) instead of "Test cell" and its grade id.

    >>> from platform_intl.instructor.parts import Part
    >>> name_parts('<li><a href="#q6_value">Test cell</a> (Score: 0.0 / 1.0)</li>',
    ...            {"q6_value": Part("Question 6: Shares", "Question 6: Shares, hidden test")})
    '<li><a href="#q6_value">Question 6: Shares, hidden test</a> (Score: 0.0 / 1.0)</li>'
    """

    def entry(match: re.Match) -> str:
        part = labels.get(html.unescape(match.group(1)))
        return match.group(0) if part is None else f'<a href="#{match.group(1)}">{html.escape(part.label)}</a>'

    def heading(match: re.Match) -> str:
        part = labels.get(html.unescape(match.group(1)))
        return match.group(0) if part is None else html.escape(part.label)

    return _CELL_HEADING.sub(heading, _TOC_ENTRY.sub(entry, page))


def name_parts_in_pages(folder: Path, graded: Path) -> None:
    """Name the parts in every feedback page of ``folder`` from its graded notebook in ``graded``."""
    for page in folder.glob("*.html"):
        notebook = graded / f"{page.stem}.ipynb"
        if notebook.is_file():
            labels = part_labels(nbformat.read(str(notebook), as_version=4))
            page.write_text(name_parts(page.read_text(encoding="utf-8"), labels), encoding="utf-8")


def keep_only_feedback(folder: Path, notebooks: set[str]) -> list[tuple[Path, str]]:
    """Clean the feedback pages in ``folder`` and remove everything else; returns what was removed.

    A page is feedback when it is named after a notebook of the assignment, or when it is
    an exact copy of such a page (the copy under a renamed notebook's name).
    """
    pages = {folder / f"{name}.html" for name in notebooks}
    originals = {p.read_bytes() for p in pages if p.is_file()}
    removed: list[tuple[Path, str]] = []
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink() or (path.is_file() and path.parent != folder):
            path.unlink()
            removed.append((path, "not feedback"))
        elif path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.name in FEEDBACK_RECORDS:
            continue
        elif path.suffix == ".html" and (path in pages or path.read_bytes() in originals):
            try:
                path.write_text(safe_html.clean_document(path.read_text(encoding="utf-8")), encoding="utf-8")
            except (ValueError, UnicodeDecodeError) as error:
                path.unlink()
                removed.append((path, f"could not be cleaned: {error}"))
        else:
            path.unlink()
            removed.append((path, "not feedback for a notebook of the assignment"))
    return removed


class ReleaseOnlyFeedback(ExchangeReleaseFeedback):
    """``ExchangeFactory.release_feedback``: release feedback pages of the assignment's notebooks only.

    nbgrader releases every ``*.html`` in ``feedback/<student>/<assignment>/``. This
    releases a page only when it is named after a notebook of the assignment or is an
    exact copy of one (a renamed notebook's), and says which it skipped, so that nothing
    else in a feedback folder reaches the exchange, however it got there.
    """

    def copy_files(self):
        exclude = set(self.coursedir.student_id_exclude.split(",")) if self.coursedir.student_id_exclude else set()
        notebooks = assignment_notebooks(self.coursedir.assignment_id, self.coursedir)
        for folder in sorted({Path(p).parent for p in glob.glob(os.path.join(self.src_path, "*.html"))}):
            student_id = folder.parent.name
            if student_id in exclude:
                continue
            originals = {(folder / f"{n}.html").read_bytes() for n in notebooks if (folder / f"{n}.html").is_file()}
            try:
                timestamp = (folder / "timestamp.txt").read_text()
                secret = (folder / "submission_secret.txt").read_text()
            except OSError as error:
                self.log.error("Not releasing feedback of %s: %s", student_id, error)
                continue
            for page in sorted(folder.glob("*.html")):
                if page.stem not in notebooks and page.read_bytes() not in originals:
                    self.log.warning(
                        "Not releasing %s: not feedback for a notebook of %s", page, self.coursedir.assignment_id
                    )
                    continue
                checksum = notebook_hash(secret=secret, notebook_id=page.stem)
                staged = Path(self.dest_path) / f"{checksum}-tmp.html"
                self.log.info(
                    "Releasing feedback for student '%s' on assignment '%s/%s/%s' (%s)",
                    student_id,
                    self.coursedir.course_id,
                    self.coursedir.assignment_id,
                    page.stem,
                    timestamp,
                )
                shutil.copy(page, staged)
                shutil.move(staged, Path(self.dest_path) / f"{checksum}.html")


# ------------------------------------------------------------------ feedback


class _QuietFeedbackPreprocessor(NbGraderPreprocessor):
    """nbconvert's HTMLExporter configures ``NbConvertBase.display_data_priority``, which
    nbgrader's preprocessors do not take as configuration; accept it, without warnings."""

    display_data_priority = List(
        Unicode(),
        NbGraderPreprocessor.display_data_priority.default_value,
        help="Accepted from the exporter's configuration; unused.",
    ).tag(config=True)


class FeedbackClearHiddenTests(_QuietFeedbackPreprocessor, ClearHiddenTests):
    """Hidden tests removed from the test cells, and what the tests say made student-facing.

    nbgrader's ClearHiddenTests edits every cell: an answer in which a student wrote
    ``# BEGIN HIDDEN TESTS`` lost its lines up to the next ``END HIDDEN TESTS``, or, with
    no such line, stopped that student's feedback with an error. Here only test cells
    (graded code cells that are not answers, restored from the gradebook at autograde)
    are cleared; a region left open in one is cleared to the end of the cell. Each hidden
    region becomes one line, :data:`HIDDEN_LINE`, not rows of placeholders.

    A failed test's output becomes one message that names the part of the assignment
    (:func:`.parts.part_labels`) and says what is wrong (:func:`student_message`), without
    the grader's traceback; any other cell's traceback loses the frames of library code and
    the server's paths (:func:`shorten_traceback`).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("enforce_metadata", False)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources):
        self._parts = part_labels(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        begin, end = self.begin_test_delimeter, self.end_test_delimeter
        if is_test_cell(cell):
            if begin in cell.source or end in cell.source:
                cell.source = clear_hidden_region(cell.source, begin, end)
            part = getattr(self, "_parts", {}).get(nbgrader_meta(cell).get("grade_id", ""))
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = student_message(output, part.part if part else "This test")
                    output["evalue"], output["traceback"] = message, [message]
        elif cell.get("cell_type") == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = shorten_traceback(output.get("traceback", []))
                    output["evalue"] = scrub_paths(str(output.get("evalue", "")))
        return cell, resources


#: What a hidden region of a test cell becomes in feedback: one short line.
HIDDEN_LINE = "# (hidden test)"


def clear_hidden_region(source: str, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS") -> str:
    r"""``source`` with each hidden region (markers included) replaced by :data:`HIDDEN_LINE`.

    >>> clear_hidden_region("check(x)\n### BEGIN HIDDEN TESTS\nassert x == 1\nassert y\n### END HIDDEN TESTS")
    'check(x)\n# (hidden test)'
    """
    lines: list[str] = []
    within = False
    for line in source.split("\n"):
        if begin in line:
            if not within:
                lines.append(line[: len(line) - len(line.lstrip())] + HIDDEN_LINE)
            within = True
        elif end in line:
            within = False
        elif not within:
            lines.append(line)
    return "\n".join(lines)


_NAME_ERROR = re.compile(r"^name '([A-Za-z_][A-Za-z0-9_]*)' is not defined$")


def student_message(output, part: str) -> str:
    """What a failed test says to the student: the part, then what is wrong; no traceback.

    The checks' own messages (``CheckFailed``, ``AssertionError``) are written for students
    and kept as they are; a missing answer, a refused one and a test the grader could not
    run are said in words.
    """
    ename, evalue = str(output.get("ename", "")), str(output.get("evalue", "")).strip()
    missing = _NAME_ERROR.match(evalue)
    if ename == "NameError" and missing:
        text = (
            f"`{missing.group(1)}` is not defined: run your answer cell (an answer cell that still raises "
            "NotImplementedError, or stops with an error, defines nothing)."
        )
    elif ename in ("CheckFailed", "AssertionError"):
        text = evalue or "the test failed."
    elif ename == "GraderError":
        text = "this test could not be judged automatically; your instructor will review it."
    elif ename in ("TypeError", "TimeoutError") and evalue:
        text = evalue
    else:
        text = f"the test stopped with {ename}: {evalue}" if evalue else f"the test stopped with {ename}."
    return f"{part}: {scrub_paths(text)}"


def _grader_paths() -> list[str]:
    """Folders of the server that feedback never names: the Python environment, the course's
    package and the course folder."""
    import sys

    import platform_intl

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(platform_intl.__file__).resolve().parents[1])}
    coursedir = _running_coursedir()
    if coursedir is not None and str(getattr(coursedir, "root", "") or ""):
        folders.add(str(Path(coursedir.root).resolve()))
    return sorted((f for f in folders if f and f != "/"), key=len, reverse=True)


def scrub_paths(text: str) -> str:
    """``text`` with the server's folders (see :func:`_grader_paths`) replaced by "…"."""
    for folder in _grader_paths():
        text = text.replace(folder.rstrip("/") + "/", "…/").replace(folder, "…")
    return text


_FRAME = re.compile(r"^\s*File\s+\S*[/\\]")


def shorten_traceback(entries) -> list[str]:
    """A traceback without the frames of library code (IPython's ``File /path...`` entries),
    each run of them said in one line, and without the server's paths. The student's own
    cells (``Cell In[3], line 2``) and the error line stay."""
    shown: list[str] = []
    skipped = 0
    for entry in entries:
        if _FRAME.match(ANSI.sub("", entry)):
            skipped += 1
            continue
        if skipped:
            shown.append(f"  ... {skipped} frame(s) inside library code not shown")
            skipped = 0
        shown.append(scrub_paths(entry))
    if skipped:
        shown.append(f"  ... {skipped} frame(s) inside library code not shown")
    return shown


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
    return split_region(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")[1]


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
        own = " ".join(
            " ".join(cell.source.split())
            for cell in nb.cells
            if nbutils.is_solution(cell) or not cell.get("metadata", {}).get("nbgrader")
        )
        secrets = {line for line in (" ".join(s.split()) for s in self._secrets(resources)) if line not in own}
        if not secrets:
            return nb, resources
        patterns = set()
        for line in secrets:
            patterns |= {
                line,
                " ".join(json.dumps(line)[1:-1].split()),
                " ".join(repr(line)[1:-1].split()),
                " ".join(html.escape(line).split()),
            }
        redacted = 0
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                redacted += self._redact_output(output, patterns)
        if redacted:
            self.log.warning(
                "Hid %d line(s) of instructor-only text in the outputs of %s",
                redacted,
                resources.get("nbgrader", {}).get("student"),
            )
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
            released = Path(coursedir.format_path(coursedir.release_directory, ".", source.parent.name), source.name)
            secrets |= self._notebook_secrets(source, released)
        db_url = info.get("db_url")
        if db_url:
            try:
                with Gradebook(db_url) as gb:
                    for assignment in gb.assignments:
                        for notebook in assignment.notebooks:
                            for cell in notebook.source_cells:
                                secrets |= {
                                    " ".join(line.split())
                                    for line in _hidden_test_lines(cell.source or "")
                                    if len(line.strip()) >= self.min_length
                                }
            except Exception as error:
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
        kept: list[str] = []
        for line in lines:
            flat = " ".join(line.split())
            if flat and any(p in flat for p in patterns):
                hits += 1
                if kept and kept[-1].strip() == self.replacement:
                    continue  # a run of hidden lines is said once
                kept.append(line[: len(line) - len(line.lstrip())] + self.replacement)
            else:
                kept.append(line)
        return ("\n".join(kept), hits) if hits else (text, 0)

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
                        data[mime] = (
                            f"<pre>{html.escape(self.replacement)}</pre>"
                            if mime == "text/html"
                            else "<svg xmlns='http://www.w3.org/2000/svg'/>"
                        )
                        hits += 1
                elif mime.startswith("text/") or mime.endswith("json") or mime.endswith("javascript"):
                    new, n = self._redact_text(text, patterns)
                    if n:
                        data[mime] = (
                            new
                            if isinstance(value, str) or mime.startswith("text/")
                            else {"redacted": self.replacement}
                        )
                        hits += n
        return hits
