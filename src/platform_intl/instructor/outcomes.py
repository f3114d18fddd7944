"""Course learning outcomes, and which graded part of which assignment assesses each.

The data are two small tables in ``course/``:

- ``outcomes.csv``: ``id,outcome,taught_in`` (``LO3``, the outcome's text, the lectures
  that teach it);
- ``assessment_map.csv``: ``assignment,grade_id,outcomes``, one row per graded part of a
  source notebook, naming the outcomes it assesses (``LO2;LO3``).

A graded part is a cell of ``assignments/source/<assignment>/*.ipynb`` whose nbgrader
metadata gives it points (``grade: true`` or ``task: true`` with ``points > 0``), so a part
added to a notebook is found without being listed anywhere else. :func:`problems` says what
does not match; ``docs/syllabus.md`` holds tables generated from the same data between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers:

    python -m platform_intl.instructor.outcomes           # rewrite those tables
    python -m platform_intl.instructor.outcomes --check   # exit 1 if they are stale or the map is incomplete

>>> parts = {("ps9", "q1_value"): GradedPart("ps9", "q1_value", 2.0, "Question 1: Growth")}
>>> problems({"LO1": "Calculate a growth rate."}, {("ps9", "q1_value"): ["LO1"]}, parts)
[]
>>> for problem in problems({"LO1": "Calculate a growth rate."}, {}, parts):  # doctest: +ELLIPSIS
...     print(problem)
graded part ps9 q1_value (Question 1: Growth, 2 points) maps to no outcome: add a row 'ps9,q1_value,LO…' to ...
outcome LO1 ('Calculate a growth rate.') is assessed by no graded part: map a part to it in ...
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .cells import nbgrader_meta
from .parts import _HEADING, part_labels

ROOT = Path(__file__).resolve().parents[3]
OUTCOMES_CSV = ROOT / "course" / "outcomes.csv"
MAP_CSV = ROOT / "course" / "assessment_map.csv"
SOURCE = ROOT / "assignments" / "source"
SYLLABUS = ROOT / "docs" / "syllabus.md"

Key = tuple[str, str]  # (assignment, grade_id)


@dataclass(frozen=True)
class GradedPart:
    assignment: str
    grade_id: str
    points: float
    question: str  # "Question 2 (b): Weibo's MAU growth", from the notebook's headings


@dataclass(frozen=True)
class MapRow:
    line: int
    assignment: str
    grade_id: str
    outcomes: tuple[str, ...]


def load_outcomes(path: Path = OUTCOMES_CSV) -> dict[str, str]:
    """Outcome id -> text, in the file's order."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["id"].strip(): row["outcome"].strip() for row in csv.DictReader(fh)}


def load_taught_in(path: Path = OUTCOMES_CSV) -> dict[str, list[str]]:
    """Outcome id -> the lecture numbers that teach it ("01", "06")."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["id"].strip(): (row.get("taught_in") or "").split() for row in csv.DictReader(fh)}


def load_map_rows(path: Path = MAP_CSV) -> list[MapRow]:
    """The rows of the map with their line numbers (the header is line 1)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            MapRow(
                line,
                row["assignment"].strip(),
                row["grade_id"].strip(),
                tuple(o.strip() for o in (row["outcomes"] or "").split(";") if o.strip()),
            )
            for line, row in enumerate(csv.DictReader(fh), start=2)
        ]


def load_map(path: Path = MAP_CSV) -> dict[Key, list[str]]:
    """(assignment, grade_id) -> outcome ids; a part listed twice gets the union."""
    mapping: dict[Key, list[str]] = defaultdict(list)
    for row in load_map_rows(path):
        ids = mapping[(row.assignment, row.grade_id)]
        ids += [o for o in row.outcomes if o not in ids]
    return dict(mapping)


def _points(meta: dict) -> float:
    try:
        return float(meta.get("points") or 0)
    except (TypeError, ValueError):
        return 0.0


_POINTS_NOTE = re.compile(r"\s*\(\d+(?:\.\d+)?\s+points?\b[^)]*\)\s*$", re.I)


