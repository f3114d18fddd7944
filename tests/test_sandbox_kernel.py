"""The sandboxed kernel under nbclient and nbgrader: honest work, interrupts, limits, teardown."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import nbclient
import pytest
from conftest import ROOT
from nbclient.exceptions import DeadKernelError
from sandbox_support import host_processes, kernels_on_host, notebook, stream_text, wait_until
from traitlets.config import Config

from platform_intl.instructor import sandbox

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_sandbox", "no_kernel_left_behind")]


# One event loop in a thread of its own for every kernel of these tests: asyncio.run() fails
# while another test's loop runs (Playwright's sync API keeps one), and the sandbox ends with
# the thread that started it (PR_SET_PDEATHSIG), so that thread must outlive each kernel.
_LOOP: asyncio.AbstractEventLoop | None = None


def arun(coro):
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
        threading.Thread(target=_LOOP.run_forever, name="sandbox-test-loop", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coro, _LOOP).result()


DATASETS = Path(ROOT / "datasets")


def _run(nb, submission: Path, *, config: dict | None = None, **kw):
    kw.setdefault("timeout", 120)
    client = nbclient.NotebookClient(
        nb,
        kernel_manager_class=sandbox.SandboxedKernelManager,
        config=Config({"SandboxedKernelManager": config or {}}),
        resources={"metadata": {"path": str(submission)}},
        **kw,
    )
    client.execute()
    return nb


def _sandbox_dirs() -> set[str]:
    import tempfile

    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("nbgrader-sandbox-")}


def test_honest_notebook_with_pandas_matplotlib_and_the_course_package(fake_course):
    submission = fake_course["submission"]
    before = sorted(os.listdir(submission))
    dirs_before = _sandbox_dirs()
    nb = notebook(
        "import pandas as pd\ndf = pd.read_csv('data.csv')\nprint(df.users.sum(), list(df.country))",
        "import matplotlib, matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot(df.users)\n"
        "fig.savefig('plot.png')\nprint(matplotlib.get_backend(), __import__('os').path.getsize('plot.png') > 0)",
        "from platform_intl import data\nusers = data.load('platform_users')\nprint(type(users).__name__, len(users) > 0)",
        "import multiprocessing as mp\nwith mp.Pool(2) as pool:\n    print(pool.map(abs, [-1, -2, -3]))",
        "import os\nopen('answer.txt', 'w').write('42')\nprint(sorted(os.listdir('.')))\nprint(open('notes/readme.txt').read())",
        # MPLBACKEND=Agg embeds no figures; a notebook that asks for inline plots gets them
        "%matplotlib inline\nplt.figure(); plt.plot([1, 2, 3]);",
    )
    # The course package finds its datasets through $PLATFORM_INTL_DATASETS (or by looking
    # upwards from the working folder, which in the sandbox is the scratch copy).
    _run(
        nb,
        submission,
        config={"read_only_paths": [str(DATASETS)], "extra_env": {"PLATFORM_INTL_DATASETS": str(DATASETS)}},
    )
    out = [stream_text(c) for c in nb.cells]
    assert out[0].split()[0] == "12"
    assert out[1].split() == ["agg", "True"] or out[1].split() == ["Agg", "True"]
    assert out[2].split() == ["DataFrame", "True"]
    assert out[3].strip() == "[1, 2, 3]"
    assert "answer.txt" in out[4] and "plot.png" in out[4] and "my notes" in out[4]
    assert any("image/png" in o.get("data", {}) for o in nb.cells[5].outputs)
    # The submission on the host is untouched; the scratch copy is gone.
    assert sorted(os.listdir(submission)) == before
    assert _sandbox_dirs() == dirs_before


def test_nbgrader_execute_preprocessor(fake_course):
    from nbgrader.preprocessors import Execute

    nb = notebook("import os, sys\nprint(os.getcwd(), os.getuid() != 0, 'GRADER' in ''.join(os.environ))")
    pre = Execute(kernel_manager_class=sandbox.SandboxedKernelManager, timeout=60)
    nb, _ = pre.preprocess(nb, {"metadata": {"path": str(fake_course["submission"])}})
    assert stream_text(nb.cells[0]).split() == [sandbox.SANDBOX_HOME, "True", "False"]


def test_course_robust_execute(fake_course):
    """The course's RobustExecute (restarts, test protection) with the sandboxed kernel."""
    execution = pytest.importorskip("platform_intl.instructor.execution")
    nb = notebook("x = 1 + 1\nprint(x)", "import os\nos._exit(1)", "print('after restart', x)")
    pre = execution.RobustExecute(kernel_manager_class=sandbox.SandboxedKernelManager, timeout=30, protect_tests=False)
    nb, _ = pre.preprocess(nb, {"metadata": {"path": str(fake_course["submission"])}})
    assert stream_text(nb.cells[0]).strip() == "2"
    assert any(o.get("ename") == "KernelDied" for o in nb.cells[1].outputs)
    assert "after restart 2" in stream_text(nb.cells[2])


