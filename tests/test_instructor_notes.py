"""Instructor notes (src/platform_intl/instructor/notes/): one note per discussion question.

Every discussion question of every lecture has a note, matched by lecture, number and
text, so a reworded, renumbered or new question fails until its note is updated. Every
note has the parts an instructor needs, its evidence names real dataset files, and every
figure it states is in the claims registry or in a dataset file the note names.
"""

from __future__ import annotations

import csv
import fnmatch
import importlib.resources
import json
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest
from test_claims import _scanner

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
DATASETS = ROOT / "datasets"
NOTES = ROOT / "src" / "platform_intl" / "instructor" / "notes"

PARTS = ("What the lecture teaches", "Talking points", "Evidence", "Misconceptions", "Follow-up")
HEADING = re.compile(r"^## Q(\d\d)\.(\d+) · (.+)$", re.M)
DATASET_NAME = re.compile(r"`([a-z_]+\.csv)`")


def flat(text: str) -> str:
    return " ".join(text.split())


def lectures() -> list[Path]:
    """Lectures with a discussion section (00, the orientation, has none)."""
    return [p for p in sorted(COURSE.glob("[0-9][0-9]_*.ipynb")) if discussion_questions(p)]


@cache
def discussion_questions(path: Path) -> dict[int, str]:
    """Number -> question text (whitespace normalised) of a lecture's "Discussion" section."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    questions: dict[int, str] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        inside, current = False, None
        for line in source.splitlines():
            if line.startswith("#"):
                inside, current = bool(re.match(r"#+\s*Discussion\b", line)), None
                continue
            if not inside:
                continue
            item = re.match(r"(\d+)\.\s+(.*)", line)
            if item:
                current = int(item.group(1))
                assert current not in questions, f"{path.name}: question {current} appears twice"
                questions[current] = item.group(2)
            elif current is not None and line.startswith("   ") and line.strip():
                questions[current] += " " + line.strip()
            elif not line.strip():
                current = None
    return {n: flat(q) for n, q in questions.items()}


@cache
def notes_of(lecture: str) -> dict[int, tuple[str, str]]:
    """Question number -> (question text in the heading, body of the note) for one lecture."""
    path = NOTES / f"{lecture}.md"
    text = path.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    notes = {}
    for i, match in enumerate(matches):
        assert match.group(1) == lecture[:2], (
            f"{path.name}: heading {match.group(0)!r} carries another lecture's number"
        )
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        number = int(match.group(2))
        assert number not in notes, f"{path.name}: two notes for question {number}"
        notes[number] = (flat(match.group(3)), text[match.end() : end])
    return notes


def all_notes() -> list:
    """(lecture stem, question number, body) for every note, as test parameters named Q01.1 and so on."""
    return [
        pytest.param(p.stem, n, body, id=f"Q{p.stem[:2]}.{n}")
        for p in lectures()
        if (NOTES / f"{p.stem}.md").is_file()
        for n, (_, body) in notes_of(p.stem).items()
    ]


def part(body: str, name: str) -> str:
    """The text of one part of a note: from its bold label to the next label."""
    match = re.search(rf"\*\*{re.escape(name)}\.\*\*(.*?)(?=\n\*\*[A-Z][^*]+\.\*\*|\Z)", body, re.S)
    return match.group(1).strip() if match else ""


def bullets(text: str) -> list[str]:
    return [flat(b) for b in re.split(r"(?m)^- ", text)[1:]]


# ----------------------------------------------------------------- coverage


def test_the_lectures_hold_the_discussion_questions_the_notes_answer():
    counts = {p.stem[:2]: len(discussion_questions(p)) for p in lectures()}
    assert set(counts) >= {"01", "02", "03", "04", "05", "06", "07"}, counts
    assert sum(counts.values()) >= 29, counts
    for path in lectures():
        assert sorted(discussion_questions(path)) == list(range(1, counts[path.stem[:2]] + 1)), path.name


@pytest.mark.parametrize("lecture", [p.stem for p in lectures()])
def test_every_discussion_question_has_its_note(lecture):
    questions = discussion_questions(COURSE / f"{lecture}.ipynb")
    assert (NOTES / f"{lecture}.md").is_file(), f"no notes file for {lecture}"
    notes = notes_of(lecture)
    missing = sorted(set(questions) - set(notes))
    extra = sorted(set(notes) - set(questions))
    assert not missing and not extra, f"{lecture}: questions without a note {missing}, notes without a question {extra}"
    for number, text in questions.items():
        assert notes[number][0] == text, (
            f"Q{lecture[:2]}.{number}: the note's heading does not carry the lecture's question\n"
            f"  lecture: {text}\n  note:    {notes[number][0]}"
        )


def test_there_are_no_notes_for_lectures_that_do_not_exist():
    stems = {p.stem for p in lectures()}
    assert {p.stem for p in NOTES.glob("[0-9][0-9]_*.md")} == stems


def test_the_matching_fails_for_a_reworded_or_renumbered_question(tmp_path):
    """The coverage test's own check: a changed question is not matched by the old note."""
    lecture = lectures()[0]
    nb = json.loads(lecture.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown" and re.search(r"(?m)^#+\s*Discussion", source):
            cell["source"] = source.replace("1. ", "1. Reworded: ", 1) + "\n9. A question added later?\n"
    changed = tmp_path / lecture.name
    changed.write_text(json.dumps(nb), encoding="utf-8")
    questions = discussion_questions(changed)
    notes = notes_of(lecture.stem)
    assert questions[1] != notes[1][0]
    assert 9 in questions and 9 not in notes


# ----------------------------------------------------------------- content


@pytest.mark.parametrize(("lecture", "number", "body"), all_notes())
def test_every_note_has_talking_points_evidence_misconceptions_and_a_follow_up(lecture, number, body):
    where = f"Q{lecture[:2]}.{number}"
    labels = re.findall(r"(?m)^\*\*([A-Z][^*]+)\.\*\*", body)
    assert labels == list(PARTS), f"{where}: parts {labels}, expected {list(PARTS)} in this order"
    assert len(part(body, "What the lecture teaches")) >= 80, where
    points = bullets(part(body, "Talking points"))
    assert len(points) >= 3 and all(len(p) >= 60 for p in points), f"{where}: talking points too thin"
    assert bullets(part(body, "Misconceptions")), f"{where}: no misconception"
    assert part(body, "Follow-up").rstrip().endswith("?"), f"{where}: the follow-up is not a question"
    evidence = bullets(part(body, "Evidence"))
    assert evidence, f"{where}: no evidence"
    for item in evidence:
        named = DATASET_NAME.match(item)
        assert named, f"{where}: evidence must start with a dataset file in backticks: {item[:80]}"
        assert (DATASETS / named.group(1)).is_file(), f"{where}: no dataset {named.group(1)}"
        assert len(item) > len(named.group(0)) + 20, f"{where}: evidence names no rows: {item}"


def test_every_dataset_a_note_names_exists():
    for param in all_notes():
        lecture, number, body = param.values
        for name in DATASET_NAME.findall(body):
            assert (DATASETS / name).is_file(), f"Q{lecture[:2]}.{number} names {name}, not in datasets/"


# ----------------------------------------------------------------- figures


#: tools/claims_scan.py, loaded as tests/test_claims.py loads it: its figure pattern, normalisation and allow-list.
SCAN = _scanner()
#: The registry's pattern, plus the compact forms a note may use ("446M", "1.4bn").
COMPACT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:M|bn|B)\b")
NUMERIC = re.compile(r"^-?\d+(?:\.\d+)?$")
SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9}


