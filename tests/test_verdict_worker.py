"""The grader's worker: which names a test reads, and judging real ps2 test cells in a fresh process."""

from __future__ import annotations

import json
import sys
import textwrap
import time

import pytest

from platform_intl.instructor.answers import encode_answers
from platform_intl.instructor.verdict_worker import VerdictWorker, answer_names, setup_names

PYTHON = sys.executable


# ------------------------------------------------------------------------------ static analysis


@pytest.mark.parametrize(
    ("source", "provided", "expected"),
    [
        ('check_close(share, 0.72, "share")', {"check_close"}, ["share"]),
        ("assert len(xs) == sum(ys) and max(xs) < 3", set(), ["xs", "ys"]),
        (
            "value = table.loc['HK'].speakers\nitems.append(value)\nd['k'] = 1\nobj.attr = 2",
            set(),
            ["table", "items", "d", "obj"],
        ),
        (
            "ok = [v for v in values if v > limit]\n{k: w for k, w in pairs.items()}",
            set(),
            ["values", "limit", "pairs"],
        ),
        ("[[c * k for c in row] for row in grid]", set(), ["grid", "k"]),
        ("[v for v in xs]\nprint(v)", set(), ["xs", "v"]),
        ("[(y := v) for v in xs]\nprint(y)", set(), ["xs"]),
        ("f = lambda t: t + offset\nf(1)", set(), ["offset"]),
        ("def g(a):\n    return a + scale + helper(a)\nhelper = abs\ng(1)", set(), ["scale"]),
        ("def f(a=default_value):\n    local = a\n    return local\n", set(), ["default_value"]),
        ("def f():\n    global counter\n    counter += 1\nf()", set(), ["counter"]),
        ("print(total)\ntotal = 5\nprint(total)", set(), ["total"]),
        ("x = x + 1\nn += 1", set(), ["x", "n"]),
        ("del z\nw = 1\ndel w\nprint(w)", set(), ["z", "w"]),
        ('f"{value:.{digits}f} {obj.attr!r}"', set(), ["value", "digits", "obj"]),
        ("import math as m\nfrom os import path\nimport xml.dom\nm.sqrt(path.sep, xml)", set(), []),
        ("for name, v in pairs:\n    check(v, name)\nelse:\n    done(name)", set(), ["pairs", "check", "done"]),
        ("with open(fn) as fh:\n    fh.read()", set(), ["fn"]),
        ("try:\n    risky()\nexcept ValueError as err:\n    print(err)", set(), ["risky"]),
        (
            "class C:\n    k = base\n    def m(self):\n        return self.k + extra + k\nC().m()",
            set(),
            ["base", "extra", "k"],
        ),
        (
            "match point:\n    case (px, py):\n        use(px, py)\n    case {'k': kv, **rest}:\n        use(rest)",
            set(),
            ["point", "use"],
        ),
        ("if (n := len(data)) > 0:\n    print(n)", set(), ["data"]),
        ("total: float = subtotal * rate", {"rate"}, ["subtotal"]),
    ],
)
def test_answer_names(source, provided, expected):
    assert answer_names(source, provided) == expected


def test_answer_names_of_real_cells(ps2):
    provided = setup_names(ps2.setup)
    assert {"pd", "data", "sizing", "check_type", "countries", "languages", "users", "revenue"} <= provided
    assert answer_names(ps2.tests["q1_form"], provided) == ["speakers_by_territory"]
    assert answer_names(ps2.tests["q10_value"], provided) == ["most_influential_assumption", "som_swing"]
    source = 'for name, answer in [("a", metric_a), ("b", metric_b)]:\n    check_choice(answer, METRICS)'
    assert answer_names(source, {"check_choice", "METRICS"}) == ["metric_a", "metric_b"]


