"""Grade a class in parallel, resumably: ``course-admin autograde --jobs N``.

N worker processes (:mod:`.grading_worker`) each run nbgrader's autograde for one student at
a time; this process hands out the students, shows the progress, and keeps a journal
(``.course-admin/autograde-<assignment>.jsonl`` in the course root) of what was started and
what finished. The journal is what makes a run safe to kill:

- a student is written as *started* before a worker gets them and as *done* (or *failed*)
  only after the worker has finished: nbgrader has then written the gradebook and the
  autograded folder;
- a student whose last entry is *started* was interrupted (a worker killed, the command
  stopped, the machine restarted). Their gradebook entry may be half-written, so the summary
  shows them as interrupted and ``course-admin feedback`` and ``export`` refuse until a new run
  has graded them again, from scratch (``--force`` for them alone); nobody else is graded twice.

When a worker dies during a run, the student it had is given to a new worker (once more at
most: a submission that kills two workers is reported as failed, with the reason).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL_DIR = ".course-admin"
#: First sandbox uid of the workers' kernels under a root grader (worker k uses base + k).
SANDBOX_UID_BASE = 1_900_000_000
#: A worker that has not answered for this long on one student is stopped and replaced.
SUBMISSION_TIMEOUT_SECONDS = 3600
MAX_ATTEMPTS = 2
#: Last journal events of a student whose grading did not finish (their entry may be half-written).
UNFINISHED = ("started", "interrupted")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------------------ journal
class Journal:
    """Append-only record of one assignment's grading runs (one JSON object per line)."""

    def __init__(self, course_root: Path, assignment: str) -> None:
        self.path = Path(course_root) / JOURNAL_DIR / f"autograde-{assignment}.jsonl"

    def write(self, student: str, event: str, **details) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"student": student, "event": event, "time": time.time(), **details}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut by a crash mid-write
        return out

    def last_events(self) -> dict[str, dict]:
        last: dict[str, dict] = {}
        for entry in self.entries():
            last[str(entry.get("student"))] = entry
        return last

    def interrupted(self) -> list[str]:
        """Students whose grading started and never finished."""
        return sorted(s for s, e in self.last_events().items() if e.get("event") in UNFINISHED)


def interrupted_students(course_root: Path, assignment: str) -> list[str]:
    return Journal(course_root, assignment).interrupted()


# ------------------------------------------------------------------------------ workers
def _die_with_parent() -> None:
    # A worker (and, through bwrap's --die-with-parent, its kernel) ends when this process does.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class _Worker:
    index: int
    proc: subprocess.Popen
    student: str | None = None
    force: bool = False
    since: float = 0.0
    buffer: bytes = b""

    def send(self, student: str, force: bool) -> None:
        assert self.proc.stdin is not None
        self.student, self.force, self.since = student, force, time.monotonic()
        self.proc.stdin.write((json.dumps({"student": student, "force": force}) + "\n").encode())
        self.proc.stdin.flush()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)