def figures(text: str) -> list[str]:
    """Figures stated in a note: the claims scanner's pattern and compact magnitudes."""
    text = re.sub(r"`[^`]*`", " ", text)  # dataset names and row ids (C030, 2018-09-30) are not figures
    found = [(m.start(), SCAN.normalise(m.group(0))) for m in SCAN.FIGURE.finditer(text)]
    covered = [range(m.start(), m.end()) for m in SCAN.FIGURE.finditer(text)]
    found += [(m.start(), m.group(0)) for m in COMPACT.finditer(text) if not any(m.start() in r for r in covered)]
    return [token for _, token in sorted(found)]


def parse(token: str) -> tuple[float, int, str, float]:
    """(number as written, its decimals, kind: percent / scaled / plain, scale)."""
    number = re.search(r"\d[\d,]*(?:\.\d+)?", token).group(0).replace(",", "")
    decimals = len(number.split(".")[1]) if "." in number else 0
    if "%" in token:
        return float(number), decimals, "percent", 1.0
    word = re.search(r"(thousand|million|billion|bn|M|B)\b", token, re.I)
    if word:
        return float(number), decimals, "scaled", SCALES[word.group(1).lower()]
    return float(number), decimals, "plain", 1.0


def matches_value(token: str, cell: float) -> bool:
    """Is the figure as written the cell, rounded to the figure's precision?"""
    number, decimals, kind, scale = parse(token)
    candidates = [cell * 100, cell] if kind == "percent" else [cell / scale]
    return any(abs(round(c, decimals) - number) < 1e-9 for c in candidates)


