"""What real submissions do to autograding, and the outcome each one is promised.

Every spec in src/platform_intl/instructor/behaviours/ is a student of the class simulation
(test_instructor_cycle.simulation, one autograde run per assignment). For each: the run
completes, the score equals the reference student named in the spec (correct, partial,
wrong-values, blank), the grader notes name what happened, the submitted file is kept
as the student sent it, and every other student is graded as usual. The same outcomes
hold when grading is started with `nbgrader autograde` or the Formgrader's button,
which read the same committed nbgrader_config.py. docs/instructor-guide.md has the
table; a test keeps it in step with the specs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS, ROOT, entry

from platform_intl.instructor import behaviours, harness
from platform_intl.instructor import course as admin
from platform_intl.instructor.feedback import RedactSecrets
from platform_intl.instructor.intake import _read_notebook
from platform_intl.instructor.late_policy import SubMarks
from platform_intl.instructor.notes import INTAKE_FILE, NOTE_KINDS, RECOVERY_FILE
from platform_intl.instructor.summary import summarize

SPECS = behaviours.load_specs()
MISBEHAVIOURS = [name for name in SPECS if name not in admin.REFERENCE_PROFILES]
GUIDE = ROOT / "docs" / "instructor-guide.md"


def as_list(value) -> list[str]:
    """An expectation that is one text or a list of texts."""
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def scope(simulation, name):
    return behaviours.assignments_of(simulation["specs"][name], simulation["assignments"])


def student_of(simulation, name):
    return behaviours.student_id(name, simulation["specs"][name])


def cell_scores(simulation, student: str, assignment: str) -> dict[str, float]:
    """Automatic points of each autograded cell of a student's submission, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{simulation['course'] / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        return {
            grade.name: float(grade.auto_score or 0)
            for nb in submission.notebooks
            for grade in nb.grades
            if grade.auto_score is not None
        }


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_fixture_scores_as_documented(simulation, name):
    spec = simulation["specs"][name]
    expect = spec["expect"]
    for assignment in scope(simulation, name):
        sid = student_of(simulation, name)
        if expect["score_as"] == "not graded":
            got = simulation["summary"]["students"].get(sid, {}).get("assignments", {}).get(assignment, {})
            assert not got.get("graded") and not got.get("score"), got
            if "log_contains" in expect:
                log = (simulation["root"] / "nbgrader.log").read_text(encoding="utf-8")
                refusals = [line for line in log.splitlines() if expect["log_contains"] in line]
                assert refusals and all("must not start with '.'" in line for line in refusals), refusals
            continue
        got = entry(simulation, sid, assignment)
        reference = entry(simulation, expect["score_as"], assignment)
        assert got["graded"], f"{name} was not graded in {assignment}: {got}"
        if "fails" in expect:
            mine, theirs = (
                cell_scores(simulation, sid, assignment),
                cell_scores(simulation, expect["score_as"], assignment),
            )
            lost = {gid: theirs[gid] for gid in expect["fails"]}
            assert all(points > 0 for points in lost.values()), f"{name}: the reference scores 0 on some of {lost}"
            assert {gid: mine[gid] for gid in lost} == dict.fromkeys(lost, 0), f"{name}: {mine}"
            assert {g: v for g, v in mine.items() if g not in lost} == {
                g: v for g, v in theirs.items() if g not in lost
            }, f"{name}: cells other than {sorted(lost)} should score as {expect['score_as']!r}"
            assert got["code_score"] == pytest.approx(reference["code_score"] - sum(lost.values()))
            continue
        assert got["code_score"] == reference["code_score"], (
            f"{name} in {assignment}: {got['code_score']} points, expected {reference['code_score']} "
            f"like {expect['score_as']!r}; notes: {got['notes']}"
        )
        assert got["late_penalty"] == expect.get("late_penalty", 0)
        assert got["score"] == pytest.approx(got["raw_score"] - got["late_penalty"])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_fixture_leaves_a_note_that_explains_it(simulation, name):
    expected = simulation["specs"][name]["expect"].get("notes", [])
    if simulation["specs"][name]["expect"]["score_as"] == "not graded":
        return
    for assignment in scope(simulation, name):
        got = entry(simulation, name, assignment)
        kinds = {n["kind"] for n in got["notes"]}
        assert set(expected) <= kinds, f"{name}: notes {got['notes']}"
        if not expected:
            assert not kinds - {"output"}, f"{name}: unexpected notes {got['notes']}"
        if got["graded"] and expected:
            for nb in (simulation["course"] / "autograded" / name / assignment).glob("*.ipynb"):
                first = nbformat.read(str(nb), as_version=4).cells[0]
                assert "grader-notes" in first.metadata.get("tags", []), "notes are shown in the notebook"
                assert "Grader notes" in first.source


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_the_submitted_file_is_kept_as_the_student_sent_it(simulation, name):
    if simulation["specs"][name]["expect"]["score_as"] == "not graded":
        return
    for assignment in scope(simulation, name):
        sent = simulation["root"] / "students" / name / assignment
        kept = simulation["course"] / "submitted" / name / assignment
        for path in sent.iterdir():
            if path.is_file() and path.name != "feedback":
                assert (kept / path.name).read_bytes() == path.read_bytes(), f"{name}: {path.name} changed"
        extra = {p.name for p in kept.iterdir()} - {p.name for p in sent.iterdir()}
        # The grader's own records: its notes, and an unreadable timestamp kept under another name.
        allowed = {"timestamp.txt", "submission_secret.txt", INTAKE_FILE, "timestamp-unreadable.txt"}
        if name == "renamed-notebook":
            allowed |= {RECOVERY_FILE} | {p.name for p in (ASSIGNMENTS / "source" / assignment).glob("*.ipynb")}
        assert extra <= allowed, f"{name}: the grader added {extra - allowed}"