@dataclass
class ClassRun:
    """What one run did: per student the outcome, and the worker logs' folder."""

    assignment: str
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # submissions without a notebook
    retried: list[str] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def grade_class(
    course,
    assignment: str,
    students: list[str],
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = SUBMISSION_TIMEOUT_SECONDS,
) -> ClassRun:
    """Autograde ``students`` with ``jobs`` workers; interrupted students are regraded from scratch."""
    from tqdm import tqdm

    journal = Journal(course.root, assignment)
    last = journal.last_events()
    run = ClassRun(assignment=assignment)
    todo: deque[tuple[str, bool]] = deque()
    for student in students:
        folder = Path(course.root) / "submitted" / student / assignment
        if folder.is_dir() and not any(folder.glob("*.ipynb")):
            # Nothing nbgrader could grade (as in a class-wide `nbgrader autograde`, not an
            # error of the run): the summary names it with a note.
            run.empty.append(student)
            continue
        interrupted = last.get(student, {}).get("event") in UNFINISHED
        if interrupted:
            run.resumed.append(student)
        todo.append((student, force or interrupted))
    jobs = max(1, min(jobs or default_jobs(), len(todo) or 1))
    run.jobs = jobs
    logs = journal.path.parent / f"workers-{assignment}"
    logs.mkdir(parents=True, exist_ok=True)
    attempts: dict[str, int] = {}
    started = time.monotonic()
    selector = selectors.DefaultSelector()
    workers: list[_Worker] = []

    def start_worker(index: int) -> _Worker:
        cmd = [sys.executable, "-m", "platform_intl.instructor.grading_worker", assignment]
        if os.geteuid() == 0:
            cmd += ["--sandbox-uid", str(SANDBOX_UID_BASE + index)]
        with open(logs / f"worker-{index}.log", "ab") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=course.root,
                env=course.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                preexec_fn=_die_with_parent,
            )
        worker = _Worker(index, proc)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        selector.register(proc.stdout, selectors.EVENT_READ, worker)
        return worker

    def finish(worker: _Worker, reply: dict | None, reason: str = "") -> None:
        student = worker.student
        assert student is not None
        worker.student = None
        if reply is None:
            attempts[student] = attempts.get(student, 0) + 1
            journal.write(student, "interrupted", reason=reason, worker=worker.index)
            if attempts[student] < MAX_ATTEMPTS:
                run.retried.append(student)
                todo.appendleft((student, True))
                return
            message = f"grading stopped twice ({reason}); run autograde again or grade this submission alone"
            journal.write(student, "failed", message=message)
            run.failed[student] = message
        elif reply.get("ok"):
            journal.write(student, "done", seconds=reply.get("seconds"), skipped=reply.get("skipped", False))
            (run.skipped if reply.get("skipped") else run.graded).append(student)
        else:
            log = str(reply.get("log", ""))
            attempts[student] = attempts.get(student, 0) + 1
            if any(sign in log for sign in _NOT_THE_STUDENTS) and attempts[student] < MAX_ATTEMPTS:
                # The kernel could not start (before any of the student's code ran): once more.
                journal.write(student, "interrupted", reason=_failure_message(log), worker=worker.index)
                run.retried.append(student)
                todo.appendleft((student, True))
                return
            message = _failure_message(log)
            journal.write(student, "failed", message=message, seconds=reply.get("seconds"))
            run.failed[student] = message
            run.logs[student] = log
        bar.update(1)
        bar.set_postfix_str(f"{len(run.failed)} failed" if run.failed else student)

    bar = tqdm(
        total=len(todo), desc=f"autograde {assignment}", unit="submission", disable=not progress, file=sys.stderr
    )
    try:
        workers = [start_worker(i) for i in range(jobs)]
        next_index = jobs
        while todo or any(w.student for w in workers):
            for worker in workers:
                if worker.student is None and todo and worker.proc.poll() is None:
                    student, again = todo.popleft()
                    journal.write(student, "started", worker=worker.index, force=again)
                    worker.send(student, again)
            for key, _ in selector.select(timeout=1.0):
                worker = key.data
                chunk = b""
                with contextlib.suppress(BlockingIOError):
                    chunk = os.read(key.fd, 1 << 20)
                if chunk:
                    worker.buffer += chunk
                    while b"\n" in worker.buffer:
                        line, worker.buffer = worker.buffer.split(b"\n", 1)
                        try:
                            reply = json.loads(line)
                        except ValueError:
                            continue
                        if worker.student is not None:
                            finish(worker, reply)
                    continue
                # End of file: the worker died (killed, out of memory, a crash).
                selector.unregister(key.fileobj)
                code = worker.proc.wait()
                if worker.student is not None:
                    finish(worker, None, reason=f"the grading worker ended with exit code {code}")
                workers.remove(worker)
                if todo:
                    workers.append(start_worker(next_index))  # a new index: a sandbox user of its own
                    next_index += 1
            now = time.monotonic()
            for worker in list(workers):
                if worker.student is not None and now - worker.since > timeout:
                    worker.proc.kill()  # its end of file follows: the student is handed on
    finally:
        bar.close()
        for worker in workers:
            with contextlib.suppress(OSError):
                assert worker.proc.stdin is not None
                worker.proc.stdin.close()
        for worker in workers:
            try:
                worker.proc.wait(30)
            except subprocess.TimeoutExpired:
                worker.stop()
        selector.close()
    run.seconds = time.monotonic() - started
    return run


#: Failures that happen before a student's code runs: worth one more try.
_NOT_THE_STUDENTS = ("Kernel died before replying to kernel_info", "the warm template", "did not open its channels")


def _failure_message(log: str) -> str:
    errors = [line for line in log.splitlines() if line.startswith("[ERROR]")]
    lines = [line for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line and not line.startswith("[ERROR] Please see"):
            return line.strip()[:300]
    return (errors[-1] if errors else "nbgrader could not grade this submission")[:300]