def test_setup_names():
    cells = [
        "import pandas as pd\nimport os.path\nfrom x import (a, b as c)\nfrom y import *",
        "for identifier, meaning in pairs:\n    print(identifier)\n[q for q in range(3)]\n(w := 1)",
        "def helper():\n    inner = 1\nclass Table:\n    column = 2\nwith open('f') as fh:\n    pass",
        "try:\n    budget = 1\nexcept Exception as err:\n    pass\nxs, *rest = [1, 2]",
    ]
    assert setup_names(cells) == {
        "pd",
        "os",
        "a",
        "c",
        "identifier",
        "meaning",
        "w",
        "helper",
        "Table",
        "fh",
        "budget",
        "err",
        "xs",
        "rest",
    }


# ------------------------------------------------------------------------------------ the worker


def payload(namespace: dict, names: list[str]) -> str:
    return json.dumps(encode_answers(namespace, names))  # JSON text, as the notebook carries it


class Judge:
    def __init__(self, worker: VerdictWorker, assignment, solutions: dict) -> None:
        self.worker, self.provided, self.tests, self.solutions = (
            worker,
            setup_names(assignment.setup),
            assignment.tests,
            solutions,
        )

    def __call__(self, grade_id: str, source: str | None = None, **answers) -> dict:
        source = self.tests[grade_id] if source is None else source
        names = answer_names(source, self.provided)
        namespace = {k: v for k, v in self.solutions.items() if k not in answers.get("drop", ())}
        namespace.update({k: v for k, v in answers.items() if k != "drop"})
        return self.worker.judge(grade_id, source, names, payload(namespace, names))


@pytest.fixture(scope="module")
def ps2_worker(ps2):
    worker = VerdictWorker(timeout=30)
    started = time.perf_counter()
    worker.start(python=PYTHON)
    worker.setup(ps2.setup)
    assert time.perf_counter() - started < 1.0  # start and setup only send: the caller goes on at once
    assert worker.wait_ready()["ok"], worker.wait_ready()
    yield worker
    worker.close()


@pytest.fixture
def judge(ps2_worker, ps2, ps2_solutions):
    return Judge(ps2_worker, ps2, ps2_solutions)


def test_correct_answers_pass_every_ps2_test(judge, ps2):
    verdicts = {grade_id: judge(grade_id) for grade_id in ps2.tests}
    assert {g: v["status"] for g, v in verdicts.items()} == dict.fromkeys(ps2.tests, "pass")
    assert all(v["outputs"] == [] for v in verdicts.values())


def test_a_wrong_answer_fails_with_the_assertion_message_and_only_the_cells_lines(judge, ps2_solutions):
    verdict = judge("q1_value", speakers_by_territory=ps2_solutions["speakers_by_territory"] * 1.1)
    assert verdict["status"] == "fail"
    (error,) = verdict["outputs"]
    assert error["output_type"] == "error" and error["ename"] == "CheckFailed"
    assert error["evalue"].startswith("`the total of speakers_by_territory` =")
    assert "is not the expected value" in verdict["message"]
    text = "\n".join(error["traceback"])
    assert "Cell q1_value, line 5\n    _close(float(speakers_by_territory.sum())" in text
    assert "/" not in text.replace(error["evalue"], "") and ".py" not in text and "verdict_worker" not in text
    percentage = judge("q2_form", online_share=45.0)
    assert percentage["status"] == "fail" and "It looks like a percentage" in percentage["message"]
    wrong_type = judge("q1_form", speakers_by_territory=ps2_solutions["speakers_by_territory"].to_dict())
    assert wrong_type["status"] == "fail" and "should be a Series" in wrong_type["message"]


class MyFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def test_a_refused_answer_is_not_judged(judge):
    verdict = judge("q2_value", online_share=MyFloat(0.5))
    assert verdict["status"] == "refused"
    assert verdict["outputs"] == [
        {
            "output_type": "error",
            "ename": "TypeError",
            "evalue": verdict["message"],
            "traceback": [f"TypeError: {verdict['message']}"],
        }
    ]
    assert verdict["message"] == (
        "`online_share` is a MyFloat, not plain data: store a plain number, string, list, dict or pandas object."
    )


def test_a_missing_answer_fails_with_a_name_error(judge):
    verdict = judge("q2_value", drop=["online_share"])
    assert verdict["status"] == "fail"
    assert verdict["outputs"][0]["ename"] == "NameError"
    assert verdict["outputs"][0]["evalue"] == "name 'online_share' is not defined"


