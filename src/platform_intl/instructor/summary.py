"""Scores, late penalties and grader notes per student, from the gradebook and the graded notebooks."""

from __future__ import annotations

from typing import Any

import nbformat

from .course import Course
from .notes import NOTE_KINDS, grader_notes

# ------------------------------------------------------------------------ summary


def summarize(course: Course, assignments: list[str] | None = None) -> dict:
    """Per student and assignment: scores, penalty, manual grading left, grader notes."""
    from nbgrader.api import Gradebook, MissingEntry

    from .grading_pool import UNFINISHED, Journal

    assignments = assignments or course.assignments()
    out: dict = {"assignments": {}, "students": {}}
    journals = {name: Journal(course.root, name).last_events() for name in assignments}
    with Gradebook(course.db_url) as gb:
        known = {a.name: a for a in gb.assignments}
        for name in assignments:
            if name in known:
                out["assignments"][name] = {
                    "max_score": known[name].max_score,
                    "duedate": str(known[name].duedate or ""),
                }
        for student in gb.students:
            row = out["students"].setdefault(
                student.id, {"first_name": student.first_name, "last_name": student.last_name, "assignments": {}}
            )
            for name in out["assignments"]:
                entry: dict[str, Any] = {
                    "graded": False,
                    "score": 0.0,
                    "raw_score": 0.0,
                    "code_score": 0.0,
                    "late_penalty": 0.0,
                    "needs_manual_grade": False,
                    "notes": [],
                    "files": [],
                }
                folder = course.root / "submitted" / student.id / name
                if folder.is_dir():
                    entry["files"] = sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt")
                last = journals.get(name, {}).get(student.id, {})
                if last.get("event") in UNFINISHED:
                    entry["interrupted"] = True
                    entry["notes"].append({"kind": "interrupted", "message": NOTE_KINDS["interrupted"]})
                    row["assignments"][name] = entry
                    continue
                if last.get("event") == "failed":
                    entry["notes"].append({"kind": "not-graded", "message": str(last.get("message", ""))})
                try:
                    sub = gb.find_submission(name, student.id)
                except MissingEntry:
                    if folder.is_dir() and not any(f.endswith(".ipynb") for f in entry["files"]):
                        entry["notes"].append(
                            {
                                "kind": "no-notebook",
                                "message": "The submission holds no "
                                f"notebook (files: {', '.join(entry['files']) or 'none'}).",
                            }
                        )
                    row["assignments"][name] = entry
                    continue
                penalty = sub.late_submission_penalty or 0.0
                entry.update(
                    graded=True,
                    raw_score=sub.score,
                    score=max(0.0, sub.score - penalty),
                    code_score=sub.code_score,
                    late_penalty=penalty,
                    seconds_late=sub.total_seconds_late,
                    needs_manual_grade=bool(sub.needs_manual_grade),
                )
                for nb in sorted((course.root / "autograded" / student.id / name).glob("*.ipynb")):
                    for note in grader_notes(nbformat.read(str(nb), as_version=4)):
                        entry["notes"].append(dict(note, notebook=nb.stem))
                row["assignments"][name] = entry
        # Interrupted before nbgrader had even entered the student in the gradebook.
        for name, events in journals.items():
            for sid, last in events.items():
                if last.get("event") in UNFINISHED and name not in out["students"].get(sid, {}).get("assignments", {}):
                    row = out["students"].setdefault(sid, {"first_name": None, "last_name": None, "assignments": {}})
                    row["assignments"][name] = {
                        "graded": False,
                        "interrupted": True,
                        "notes": [{"kind": "interrupted", "message": NOTE_KINDS["interrupted"]}],
                    }
    return out


def format_summary(summary: dict, profiles: dict[str, str] | None = None) -> str:
    names = list(summary["assignments"])
    header = ["student"] + (["behaviour"] if profiles else []) + names + ["late", "manual", "grader notes"]
    rows = []
    for sid, info in sorted(summary["students"].items()):
        cells = [sid] + ([profiles.get(sid, "")] if profiles else [])
        late, manual, notes = [], 0, []
        for name in names:
            entry = info["assignments"].get(name, {})
            maximum = summary["assignments"][name]["max_score"]
            if entry.get("interrupted"):
                cells.append("interrupted")
            elif not entry.get("graded"):
                cells.append("-" if not entry.get("files") else "not graded")
            else:
                cells.append(f"{entry['score']:g}/{maximum:g}")
            if entry.get("late_penalty"):
                late.append(f"-{entry['late_penalty']:g}")
            manual += bool(entry.get("needs_manual_grade"))
            notes += [n["kind"] for n in entry.get("notes", [])]
        cells += [" ".join(late) or "-", str(manual) if manual else "-", ", ".join(dict.fromkeys(notes)) or "-"]
        rows.append(cells)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = sorted({n for r in rows for n in r[-1].split(", ") if n in NOTE_KINDS})
    if legend:
        lines += [""] + [f"  {kind}: {NOTE_KINDS[kind]}" for kind in legend]
    return "\n".join(lines)