@cache
def dataset_cells(name: str) -> tuple[tuple[float, ...], str]:
    """Numeric cells and the whole text (spaces removed, lower case) of a dataset file."""
    with open(DATASETS / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    numbers = [float(cell) for row in rows[1:] for cell in row if NUMERIC.match(cell)]
    return tuple(numbers), re.sub(r"\s+", "", "\n".join(",".join(r) for r in rows)).lower()


@cache
def registry() -> tuple[set[str], tuple[float, ...]]:
    rows = SCAN.registry()
    stated = {SCAN.normalise(s).lower() for row in rows for s in row["stated"].split(" | ") if s.strip()}
    return stated, tuple(float(row["value"]) for row in rows if NUMERIC.match(row["value"]))


def unsupported(token: str, named: list[str]) -> bool:
    """True if the figure is neither in the registry nor in a dataset the note names."""
    if SCAN.allowed(token):
        return False
    stated, values = registry()
    if token.lower() in stated:
        return False
    # A share rounds to too many registry values (every ratio of every row): only its stated form counts there.
    if "%" not in token and any(matches_value(token, v) for v in values):
        return False
    compact = re.escape(re.sub(r"\s+", "", token).lower())
    for name in named:
        numbers, text = dataset_cells(name)
        if re.search(rf"(?<![\d.,]){compact}(?!\d)", text) or any(matches_value(token, v) for v in numbers):
            return False
    return True


def test_the_figure_check_finds_figures_and_refuses_invented_ones():
    text = "Weibo MAU 446 million (44 %), 446M, USD 3.47, 1,000 people, 1.08 billion; in 2018, Q3 and 5G."
    assert figures(text) == ["446 million", "44%", "446M", "USD 3.47", "1,000 people", "1.08 billion"]
    for token in figures(text):
        assert not unsupported(token, ["platform_users.csv"]), token
    for invented in ("447 million", "446.5 million", "43 %", "USD 3.48", "1.09 billion", "12.3M"):
        assert unsupported(invented, ["platform_users.csv", "revenue.csv"]), invented
    # a figure that is only in a dataset counts only where the note names that dataset
    assert not unsupported("9.4 million", ["chinese_diaspora.csv"])
    assert unsupported("6.9 million", ["platform_users.csv"])
    assert not unsupported("6.9 million", ["chinese_diaspora.csv"])


@pytest.mark.parametrize(("lecture", "number", "body"), all_notes())
def test_every_figure_in_a_note_is_in_the_registry_or_a_named_dataset(lecture, number, body):
    named = sorted(set(DATASET_NAME.findall(body)))
    bad = [token for token in figures(body) if unsupported(token, named)]
    assert not bad, f"Q{lecture[:2]}.{number}: figures in neither datasets/claims.csv nor {named}: {bad}"


# ----------------------------------------------------------------- packaging


def test_the_notes_ship_with_the_package():
    """pyproject's package data covers every notes file, and the installed package finds them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["platform_intl.instructor"]
    base = ROOT / "src" / "platform_intl" / "instructor"
    for path in NOTES.glob("*.md"):
        rel = path.relative_to(base).as_posix()
        assert any(fnmatch.fnmatch(rel, g) for g in globs), f"{rel} is not package data"
    installed = importlib.resources.files("platform_intl.instructor") / "notes"
    assert {p.name for p in installed.iterdir() if p.name.endswith(".md")} >= {f"{p.stem}.md" for p in lectures()}


def test_the_student_edition_leaves_the_notes_out_by_construction():
    """The edition copies the package without any folder named instructor (student_edition.py)."""
    source = (ROOT / "src" / "platform_intl" / "instructor" / "student_edition.py").read_text(encoding="utf-8")
    assert 'ignore_patterns("instructor"' in source
    assert "instructor" in NOTES.relative_to(ROOT / "src" / "platform_intl").parts
