"""The whole flow on ps2: the student's notebook runs in a kernel with capture cells, the worker judges."""

from __future__ import annotations

import copy
import sys
import time

import pytest
from verdict_support import cell_kind, nbgrader

from platform_intl.instructor.answers import MIME, capture_code, install_code
from platform_intl.instructor.verdict_worker import VerdictWorker, answer_names, setup_names

PYTHON = sys.executable

CHEATS = {  # grade_id of an answer cell -> code appended to it by a student who tries to pass anyway
    "q1_answer": "speakers_by_territory = speakers_by_territory * 3\n"
    "import platform_intl.checks as _c\n_c.check_close = lambda *a, **k: None\n"
    "_c._isclose = lambda *a, **k: True\nimport math\nmath.isclose = lambda *a, **k: True",
    "q2_answer": "class Share(float):\n    def __eq__(self, other): return True\n"
    "    def __float__(self): return 0.0\nonline_share = Share(40.0)",
    "q5_answer": "del weibo_mau_cagr",
    "q7_answer": "users_per_verifier = str(users_per_verifier)",
}


def run_student(assignment, tmp_path, monkeypatch, edits: dict[str, str]) -> dict[str, dict]:
    """Execute the notebook as autograding would, test cells replaced by capture cells."""
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    nb = copy.deepcopy(assignment.nb)
    provided = setup_names(assignment.setup)
    names = {}
    for cell in nb.cells:
        gid = nbgrader(cell).get("grade_id")
        if cell_kind(cell) == "test":
            names[gid] = answer_names(cell.source, provided)
            cell.source = capture_code(names[gid])
        elif gid in edits:
            cell.source += "\n" + edits[gid]
    import nbformat

    nb.cells.insert(0, nbformat.v4.new_code_cell(install_code()))  # as VerdictExecute does at kernel start
    NotebookClient(
        nb, timeout=60, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    payloads = {}
    for cell in nb.cells:
        if cell_kind(cell) == "test":
            (output,) = cell.outputs  # the capture cell shows exactly one output
            assert output.output_type == "display_data" and list(output.data) == [MIME]
            payloads[nbgrader(cell)["grade_id"]] = {
                "names": names[nbgrader(cell)["grade_id"]],
                "payload": output.data[MIME],
            }
    return payloads


@pytest.mark.parametrize("student", ["solution", "cheater"])
@pytest.mark.slow
def test_ps2_end_to_end(ps2, tmp_path, monkeypatch, student, capsys):
    worker = VerdictWorker()
    worker.start(python=PYTHON)
    worker.setup(ps2.setup)  # imports pandas and loads the tables while the kernel runs
    started = time.perf_counter()
    payloads = run_student(ps2, tmp_path, monkeypatch, CHEATS if student == "cheater" else {})
    kernel = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = {gid: worker.judge(gid, ps2.tests[gid], p["names"], p["payload"]) for gid, p in payloads.items()}
    judged = time.perf_counter() - started
    worker.close()
    statuses = {gid: v["status"] for gid, v in verdicts.items()}
    if student == "solution":
        assert set(statuses.values()) == {"pass"}, verdicts
    else:
        expected = {
            "q1_form": "fail",
            "q1_value": "fail",
            "q2_form": "refused",
            "q2_value": "refused",
            "q4_value": "fail",
            "q5_form": "fail",
            "q5_value": "fail",
            "q7_form": "fail",
            "q7_value": "fail",
            "q10_swings": "fail",
        }  # q4 and q10's swings build on the tripled speakers: patched checks changed nothing
        assert {g: s for g, s in statuses.items() if s != "pass" or g in expected} == expected
        assert "`online_share` is a Share, not plain data" in verdicts["q2_value"]["message"]
        assert verdicts["q5_value"]["outputs"][0]["evalue"] == "name 'weibo_mau_cagr' is not defined"
        assert "should be a number, but it is str" in verdicts["q7_form"]["message"]
    with capsys.disabled():
        print(
            f"\n[timings] ps2 {student}: kernel run with {len(payloads)} capture cells {kernel:.2f} s, "
            f"then judging {judged:.2f} s"
        )