def test_interrupt_on_timeout_reaches_the_sandboxed_kernel(fake_course):
    nb = notebook(
        "import subprocess, time\np = subprocess.Popen(['sleep', '60'])\ntime.sleep(60)",
        "print('still alive', p.wait())",
    )
    t0 = time.monotonic()
    _run(nb, fake_course["submission"], timeout=3, interrupt_on_timeout=True, allow_errors=True)
    assert time.monotonic() - t0 < 30
    assert any(o.get("ename") == "KeyboardInterrupt" for o in nb.cells[0].outputs), nb.cells[0].outputs
    # the interrupt went to the kernel's process group: its `sleep 60` child got it too
    assert stream_text(nb.cells[1]).strip() == f"still alive {-signal.SIGINT}"


def test_cpu_limit_kills_the_kernel(fake_course):
    nb = notebook("while True:\n    pass")
    t0 = time.monotonic()
    with pytest.raises(DeadKernelError):
        _run(nb, fake_course["submission"], config={"limits": {"cpu_seconds": 2}})
    assert time.monotonic() - t0 < 30


def _start(**traits) -> tuple[sandbox.SandboxedKernelManager, object]:
    km = sandbox.SandboxedKernelManager(kernel_name="python3", **traits)

    async def go():
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        return kc

    return km, arun(go())


def _execute(kc, code: str) -> str:
    out: list[str] = []

    def hook(msg):
        if msg["header"]["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = arun(kc.execute_interactive(code, timeout=60, output_hook=hook))
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


DAEMON = (
    "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
    "        os.execv('/bin/sleep', ['/bin/sleep', '300'])\n    os._exit(0)\n"
    "import time; time.sleep(0.3); print('started')"
)


@pytest.mark.parametrize("now", [True, False], ids=["kill", "graceful"])
def test_shutdown_ends_every_process_and_removes_the_folders(now):
    km, kc = _start()
    base = km.scratch_dir.parent
    assert _execute(kc, DAEMON).strip() == "started"
    sleepers = [pid for pid, cmd in host_processes("/bin/sleep 300")]
    assert sleepers, "the daemon did not start"
    kc.stop_channels()
    arun(km.shutdown_kernel(now=now))
    assert wait_until(lambda: not host_processes("/bin/sleep 300"), 5)
    assert not kernels_on_host()
    assert not base.exists()


def test_kernel_that_exits_by_itself_takes_its_daemons_along():
    km, kc = _start()
    base = km.scratch_dir.parent
    _execute(kc, DAEMON)
    assert host_processes("/bin/sleep 300")
    kc.execute("import os; os._exit(3)")
    assert wait_until(lambda: not arun(km.is_alive()), 10)
    assert wait_until(lambda: not host_processes("/bin/sleep 300"), 5)
    kc.stop_channels()
    arun(km.shutdown_kernel(now=True))
    assert not base.exists()


def test_restart_keeps_the_scratch_and_gives_a_fresh_sandbox():
    km, kc = _start()
    try:
        _execute(kc, "open('kept.txt', 'w').write('x'); import os; print(os.getpid())")
        arun(km.restart_kernel(now=True))
        arun(kc.wait_for_ready(timeout=60))
        out = _execute(kc, "import os; print(os.path.exists('kept.txt'), sorted(os.listdir('/run/kernel')))")
        exists, *_ = out.split()
        assert exists == "True"
        # after the restart the channel folder is locked again
        out = _execute(kc, "try:\n    open('/run/kernel/x', 'w')\nexcept OSError as e:\n    print(type(e).__name__)")
        assert out.strip() == "PermissionError"
    finally:
        kc.stop_channels()
        arun(km.shutdown_kernel(now=True))


def test_kernel_stdout_goes_to_a_log_not_the_grader_terminal():
    km, kc = _start()
    try:
        out = _execute(
            kc,
            "import os; os.write(1, b'to-fd-1\\n'); os.write(2, b'to-fd-2\\n');"
            "print(os.readlink('/proc/self/fd/0'), os.isatty(1), os.isatty(2))",
        )
        # (ipykernel also copies fd-level output into the cell's output)
        assert [w for w in out.split() if not w.startswith("to-fd")] == ["/dev/null", "False", "False"]
        assert wait_until(lambda: "to-fd-2" in km.kernel_log(), 5)
        assert "to-fd-1" in km.kernel_log()
    finally:
        kc.stop_channels()
        arun(km.shutdown_kernel(now=True))


def test_refuses_to_start_when_the_sandbox_is_unavailable(monkeypatch):
    from platform_intl.instructor.sandbox import kernel

    monkeypatch.setattr(kernel, "sandbox_available", lambda **kw: (False, "no bwrap here"))
    km = sandbox.SandboxedKernelManager(kernel_name="python3")
    with pytest.raises(sandbox.SandboxUnavailable, match="no bwrap here"):
        arun(km.start_kernel())
    assert not kernels_on_host()


def test_two_kernels_side_by_side():
    (km1, kc1), (km2, kc2) = _start(), _start()
    try:
        assert km1.scratch_dir != km2.scratch_dir
        _execute(kc1, "open('mine.txt', 'w').write('1')")
        assert _execute(kc2, "import os; print(os.path.exists('mine.txt'))").strip() == "False"
        assert _execute(kc1, "print(1 + 1)").strip() == "2"
    finally:
        for km, kc in ((km1, kc1), (km2, kc2)):
            kc.stop_channels()
            arun(km.shutdown_kernel(now=True))


def test_a_kernel_that_cannot_start_fails_fast_with_its_log():
    km = sandbox.SandboxedKernelManager(kernel_name="python3", limits={"memory": 32 * 1024**2})

    async def go():
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=30)
        finally:
            kc.stop_channels()

    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="died"):
        arun(go())
    assert time.monotonic() - t0 < 20
    assert "memory" in km.kernel_log().lower() or "Error" in km.kernel_log()
    base = km.scratch_dir.parent
    arun(km.shutdown_kernel(now=True))
    assert not base.exists()


