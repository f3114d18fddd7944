"""Verdicts decided outside the student's kernel: the kernel only supplies answers.

:class:`VerdictExecute` replaces nbgrader's ``Execute`` at autograde. It runs the
submission's own cells in the student's kernel as usual (with :class:`RobustExecute`'s
timeouts, restarts and output caps), but never a test cell. At each autograded test cell it
asks the kernel for the *values* of the names that cell reads (found statically in the
grader's copy of the cell, see :func:`~.verdict_worker.answer_names`), as plain data
(:mod:`.answers`). The test, hidden parts included, then runs in a separate grader process
(:mod:`.verdict_worker`) that never ran student code and has loaded the course's own data by
running the assignment's read-only set-up cells. Its outputs become the test cell's outputs,
so nbgrader scores them (``SaveAutoGrades``) and records them in the gradebook as always.

What follows: a patched check, a tag, a hook, a shadowing module or an object that claims to
be a number cannot make a test pass, because none of them reaches the grader's process;
hidden tests never enter the kernel, so they cannot be read from memory, ``linecache``,
tracebacks or outputs; expected values are computed from the grader's own tables, so an
answer that changes a loaded table in place changes nothing but itself; and nothing the
kernel prints, on stderr or elsewhere, is part of a verdict.

One grader process serves every submission of a run with the same set-up cells: it holds no
student's data between judgements (each test runs in a private copy of the set-up namespace).
"""

from __future__ import annotations

import atexit
import copy
import hashlib
import json
import os

import nbformat
from jupyter_core.utils import run_sync
from traitlets import Float

from .answers import MIME, capture_code, install_code
from .cells import cell_label, is_read_only_code, is_test_cell
from .execution import RobustExecute
from .sandbox.policy import GradingSandbox, SandboxRefused
from .verdict_worker import VerdictWorker, answer_names, setup_names

#: Grader processes by the hash of their set-up cells, kept for the whole grading run.
_WORKERS: dict[str, VerdictWorker] = {}


def _close_workers() -> None:
    for worker in _WORKERS.values():
        worker.close()
    _WORKERS.clear()


atexit.register(_close_workers)


def grader_worker(setup_sources: list[str], *, timeout: float) -> VerdictWorker:
    """The grader process for these set-up cells: started (and set up) once per grading run."""
    key = hashlib.sha256(json.dumps(setup_sources).encode()).hexdigest()
    worker = _WORKERS.get(key)
    if worker is None:
        for old in _WORKERS.values():  # another assignment: its data is not needed any more
            old.close()
        _WORKERS.clear()
        worker = VerdictWorker(timeout=timeout)
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        worker.start(env=env)
        worker.setup(setup_sources)  # loads pandas and the data while the student's kernel starts
        _WORKERS[key] = worker
    worker.timeout = timeout
    return worker


def answers_payload(outputs) -> object | None:
    """The answers the capture snippet published, or None if it published none."""
    for output in outputs:
        if output.get("output_type") in ("display_data", "execute_result") and MIME in output.get("data", {}):
            return output["data"][MIME]
    return None