def notebook_parts(assignment: str, notebook: Path) -> list[GradedPart]:
    """The graded parts of one source notebook: cells whose nbgrader metadata gives them points."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    labels = part_labels(nb)  # graded and answer cells; a task cell takes the part of its heading
    parts: list[GradedPart] = []
    heading = ""
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") == "markdown" and not meta.get("solution"):
            for line in cell.get("source", "").splitlines():
                match = _HEADING.match(line)
                if match and not line.startswith("# "):
                    heading = f"Question {match.group(1)}: {match.group(2)}"
        grade_id = meta.get("grade_id")
        if grade_id and (meta.get("grade") or meta.get("task")) and _points(meta) > 0:
            question = labels[grade_id].part if grade_id in labels else heading or str(grade_id)
            parts.append(GradedPart(assignment, grade_id, _points(meta), _POINTS_NOTE.sub("", question)))
    return parts


def assignments(source: Path = SOURCE) -> list[str]:
    """The assignments of the course: folders of ``source/`` holding a notebook."""
    return sorted(p.name for p in Path(source).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def graded_parts(source: Path = SOURCE) -> dict[Key, GradedPart]:
    """Every graded part of every source notebook, by (assignment, grade_id), in notebook order."""
    parts: dict[Key, GradedPart] = {}
    for assignment in assignments(source):
        for notebook in sorted((Path(source) / assignment).glob("*.ipynb")):
            for part in notebook_parts(assignment, notebook):
                parts[(part.assignment, part.grade_id)] = part
    return parts


def problems(
    outcomes: dict[str, str],
    mapping: dict[Key, list[str]],
    parts: dict[Key, GradedPart],
    rows: list[MapRow] | None = None,
) -> list[str]:
    """What does not match between outcomes, map and notebooks, one sentence each saying what to do."""
    found: list[str] = []
    where = {(r.assignment, r.grade_id): f"course/assessment_map.csv line {r.line}" for r in rows or []}
    for key, ids in mapping.items():
        place = where.get(key, "course/assessment_map.csv")
        if key not in parts:
            found.append(
                f"{place} names {key[0]} {key[1]}, which is no graded part of assignments/source/{key[0]}/ "
                "(renamed, removed, or given 0 points?): change the row to the part's current grade_id or delete it"
            )
        for unknown in [i for i in ids if i not in outcomes]:
            found.append(
                f"{place} maps {key[0]} {key[1]} to {unknown}, which course/outcomes.csv does not define: "
                f"use one of {', '.join(outcomes)}"
            )
    for key, part in parts.items():
        if not [i for i in mapping.get(key, []) if i in outcomes]:
            found.append(
                f"graded part {part.assignment} {part.grade_id} ({part.question}, {part.points:g} points) maps to no "
                f"outcome: add a row '{part.assignment},{part.grade_id},LO…' to course/assessment_map.csv"
            )
    assessed = {i for key, ids in mapping.items() if key in parts for i in ids}
    for outcome, text in outcomes.items():
        if outcome not in assessed:
            found.append(
                f"outcome {outcome} ({text!r}) is assessed by no graded part: map a part to it in "
                "course/assessment_map.csv, or remove it from course/outcomes.csv and docs/syllabus.md"
            )
    return found


# ---- the generated tables of docs/syllabus.md ------------------------------------------------


def _short(assignment: str) -> str:
    return assignment.split("_", 1)[0]


def _questions(parts: dict[Key, GradedPart], mapping: dict[Key, list[str]]):
    """(assignment, question) -> (points, outcome ids in order), in notebook order."""
    grouped: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for key, part in parts.items():
        points, ids = grouped.get((part.assignment, part.question), (0.0, []))
        ids = ids + [i for i in mapping.get(key, []) if i not in ids]
        grouped[(part.assignment, part.question)] = (points + part.points, ids)
    return grouped


def render_outcomes(outcomes: dict[str, str], mapping: dict[Key, list[str]], parts: dict[Key, GradedPart]) -> str:
    taught = load_taught_in() if OUTCOMES_CSV.exists() else {}
    lines = [
        "| id | by the end of the course, students can … | taught in lectures | assessed in |",
        "|---|---|---|---|",
    ]
    for outcome, text in outcomes.items():
        where: dict[str, list[str]] = defaultdict(list)
        for (assignment, question), (_, ids) in _questions(parts, mapping).items():
            number = question.split(":", 1)[0].replace("Question ", "Q").replace(" (", "").replace(")", "")
            if outcome in ids and number not in where[assignment]:
                where[assignment].append(number)
        assessed = "; ".join(f"{_short(a)} {', '.join(q)}" for a, q in where.items()) or "—"
        lectures = ", ".join(taught.get(outcome, [])) or "—"
        lines.append(f"| {outcome} | {text} | {lectures} | {assessed} |")
    return "\n".join(lines)


def render_matrix(outcomes: dict[str, str], mapping: dict[Key, list[str]], parts: dict[Key, GradedPart]) -> str:
    names = sorted({p.assignment for p in parts.values()})
    lines = ["| outcome | " + " | ".join(_short(a) for a in names) + " | all |", "|---|" + "---:|" * (len(names) + 1)]
    for outcome in outcomes:
        row = [
            sum(p.points for k, p in parts.items() if p.assignment == a and outcome in mapping.get(k, []))
            for a in names
        ]
        cells = [f"{v:g}" if v else "·" for v in row]
        lines.append(f"| {outcome} | " + " | ".join(cells) + f" | {sum(row):g} |")
    totals = [sum(p.points for p in parts.values() if p.assignment == a) for a in names]
    lines.append(
        "| **points in the assignment** | " + " | ".join(f"**{t:g}**" for t in totals) + f" | **{sum(totals):g}** |"
    )
    return "\n".join(lines)


def render_map(mapping: dict[Key, list[str]], parts: dict[Key, GradedPart]) -> str:
    lines = ["| assignment | question | points | outcomes |", "|---|---|---:|---|"]
    for (assignment, question), (points, ids) in _questions(parts, mapping).items():
        lines.append(f"| `{assignment}` | {question} | {points:g} | {', '.join(ids) or '**none**'} |")
    return "\n".join(lines)


def generated_sections(
    outcomes: dict[str, str] | None = None,
    mapping: dict[Key, list[str]] | None = None,
    parts: dict[Key, GradedPart] | None = None,
) -> dict[str, str]:
    """Name -> the Markdown that belongs between that name's markers in docs/syllabus.md."""
    outcomes = load_outcomes() if outcomes is None else outcomes
    mapping = load_map() if mapping is None else mapping
    parts = graded_parts() if parts is None else parts
    return {
        "outcomes": render_outcomes(outcomes, mapping, parts),
        "matrix": render_matrix(outcomes, mapping, parts),
        "map": render_map(mapping, parts),
    }


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- BEGIN GENERATED: {name} [^\n]*-->\n)(.*?)(<!-- END GENERATED: {name} -->)", re.S)


