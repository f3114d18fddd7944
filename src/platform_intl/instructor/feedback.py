"""Feedback that leaks nothing: no hidden test, solution or mark scheme, not even through outputs."""

from __future__ import annotations

import copy
import html
import json
import shutil
from pathlib import Path

import nbformat
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (
    ClearHiddenTests,
    NbGraderPreprocessor,
)
from traitlets import Integer, List, Unicode

from .cells import split_region
from .intake import _course_folder
from .notes import ANSI, RECOVERY_FILE, TAG


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