@pytest.mark.slow
def test_nobody_else_is_affected(simulation):
    """Every submission with a notebook got a graded result in the same runs."""
    for student, info in simulation["summary"]["students"].items():
        for assignment, got in info["assignments"].items():
            if any(f.endswith(".ipynb") for f in got["files"]):
                assert got["graded"], f"{student}/{assignment} was dropped"
                folder = simulation["course"] / "autograded" / student / assignment
                assert list(folder.glob("*.ipynb")), f"{student}/{assignment} has no graded notebook"


@pytest.mark.slow
def test_fixture_specific_outcomes(simulation):
    course = simulation["course"]
    for name, spec in simulation["specs"].items():
        expect = spec["expect"]
        first = scope(simulation, name)[0]  # the first assignment the spec's student submits
        graded = list((course / "autograded" / name / first).glob("*.ipynb"))
        if "max_graded_notebook_bytes" in expect:
            assert graded and all(p.stat().st_size <= expect["max_graded_notebook_bytes"] for p in graded)
            feedback = list((course / "feedback" / name / first).glob("*.html"))
            assert feedback and all(p.stat().st_size <= 2 * expect["max_graded_notebook_bytes"] for p in feedback)
        if "output_contains" in expect:
            text = "".join(json.dumps(nbformat.read(str(p), as_version=4).cells) for p in graded)
            assert expect["output_contains"] in text, name
        if "output_lacks" in expect:  # in what the cells printed, not in their sources
            printed = json.dumps(
                [c.get("outputs", []) for p in graded for c in nbformat.read(str(p), as_version=4).cells]
            )
            assert expect["output_lacks"] not in printed, (name, printed[:2000])
        if "no_host_process" in expect:
            from sandbox_support import host_processes

            assert not host_processes(expect["no_host_process"]), name
        if "no_file" in expect:
            assert not Path(expect["no_file"]).exists(), name
        if "feedback_contains" in expect or "feedback_lacks" in expect:
            pages = list((course / "feedback" / name / first).glob("*.html"))
            assert pages, f"{name}: no feedback"
            feedback = "".join(p.read_text() for p in pages)
            for text in as_list(expect.get("feedback_contains")):
                assert text in feedback, f"{name}: the feedback lacks {text!r}"
            for text in as_list(expect.get("feedback_lacks")):
                assert text not in feedback, f"{name}: the feedback contains {text!r}"


@pytest.mark.slow
def test_nbgrader_autograde_started_directly_gives_the_same_outcome(simulation):
    """The instructor types `nbgrader autograde` in the course folder."""
    first, course = simulation["first"], simulation["course"]
    for student in ("os-exit", "duplicated-cell"):
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", first, f"--student={student}", "--force"],
            cwd=course,
            capture_output=True,
            text=True,
            env=harness.nbgrader_env({"NBGRADER_EXCHANGE": str(simulation["exchange"])}),
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        again = summarize(admin.Course(root=course), [first])["students"][student]["assignments"][first]
        before = entry(simulation, student)
        assert again["code_score"] == before["code_score"]
        assert {n["kind"] for n in again["notes"]} == {n["kind"] for n in before["notes"]}


@pytest.mark.slow
def test_formgrader_button_gives_the_same_outcome(simulation, formgrader):
    """The Formgrader's "autograde" button posts to this endpoint; it runs in the server."""
    first = simulation["first"]
    for student in ("swallows-base-exception", "invalid-json"):
        result = formgrader("POST", f"/formgrader/api/submission/{first}/{student}/autograde")
        assert result["success"], result.get("error")
        notebooks = formgrader("GET", f"/formgrader/api/student_notebook_submissions/{student}/{first}")
        assert sum(nb["code_score"] for nb in notebooks) == entry(simulation, student)["code_score"]
        again = summarize(admin.Course(root=simulation["course"]), [first])
        kinds = {n["kind"] for n in again["students"][student]["assignments"][first]["notes"]}
        assert set(simulation["specs"][student]["expect"]["notes"]) <= kinds