def test_unreadable_answers_are_refused(ps2_worker, ps2):
    verdict = ps2_worker.judge("q2_value", ps2.tests["q2_value"], ["online_share"], "{broken")
    assert verdict["status"] == "refused" and "the answers could not be read" in verdict["message"]


def test_a_test_that_changes_the_tables_does_not_change_the_next_judgement(judge):
    vandal = (
        "countries.drop(columns=['population'], inplace=True)\nusers.loc[:, 'value'] = 0\n"
        "revenue['extra'] = 1\nlanguages.iloc[0, 0] = 'zz'\ndel languages"
    )
    assert judge("vandal", vandal)["status"] == "pass"
    check = (
        "assert 'population' in countries.columns and 'extra' not in revenue.columns\n"
        "assert users['value'].max() > 1e8 and languages.iloc[0, 0] != 'zz'"
    )
    assert judge("check", check)["status"] == "pass"
    assert judge("q1_value")["status"] == "pass"


def test_mutable_setup_values_are_private_to_each_judgement(tmp_path):
    with VerdictWorker() as worker:
        worker.start(python=PYTHON)
        worker.setup(["import pandas as pd\nitems = [1, 2]\nlookup = {'k': [1]}", "table = pd.DataFrame({'a': [1]})"])
        vandal = "items.append(3)\nlookup['k'].append(2)\ntable.loc[0, 'a'] = 9\ntable['b'] = 0"
        assert worker.judge("v", vandal, [], payload({}, []))["status"] == "pass"
        check = "assert items == [1, 2] and lookup == {'k': [1]} and table.to_dict() == {'a': {0: 1}}"
        assert worker.judge("c", check, [], payload({}, []))["status"] == "pass"