class VerdictExecute(RobustExecute):
    """Run the submission in its kernel; judge every test cell in the grader's own process."""

    judge_timeout = Float(60.0, help="Seconds one test cell may run in the grader's process.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # nbgrader's Execute passes its kernel manager as a keyword, so configuration cannot
        # choose it: the grading policy does, and refuses rather than run student code unsafely.
        policy = GradingSandbox(parent=self)
        try:
            self.kernel_manager_class = policy.kernel_manager_class(self.kernel_manager_class)
        except SandboxRefused as refusal:
            self.log.error("%s", refusal)
            raise

    def preprocess(self, nb, resources=None, km=None):
        # The tests never run in the kernel. The in-kernel guard still runs before each capture,
        # as a detector: what a submission changed is noted for the grader, and decides nothing.
        setup = [c.source for c in nb.cells if is_read_only_code(c) and c.source.strip()]
        self._provided = setup_names(setup)
        self._worker = grader_worker(setup, timeout=self.judge_timeout)
        self._verdict_notes: list[tuple] = []
        nb, resources = super().preprocess(nb, resources, km)
        from .notes import add_note

        for note in self._verdict_notes:
            add_note(nb, *note)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell) or not cell.source.strip():
            cell, resources = super().preprocess_cell(cell, resources, index)
            self._note_limits(cell, index)
            return cell, resources
        label = cell_label(cell, index)
        ready = self._worker.wait_ready()
        if not ready.get("ok"):
            # The course's own set-up cells failed in the grader's process: a problem of the
            # course (its data, its configuration), never of the student. Stop loudly.
            raise RuntimeError(f"the grader's run of the set-up cells failed: {ready.get('error', '?')}")
        names = answer_names(cell.source, self._provided)
        probe = copy.deepcopy(cell)
        probe.source = capture_code(names)
        probe.metadata.pop("tags", None)  # nothing may skip the capture
        probe, resources = super().preprocess_cell(probe, resources, index)
        self.nb.cells[index] = cell  # nbclient wrote the probe into the notebook: the test cell goes back
        if index in self._replayable:  # a restart replays the cells above; a capture needs no replay
            self._replayable.remove(index)
        payload = answers_payload(probe.get("outputs", []))
        if payload is None and names:
            payload = {"unreadable": _kernel_error(probe)}
        verdict = self._worker.judge(label, cell.source, names, payload)
        cell.outputs = [nbformat.from_dict(output) for output in verdict.get("outputs", [])]
        cell.execution_count = probe.get("execution_count")
        status = verdict.get("status")
        if status == "refused":
            self._verdict_notes.append(("refused", f"`{label}`: {verdict.get('message', '')}", label))
        elif status == "error":
            self._verdict_notes.append(
                (
                    "verdict",
                    f"`{label}` could not be judged: {verdict.get('message', '')}. It scores 0; review it.",
                    label,
                )
            )
        return cell, resources

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        # Every kernel (a restarted one too) gets the capture program before any cell runs.
        await self._async_hidden(install_code(), timeout=max(30, self.timeout or 30))
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _note_limits(self, cell, index) -> None:
        """Name the sandbox limit a cell ran into (its error says it only in system terms)."""
        limits = (self.config.get("SandboxedKernelManager", {}) or {}).get("limits", {}) or {}
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
            which = None
            if ename == "MemoryError":
                which = f"the memory limit ({_size(limits.get('memory'))} per process)"
            elif ename == "BlockingIOError" or "Resource temporarily unavailable" in evalue:
                which = f"the process limit ({limits.get('processes', '?')} processes)"
            elif "File too large" in evalue:
                which = f"the file-size limit ({_size(limits.get('file_size'))})"
            elif "Too many open files" in evalue:
                which = f"the open-files limit ({limits.get('open_files', '?')})"
            if which:
                label = cell_label(cell, index)
                self._verdict_notes.append(
                    (
                        "limit",
                        f"`{label}` ran into {which} of the grading sandbox ({ename}); the parts that "
                        "depend on it score 0.",
                        label,
                    )
                )
                return

    def output(self, outs, msg, display_id, cell_index):
        # The answers travel as one display message that the output caps must not cut (they
        # would zero an honest answer); the decoder bounds its size. Only the first one counts.
        data = msg.get("content", {}).get("data") or {}
        if MIME in data and msg.get("msg_type") in ("display_data", "execute_result"):
            if any(MIME in (o.get("data") or {}) for o in outs):
                return None
            out = nbformat.v4.new_output("display_data", data={MIME: data[MIME]})
            outs.append(out)
            return out
        return super().output(outs, msg, display_id, cell_index)

    def _replay(self, failed_index) -> bool:
        # Replaying re-runs cells from the notebook, where a test cell holds its hidden tests:
        # never send one to the kernel.
        self._replayable = [i for i in self._replayable if not is_test_cell(self.nb.cells[i])]
        return super()._replay(failed_index)


def _size(value) -> str:
    if not isinstance(value, int):
        return "?"
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= factor:
            return f"{value / factor:g} {unit}"
    return f"{value} bytes"


def _kernel_error(probe) -> str:
    """Why the kernel handed over no answers (what the student's code did to the capture)."""
    for output in probe.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"[:300]
    return "the kernel published no answers"