def guide_table() -> dict[str, list[str]]:
    rows = {}
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*`([a-z0-9-]+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [c.strip() for c in match.group(2).split("|")]
    return rows


def test_instructor_guide_documents_every_fixture_with_its_outcome():
    rows = guide_table()
    assert set(rows) == set(MISBEHAVIOURS) | set(admin.REFERENCE_PROFILES), (
        "docs/instructor-guide.md and src/platform_intl/instructor/behaviours/ disagree"
    )
    for name, spec in SPECS.items():
        _behaviour, sees, score = rows[name][:3]
        assert f"**{spec['expect']['score_as']}**" in score, f"{name}: score column says {score!r}"
        if spec["expect"].get("late_penalty"):
            assert "late" in score
        for kind in spec["expect"].get("notes", []):
            if kind in NOTE_KINDS:
                assert "note" in sees, f"{name}: say that the grader notes it"


def test_specs_select_cells_in_every_assignment():
    """The specs name cells by role, so they work for any assignment in assignments/source/."""
    for assignment in harness.assignment_names(ASSIGNMENTS):
        for path in sorted((ASSIGNMENTS / "source" / assignment).glob("*.ipynb"))[:1]:
            source = harness.load_notebook(path)
            for name, spec in SPECS.items():
                if spec.get("assignments", "first") not in ("first", "all", assignment):
                    continue  # a spec written for one assignment names that assignment's cells
                for op in spec["operations"]:
                    if "cell" in op:
                        assert behaviours.select_cells(source, source, op["cell"]), (assignment, name, op)


def test_unreadable_files_are_described_not_fatal(tmp_path):
    cases = {
        "empty.ipynb": b"",
        "binary.ipynb": b"\x89PNG\r\n\x00\xff",
        "text.ipynb": b"{not json",
        "list.ipynb": b"[1, 2]",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        nb, problem = _read_notebook(path)
        assert nb is None and problem, name


def test_redaction_hides_instructor_lines_in_outputs_but_not_the_students_own():
    secret = 'check_close(weibo_mau_2018, 446e6, "weibo_mau_2018", rel=1e-6)'
    own = "weibo_mau_2018 = 446_000_000  # the student's own line"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(own)
    cell.metadata["nbgrader"] = {
        "solution": True,
        "grade": False,
        "grade_id": "a",
        "locked": False,
        "schema_version": 3,
        "task": False,
    }
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"before\n{json.dumps(secret)}\n{own}\nafter\n"),
        nbformat.v4.new_output(
            "error",
            ename="CheckFailed",
            evalue="wrong",
            traceback=[f"\x1b[0;32m----> 1\x1b[0m {secret}", "CheckFailed: wrong"],
        ),
        nbformat.v4.new_output("display_data", data={"text/html": f"<b>{secret}</b>", "text/plain": "ok"}),
    ]
    nb.cells = [cell]
    redactor = RedactSecrets()
    redactor._secrets = lambda resources: {secret, own}
    nb, _ = redactor.preprocess(nb, {"nbgrader": {}})
    text = json.dumps(nb.cells[0].outputs)
    assert "446e6" not in text and text.count(redactor.replacement) == 3
    assert all(word in text for word in ("before", "after", "CheckFailed: wrong", "the student's own line"))


def test_sub_marks_is_the_configured_plugin():
    config = admin.Course(root=ASSIGNMENTS).config()
    assert config.AssignLatePenalties.plugin_class.rsplit(".", 1)[-1] == SubMarks.__name__


def test_committed_config_switches_on_every_safeguard():
    """`nbgrader autograde` and the Formgrader read this file; the safeguards must be in it."""
    config = admin.Course(root=ASSIGNMENTS).config()
    assert config.Autograde.exporter_class.endswith("RobustNotebookExporter")
    assert config.Autograde.pre_convert_hook.endswith("intake.prepare_submission")
    assert any(p.endswith("verdicts.VerdictExecute") for p in config.Autograde.autograde_preprocessors)
    assert config.GradingSandbox.enabled is True
    assert not any(p.endswith(".Execute") for p in config.Autograde.autograde_preprocessors)
    assert any(p.endswith("AddGraderNotes") for p in config.Autograde.autograde_preprocessors)
    assert any(p.endswith("RecordingOverwriteCells") for p in config.Autograde.sanitize_preprocessors)
    feedback = config.GenerateFeedback.preprocessors
    assert [p.rsplit(".", 1)[-1] for p in feedback] == [
        "GetGrades",
        "FeedbackClearHiddenTests",
        "RedactSecrets",
        "CSSHTMLHeaderPreprocessor",
    ]
    assert config.GenerateFeedback.post_convert_hook.endswith("finish_feedback")
    assert config.OverwriteCells.add_missing_cells is True
    from traitlets.utils.importstring import import_item

    for name in [
        config.Autograde.exporter_class,
        config.Autograde.pre_convert_hook,
        config.GenerateFeedback.post_convert_hook,
        *config.Autograde.sanitize_preprocessors,
        *config.Autograde.autograde_preprocessors,
        *feedback,
    ]:
        import_item(name)
