"""Nothing students receive contains solutions, hidden tests or mark schemes.

One scan over every artifact that reaches students in the class simulation (the release
in the exchange and in release/, feedback in the exchange and in feedback/, everything in
each student's folder after fetching assignments and feedback) and over the student
edition. The secrets are what lies inside the nbgrader regions of every source notebook
(BEGIN/END SOLUTION, HIDDEN TESTS, MARK SCHEME) and the region markers. Files are read
the way a person could read them: HTML without tags, notebooks with their JSON strings
decoded, terminal colours removed, quotes escaped or not. A line a student wrote in
their own submission is not a leak in what that student gets back.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import warnings
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, ROOT

from platform_intl.instructor import harness
from platform_intl.instructor.cli import main as course_admin_main

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TEXT_SUFFIXES = {
    ".html",
    ".ipynb",
    ".py",
    ".md",
    ".txt",
    ".csv",
    ".json",
    ".yml",
    ".yaml",
    ".toml",
    ".cfg",
    ".in",
    ".lock",
    ".tsv",
    ".xml",
    ".js",
    ".css",
    "",
}


def flat(text: str) -> str:
    return " ".join(text.split())


def secret_lines() -> dict[str, str]:
    """Secret text -> the region it comes from ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME").

    Code lines of 12+ characters inside the regions; for prose (mark schemes), lines of
    40+ characters and whole sentences, so that a lecture that defines the same term in
    a short phrase is not mistaken for a leak."""
    secrets = {}
    for path in sorted((ASSIGNMENTS / "source").glob("*/*.ipynb")):
        for cell in harness.load_notebook(path).cells:
            kind, region = None, []
            for line in cell.source.splitlines() + [""]:
                begin = [m for m in MARKERS if m.startswith("BEGIN") and m in line]
                if begin:
                    kind = begin[0].replace("BEGIN ", "")
                elif any(m.startswith("END") and m in line for m in MARKERS):
                    if cell.cell_type == "markdown":
                        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(region)):
                            if len(flat(sentence)) >= 30:
                                secrets.setdefault(flat(sentence), kind)
                    kind, region = None, []
                elif kind:
                    region.append(line)
                    if len(line.strip()) >= (40 if cell.cell_type == "markdown" else 12):
                        secrets.setdefault(flat(line), kind)
    return secrets


SECRETS = secret_lines()
#: Lectures are written for students: a solution line they also show (a call the
#: lecture demonstrates) is reported as a warning for the authors, not as a leak.
LECTURE_TEXT = flat("\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "course").glob("*.ipynb"))))
TAUGHT = {
    s
    for s, kind in SECRETS.items()
    if kind == "SOLUTION" and (s in LECTURE_TEXT or flat(json.dumps(s)[1:-1]) in LECTURE_TEXT)
}


def readable_text(path: Path) -> str | None:
    """What a person could read in the file; None for binary files."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    elif path.suffix == ".ipynb":
        try:
            strings = []

            def walk(node):
                if isinstance(node, str):
                    strings.append(node)
                elif isinstance(node, list):
                    for item in node:
                        walk(item)
                elif isinstance(node, dict):
                    for item in node.values():
                        walk(item)

            walk(json.loads(text))
            text = text + "\n" + "\n".join(strings)
        except ValueError:
            pass
    return ANSI.sub("", text)


