"""One worker of ``course-admin autograde --jobs N``: nbgrader's autograde, one student at a time.

Run as ``python -m platform_intl.instructor.grading_worker ASSIGNMENT`` in the course root.
It loads the course's configuration as ``nbgrader autograde`` does, once, and keeps what is
costly to start for the whole class: the interpreter and nbgrader itself, the grader's
verdict process (:mod:`.verdicts`) and the warm kernel template (:mod:`.sandbox.warm`).
Every submission still gets its own fresh kernel in the sandbox.

JSON lines on stdin, ``{"student": id, "force": bool}``; one JSON line back per request,
``{"student", "ok", "seconds", "skipped", "log"}``, on the file descriptor that was stdout at
start (fd 1 itself then points at stderr, so nothing else can write into the replies).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import time
import traceback


def _replies():
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grading_worker")
    parser.add_argument("assignment")
    parser.add_argument("--sandbox-uid", type=int, default=None)
    args = parser.parse_args(argv)
    replies = _replies()

    from .gradebook_lock import serialize_sqlite_writes

    serialize_sqlite_writes()
    from nbgrader.apps.autogradeapp import AutogradeApp
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    options = []
    if args.sandbox_uid is not None:
        # Each worker's kernels run as a user of their own: the process limit counts per user,
        # so a fork bomb in one submission cannot starve a kernel of another worker.
        options += [f"--SandboxedKernelManager.sandbox_uid={args.sandbox_uid}"]
        options += [f"--SandboxedKernelManager.sandbox_gid={args.sandbox_uid}"]
    app = AutogradeApp.instance()
    app.initialize([*options])
    app.coursedir.assignment_id = args.assignment
    for line in sys.stdin:
        try:
            request = json.loads(line)
            student, force = str(request["student"]), bool(request.get("force", False))
        except (ValueError, KeyError, TypeError):
            replies.write(json.dumps({"ok": False, "log": f"bad request {line[:200]!r}"}) + "\n")
            continue
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        app.log.addHandler(handler)
        started = time.perf_counter()
        ok = True
        try:
            app.coursedir.student_id = student
            converter = Autograde(coursedir=app.coursedir, parent=app)
            converter.force = force
            converter.start()
        except NbGraderException:
            ok = False
        except Exception:
            ok = False
            buffer.write(traceback.format_exc())
        finally:
            app.log.removeHandler(handler)
        log = buffer.getvalue()
        replies.write(
            json.dumps(
                {
                    "student": student,
                    "ok": ok,
                    "seconds": round(time.perf_counter() - started, 3),
                    "skipped": "Skipping existing assignment" in log,
                    "log": log[-20000:],
                }
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