def section_text(text: str, name: str) -> str | None:
    """What stands between a generated section's markers, or None without the markers."""
    match = _block(name).search(text)
    return match.group(2).strip("\n") if match else None


def rewrite(text: str, sections: dict[str, str]) -> str:
    """``text`` with each named section's markers enclosing its new body."""
    for name, body in sections.items():
        block = _block(name)
        match = block.search(text)
        if not match:
            raise ValueError(f"docs/syllabus.md has no markers for the generated section {name!r}")
        text = text[: match.start()] + match.group(1) + body + "\n" + match.group(3) + text[match.end() :]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m platform_intl.instructor.outcomes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale or unmapped")
    parser.add_argument("--syllabus", type=Path, default=SYLLABUS)
    args = parser.parse_args(argv)
    outcomes, rows, parts = load_outcomes(), load_map_rows(), graded_parts()
    found = problems(outcomes, load_map(), parts, rows)
    for problem in found:
        print(problem, file=sys.stderr)
    text = args.syllabus.read_text(encoding="utf-8")
    new = rewrite(text, generated_sections(outcomes, load_map(), parts))
    if args.check:
        if new != text:
            print(f"{args.syllabus} is stale: run python -m platform_intl.instructor.outcomes", file=sys.stderr)
        return 1 if found or new != text else 0
    if new != text:
        args.syllabus.write_text(new, encoding="utf-8")
        print(f"rewrote the generated tables of {args.syllabus}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