def test_stderr_warnings_and_raw_writes_never_reach_the_outputs(judge):
    noisy = textwrap.dedent("""
        import logging, os, sys, warnings
        print('to stderr', file=sys.stderr)
        warnings.warn('careful')
        logging.getLogger('x').error('logged')
        os.write(2, b'fd 2\\n')
        os.write(1, b'fd 1 garbage\\n')
        sys.__stderr__.write('dunder\\n')
        print('hello')
        print(repr(sys.stdin.read()))
    """)
    verdict = judge("noisy", noisy)
    assert verdict["status"] == "pass", verdict
    assert verdict["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "hello\n''\n"}]
    assert judge("q2_value")["status"] == "pass"  # the replies' framing survived
    judge.worker._proc.stdin.write(b"not a request\n{}\n")  # a garbled line gets a reply the client skips
    judge.worker._proc.stdin.flush()
    assert judge("q1_form")["status"] == "pass"
    flood = judge("flood", "for _ in range(100_000):\n    print('x' * 100)")["outputs"][0]["text"]
    assert len(flood) < 100_100 and flood.endswith("(output truncated)\n")


def test_partial_credit_and_grader_errors(judge):
    assert judge("p", "0.5")["outputs"] == [
        {"output_type": "execute_result", "execution_count": None, "metadata": {}, "data": {"text/plain": "0.5"}}
    ]
    assert judge("p", "import numpy as np\nnp.float64(0.25)")["outputs"][0]["data"] == {"text/plain": "0.25"}
    assert judge("p", "True")["outputs"] == [] and judge("p", "'text'")["outputs"] == []
    broken = judge.worker.judge("broken", "assert (", [], payload({}, []))
    assert broken["status"] == "error" and "does not compile" in broken["message"]


def test_the_worker_is_isolated(judge):
    source = textwrap.dedent("""
        import os, sys, matplotlib
        assert sys.flags.isolated and '' not in sys.path
        assert os.listdir('.') == [], os.listdir('.')
        assert matplotlib.get_backend().lower() == 'agg'
        assert 'IPython' not in sys.modules and 'platform_intl.checks' in sys.modules
    """)
    assert judge("isolated", source)["status"] == "pass", judge("isolated", source)


def test_timeouts_crashes_and_restarts(ps2, ps2_solutions):
    worker = VerdictWorker(timeout=1, grace=1)
    worker.start(python=PYTHON)
    worker.setup(ps2.setup)
    judge = Judge(worker, ps2, ps2_solutions)
    try:
        pid = worker._proc.pid
        started = time.perf_counter()
        loop = judge("loop", "while True:\n    pass")
        assert loop["status"] == "error" and "longer than 1 s" in loop["message"]
        assert time.perf_counter() - started < 5 and worker._proc.pid == pid  # stopped inside, not killed
        assert judge("q2_value")["status"] == "pass"
        stubborn = (
            "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass"
        )
        assert judge("stubborn", stubborn)["status"] == "error"  # ignores the soft limit: killed
        assert judge("q2_value")["status"] == "pass" and worker._proc.pid != pid  # restarted, set up again
        crash = judge("crash", "import os\nos._exit(3)")
        assert crash["status"] == "error" and "exit code 3" in crash["message"]
        assert judge("q5_value")["status"] == "pass"
    finally:
        worker.close()
    assert worker._proc is None


def test_a_failing_setup_is_a_grader_error():
    with VerdictWorker() as worker:
        worker.start(python=PYTHON)
        ready = worker.setup(["x = 1", "raise RuntimeError('the data is missing')"], wait=True)
        assert not ready["ok"] and ready["error"] == "setup cell 2 failed: RuntimeError: the data is missing"
        verdict = worker.judge("q", "assert x == 1", [], payload({}, []))
        assert verdict["status"] == "error" and "setup cell 2 failed" in verdict["message"]
    with VerdictWorker() as worker:
        worker.start(python=PYTHON, env={"PATH": "/usr/bin", "PLATFORM_INTL_DATASETS": "/nowhere"})
        ready = worker.setup(["from platform_intl import data\ndata.load('countries')"], wait=True)
        assert not ready["ok"] and "FileNotFoundError" in ready["error"]


def test_timings(ps2, ps2_solutions, capsys):
    """Worker start + ps2 setup, and judging every ps2 test (printed with -s)."""
    started = time.perf_counter()
    worker = VerdictWorker()
    worker.start(python=PYTHON)
    worker.setup(ps2.setup)
    ready = worker.wait_ready()
    ready_after = time.perf_counter() - started
    judge, times = Judge(worker, ps2, ps2_solutions), []
    for grade_id in ps2.tests:
        begun = time.perf_counter()
        assert judge(grade_id)["status"] == "pass"
        times.append(time.perf_counter() - begun)
    worker.close()
    assert ready["ok"] and ready_after < 30
    with capsys.disabled():
        print(
            f"\n[timings] ps2 start+setup {ready_after:.2f} s (setup in worker {ready['seconds']:.2f} s); "
            f"{len(times)} judgements: mean {1000 * sum(times) / len(times):.1f} ms, "
            f"max {1000 * max(times):.1f} ms, total {sum(times):.2f} s"
        )


@pytest.mark.parametrize(
    "name", ["ps0_orientation", "ps1_reading_the_numbers", "ps2_market_sizing", "ps3_localization", "ps4_market_entry"]
)
def test_every_assignment_can_be_graded_this_way(name):
    """Solutions pass every test; tests read only answers (never setup names an answer cell rebinds)."""
    import ast

    from verdict_support import Assignment, cell_kind

    from platform_intl.instructor.verdict_worker import _bindings

    assignment = Assignment(name)
    provided = setup_names(assignment.setup)
    answer_bound = set().union(
        *(_bindings(ast.parse(c.source).body) for c in assignment.nb.cells if cell_kind(c) == "answer")
    )
    for grade_id, source in assignment.tests.items():
        assert set(answer_names(source, provided)) <= answer_bound, grade_id  # no name only a test binds
        assert not set(answer_names(source, set())) & provided & answer_bound, grade_id
    with VerdictWorker() as worker:
        worker.start(python=PYTHON)
        worker.setup(assignment.setup)
        judge = Judge(worker, assignment, assignment.solutions())
        assert {g: judge(g)["status"] for g in assignment.tests} == dict.fromkeys(assignment.tests, "pass")