def own_text(folder: Path) -> str:
    """Everything a student submitted (their notebooks, in whatever state), as one line."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "feedback" not in path.relative_to(folder).parts:
            parts.append(readable_text(path) or "")
    return flat("\n".join(parts))


def leaks(path: Path, own: str = "", taught: set[str] = frozenset()) -> list[str]:
    """Markers and secrets in a file, except what the student wrote (``own``) and
    solution lines the lectures show (``taught``, for lecture notebooks)."""
    text = readable_text(path)
    if text is None:
        return []
    found = [m for m in MARKERS if m in text and m not in own]
    body = flat(text)
    for secret in SECRETS:
        variants = {secret, flat(json.dumps(secret)[1:-1]), flat(repr(secret)[1:-1])}
        if any(v in body for v in variants) and not any(v in own for v in variants) and secret not in taught:
            found.append(secret)
    return found


def artifacts_students_receive(simulation) -> list[tuple[Path, str]]:
    """(file, what that student wrote themselves) for everything that reaches students."""
    course, exchange = simulation["course"], simulation["exchange"] / "platform-intl"
    items = [(p, "") for p in (exchange / "outbound").rglob("*") if p.is_file()]
    items += [(p, "") for p in (course / "release").rglob("*") if p.is_file()]
    # What each student wrote: their collected submission, or (refused at intake) their own folder.
    written = {
        s: own_text(course / "submitted" / s)
        if (course / "submitted" / s).is_dir()
        else own_text(simulation["root"] / "students" / s)
        for s in simulation["summary"]["profiles"]
    }
    for student, lines in written.items():
        items += [(p, lines) for p in (course / "feedback" / student).rglob("*") if p.is_file()]
        items += [
            (p, lines)
            for p in (simulation["root"] / "students" / student).rglob("*")
            if p.is_file() and ".nbgrader-cache" not in p.parts
        ]
    # Released feedback is named by a hash: find its owner by its content.
    owner = {
        hashlib.sha256(p.read_bytes()).hexdigest(): s
        for s in written
        for p in (course / "feedback" / s).rglob("*.html")
    }
    for path in (exchange / "feedback").rglob("*.html"):
        student = owner.get(hashlib.sha256(path.read_bytes()).hexdigest())
        assert student, f"released feedback {path.name} matches no student's feedback"
        items.append((path, written[student]))
    return items


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("edition") / "platform-intl-student"
    assert course_admin_main(["student-edition", str(out)]) == 0
    return out


def test_the_secrets_are_known():
    assert len(SECRETS) >= 3 * len(harness.assignment_names(ASSIGNMENTS))


@pytest.mark.slow
def test_nothing_students_receive_contains_instructor_material(simulation, student_edition):
    artifacts = artifacts_students_receive(simulation)
    artifacts += [(p, "") for p in student_edition.rglob("*") if p.is_file()]
    kinds = {p.suffix for p, _ in artifacts}
    assert {".ipynb", ".html"} <= kinds
    assert sum(p.suffix == ".html" for p, _ in artifacts) >= len(simulation["summary"]["profiles"])
    problems = {}
    for path, own in artifacts:
        lecture = path.is_relative_to(student_edition / "course")
        found = leaks(path, own, TAUGHT if lecture else frozenset())
        if found:
            problems[str(path)] = found[:3]
    assert problems == {}, json.dumps(problems, indent=1)[:4000]
    if TAUGHT:
        warnings.warn(f"lectures show {len(TAUGHT)} line(s) of assignment solutions: {sorted(TAUGHT)[:5]}")


@pytest.mark.slow
def test_feedback_hides_hidden_tests_that_failed_in_the_graded_notebook(simulation):
    """The graded notebook (instructor only) quotes failed hidden tests; feedback must not."""
    first, course = simulation["first"], simulation["course"]
    graded = "".join(readable_text(p) for p in (course / "autograded" / "wrong-values" / first).glob("*.ipynb"))
    quoted = [s for s in SECRETS if s in flat(graded)]
    assert quoted, "expected the graded notebook to quote the failing hidden tests"
    for path in (course / "feedback" / "wrong-values" / first).glob("*.html"):
        assert leaks(path, own_text(course / "submitted" / "wrong-values")) == []


@pytest.mark.slow
def test_student_edition_holds_what_students_need_and_nothing_else(student_edition):
    files = {str(p.relative_to(student_edition)) for p in student_edition.rglob("*") if p.is_file()}
    for assignment in harness.assignment_names(ASSIGNMENTS):
        assert any(f.startswith(f"assignments/{assignment}/") and f.endswith(".ipynb") for f in files)
    for needed in (
        "README.md",
        "docs/student-guide.md",
        "nbgrader_config.py",
        "pyproject.toml",
        "requirements.lock",
        "environment.yml",
        "tasks.py",
        "src/platform_intl/checks.py",
        "src/platform_intl/__init__.py",
    ):
        assert needed in files, needed
    for name in ("course", "datasets"):
        if (ROOT / name).is_dir() and any((ROOT / name).iterdir()):
            assert any(f.startswith(name + "/") for f in files), name
    forbidden = re.compile(
        r"(^|/)(source|tests|autograded|submitted|feedback|tools|\.ci|\.git)/|gradebook|"
        r"instructor|robust_grading\.py|grading\.py$|\.db$"
    )
    assert sorted(f for f in files if forbidden.search(f)) == []
    config = (student_edition / "nbgrader_config.py").read_text()
    assert "course_id" in config and "CourseDirectory.root" not in config


# ------------------------------------------------- instructor notes (discussion questions)

#: src/platform_intl/instructor/notes/: talking points and model answers for the lectures'
#: discussion questions, for instructors only.
NOTES = ROOT / "src" / "platform_intl" / "instructor" / "notes"


def note_sentences() -> set[str]:
    """Distinctive sentences of the instructor notes: 50+ characters of plain prose.

    Headings are left out (they quote the lectures' questions, which students see), and so
    are sentences with Markdown or code marks, so that each secret reads the same in the
    Markdown file and in anything rendered from it."""
    sentences = set()
    for path in sorted(NOTES.glob("[0-9][0-9]_*.md")):
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
        text = flat(re.sub(r"(?m)^- |\*\*[^*]+\*\*", " ", "\n".join(lines)))
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence) >= 50 and not re.search(r"[`*_\[\]|]", sentence):
                sentences.add(sentence)
    return sentences


NOTE_SECRETS = note_sentences()


def note_leaks(path: Path, own: str = "") -> list[str]:
    """Sentences of the instructor notes found in a file (except what the student wrote)."""
    text = readable_text(path)
    if text is None:
        return []
    body = flat(text)
    return [s for s in NOTE_SECRETS if s in body and s not in own]


def test_the_note_secrets_are_known_and_found_where_they_are():
    notes = sorted(NOTES.glob("[0-9][0-9]_*.md"))
    assert len(notes) >= 7 and len(NOTE_SECRETS) >= 5 * len(notes)
    for path in notes:
        assert note_leaks(path), f"no distinctive sentence of {path.name} is recognised in the file itself"


def test_instructor_notes_are_in_nothing_the_student_edition_copies():
    """The lectures, datasets, problem sets, student guide and the student package state no
    sentence of the notes (the notes are written in their own words, and stay instructor-only)."""
    public = sorted((ROOT / "course").rglob("*.ipynb")) + sorted((ROOT / "datasets").glob("*"))
    public += sorted((ASSIGNMENTS / "source").glob("*/*.ipynb")) + [
        ROOT / "docs" / "student-guide.md",
        ROOT / "README.md",
    ]
    public += [p for p in (ROOT / "src" / "platform_intl").rglob("*") if p.is_file() and "instructor" not in p.parts]
    problems = {str(p.relative_to(ROOT)): found[:2] for p in public if p.is_file() and (found := note_leaks(p))}
    assert problems == {}, json.dumps(problems, indent=1)[:3000]


@pytest.mark.slow
def test_the_student_edition_quotes_no_instructor_note(student_edition):
    assert not any(p.name.endswith(".md") and p.parent.name == "notes" for p in student_edition.rglob("*"))
    problems = {str(p): found[:2] for p in student_edition.rglob("*") if p.is_file() and (found := note_leaks(p))}
    assert problems == {}, json.dumps(problems, indent=1)[:3000]


@pytest.mark.slow
def test_nothing_released_to_students_quotes_an_instructor_note(simulation):
    problems = {}
    for path, own in artifacts_students_receive(simulation):
        found = note_leaks(path, own)
        if found:
            problems[str(path)] = found[:2]
    assert problems == {}, json.dumps(problems, indent=1)[:3000]