LEAK_MARK = "warm-kernel-leak-5e1b"


def _warm_client(nb, fake_course, config, on_cell_executed):
    return nbclient.NotebookClient(
        nb,
        kernel_manager_class=sandbox.SandboxedKernelManager,
        config=config,
        resources={"metadata": {"path": str(fake_course["submission"])}},
        timeout=120,
        on_cell_executed=on_cell_executed,
    )


def test_warm_kernels_carry_nothing_from_one_student_to_the_next(fake_course):
    """Two submissions, one after the other, forked from the same warm template."""
    templates = []

    def note_template(cell, cell_index, **_):
        templates.append(client.km._sandbox_state.template)

    first = notebook(
        "import os, sys, numpy, pandas, platform_intl.data as data\n"
        "data.SMUGGLED = 'from the first student'\npandas.options.display.max_rows = 3\nleaked_global = 1\n"
        "os.environ['LEAKED'] = '1'\nsys.modules['smuggled_module'] = data\n"
        "for path in ('/tmp/leak', '/dev/shm/leak', 'leak.txt'):\n    open(path, 'w').write('x')\n"
        "print(numpy.random.random(), os.getpid())",
        # A daemon that would wait for the next student (a double fork, its own session).
        "import subprocess\nsubprocess.Popen(['/bin/sh', '-c', "
        f"'exec -a {LEAK_MARK} /bin/sleep 300'], start_new_session=True)\nprint('started')",
    )
    warm = Config({"SandboxedKernelManager": {"warm_wait": 60.0}})  # wait for the template, do not start cold
    client = _warm_client(first, fake_course, warm, note_template)
    client.execute()
    assert wait_until(lambda: not host_processes(LEAK_MARK), 10), "the daemon outlived its kernel"
    second = notebook(
        "import os, sys, numpy, pandas, platform_intl.data as data\n"
        "print(hasattr(data, 'SMUGGLED'), pandas.options.display.max_rows, 'leaked_global' in globals(),\n"
        "      'LEAKED' in os.environ, 'smuggled_module' in sys.modules,\n"
        "      [os.path.exists(p) for p in ('/tmp/leak', '/dev/shm/leak', 'leak.txt')])\n"
        "print(numpy.random.random(), os.getpid())",
        f"print([p for p in os.listdir('/proc') if p.isdigit() and '{LEAK_MARK}' in open(f'/proc/{{p}}/cmdline').read()])",
    )
    client = _warm_client(second, fake_course, warm, note_template)
    client.execute()
    # Both kernels were forked from one template (warm start was on), not started cold.
    assert templates and templates[0] is not None and all(t is templates[0] for t in templates)
    seen = stream_text(second.cells[0]).splitlines()
    assert seen[0] == "False 60 False False False [False, False, False]"
    first_random, first_pid = stream_text(first.cells[0]).split()
    second_random, second_pid = seen[1].split()
    assert first_random != second_random  # the template's random state is not shared
    assert first_pid == second_pid == "2"  # each kernel is PID 2 of a namespace of its own
    assert stream_text(second.cells[1]).strip() == "[]"


def test_a_run_does_not_wait_for_the_warm_template(fake_course):
    """The first kernel of a configuration starts cold while the template starts beside it."""
    config = {"extra_env": {"A_CONFIGURATION_OF_ITS_OWN": "1"}}
    started = []

    def note(cell, cell_index, **_):
        started.append(client.km._sandbox_state.template)

    for wait in (0.0, 60.0):  # the second kernel may wait for the template (not part of its key)
        client = nbclient.NotebookClient(
            notebook("print(6 * 7)"),
            kernel_manager_class=sandbox.SandboxedKernelManager,
            config=Config({"SandboxedKernelManager": {**config, "warm_wait": wait}}),
            resources={"metadata": {"path": str(fake_course["submission"])}},
            timeout=120,
            on_cell_executed=note,
        )
        client.execute()
    assert started[0] is None  # cold: the template was not ready yet
    assert started[1] is not None  # the next kernel of the run is forked from it
