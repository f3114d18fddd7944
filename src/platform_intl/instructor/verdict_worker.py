"""The grader's own process, which runs every test (visible and hidden) on the students' answers.

It never runs student code: it runs the course's read-only setup cells once, then for each
test cell binds the answers that :mod:`answers` rebuilt from plain data into a private copy
of the setup namespace and runs the test there. A submission can choose its answers and
nothing else: it cannot patch the checks, the data or the interpreter the tests run in.
A copy per judgement (not one shared namespace) keeps one test's changes to the tables, or
the names it binds, out of the next test; under pandas' copy-on-write the copies cost ~nothing.
One worker can judge every submission of an assignment: nothing a submission sends survives
its judgement.

Run as ``python -I -m <package>.verdict_worker``. JSON lines over stdin/stdout: the worker
moves the real file descriptors 0, 1 and 2 aside at start, so nothing a test prints, reads or
writes (even ``os.write(1, ...)`` or a C library) can corrupt the replies. Requests::

    {"op": "setup", "cells": [source, ...]}                    -> {"ok": true, "names": [...]}
    {"op": "judge", "id": grade_id, "source": test source, "names": [...], "answers": payload,
     "timeout": seconds}      -> {"id", "status": pass|fail|refused|error, "outputs", "message"}
    {"op": "quit"}

``outputs`` are nbformat v4 outputs, never a stderr stream: nbgrader scores any stderr as 0.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import io
import json
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import types
import warnings
from typing import Any, Self

from platform_intl.instructor.answers import Missing, Refused, decode

_BUILTINS = frozenset(dir(builtins))
_MAX_PRINTED = 100_000  # characters of a test's stdout kept in its output
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# ----------------------------------------------------------------- static analysis


def _bound_by(node: ast.AST) -> list[str]:
    """The names one node binds (an assignment target, import, def, except/match capture...)."""
    if isinstance(node, ast.Name):
        return [] if isinstance(node.ctx, ast.Load) else [node.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar, *_SCOPES[:2], ast.ClassDef)):
        return [node.name] if node.name else []
    return [node.rest] if isinstance(node, ast.MatchMapping) and node.rest else []


def _bindings(body: list[ast.AST]) -> set[str]:
    """Every name a scope's own code binds, wherever it stands (nested scopes excluded)."""
    found: set[str] = set()
    todo = list(body)
    while todo:
        node = todo.pop()
        found.update(_bound_by(node))
        if isinstance(node, _SCOPES):
            todo.extend(getattr(node, "decorator_list", []))
        elif isinstance(node, _COMPREHENSIONS):  # only a walrus inside binds out here
            found.update(n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
        else:
            todo.extend(ast.iter_child_nodes(node))
    return found


#: Fields in evaluation order where it differs from the order the ast declares them in.
_ORDER = {
    ast.Assign: ("value", "targets"),
    ast.AugAssign: ("value", "target"),
    ast.AnnAssign: ("value", "annotation", "target"),
    ast.NamedExpr: ("value", "target"),
    ast.For: ("iter", "target", "body", "orelse"),
    ast.AsyncFor: ("iter", "target", "body", "orelse"),
}


class _Reads(ast.NodeVisitor):
    """Names read before this scope binds them, in evaluation order.

    Module and class bodies (and comprehensions) run at once, so binding order counts there.
    A function body runs later: any name bound anywhere in the cell counts as bound.
    """

    def __init__(self, parent: _Reads | None, kind: str, bound: set[str] = frozenset()) -> None:
        self.parent, self.kind, self.bound = parent, kind, set(bound)
        self.needed: list[str] = []
        self.anywhere: set[str] = set()  # module scope: every name the cell binds somewhere

    def need(self, name: str, later: bool = False) -> None:
        hidden = later and self.kind == "class"  # a method does not see its class's names
        if (name in self.bound and not hidden) or (later and name in self.anywhere):
            return
        if self.parent is not None:
            self.parent.need(name, later or self.kind == "function")
        elif name not in self.needed:
            self.needed.append(name)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            self.need(node.target.id)  # `n += 1` reads n first
        for field in _ORDER.get(type(node), node._fields):
            value = getattr(node, field, None)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ast.AST):
                    self.visit(item)
                if isinstance(node, ast.ExceptHandler) and field == "type" and node.name:
                    self.bound.add(node.name)  # bound before the handler's body runs
        self.bound.update(_bound_by(node))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)
        else:
            self.need(node.id)
            if isinstance(node.ctx, ast.Del):
                self.bound.discard(node.id)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self
        while scope.kind == "comprehension":  # a walrus binds in the enclosing scope
            scope = scope.parent
        scope.bound.add(node.target.id)
        self.bound.add(node.target.id)

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        inner = _Reads(self, "comprehension")
        for i, generator in enumerate(node.generators):
            for part in ([generator.iter] if i else []) + [generator.target, *generator.ifs]:
                inner.visit(part)
        for part in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            inner.visit(part)

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for part in args.defaults + [d for d in args.kw_defaults if d] + getattr(node, "decorator_list", []):
            self.visit(part)
        body = node.body if isinstance(node.body, list) else [node.body]
        params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        declared = {n for stmt in body for g in ast.walk(stmt) if isinstance(g, ast.Global) for n in g.names}
        inner = _Reads(self, "function", params | (_bindings(body) - declared))
        for stmt in body:
            inner.visit(stmt)
        self.bound.update(_bound_by(node))

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in node.decorator_list + node.bases + node.keywords:
            self.visit(part)
        inner = _Reads(self, "class")
        for stmt in node.body:
            inner.visit(stmt)
        self.bound.add(node.name)


def answer_names(test_source: str, provided: set[str]) -> list[str]:
    """The names a test cell reads that it does not bind first: the answers to capture.

    ``provided`` are the names the setup cells bind (the grader has its own); builtins are the
    grader's too. Raises ``SyntaxError`` for a cell that is not plain Python.
    """
    tree = ast.parse(test_source)
    reads = _Reads(None, "module")
    reads.anywhere = _bindings(tree.body)
    for stmt in tree.body:
        reads.visit(stmt)
    return [n for n in reads.needed if n not in _BUILTINS and n not in provided]


def setup_names(setup_sources: list[str]) -> set[str]:
    """Names the setup cells bind at top level (statically)."""
    return set().union(*(_bindings(ast.parse(source).body) for source in setup_sources))


# ------------------------------------------------------------------------- worker side


class _Printed(io.StringIO):
    """A test's stdout, kept up to ``_MAX_PRINTED`` characters however much it prints."""

    def write(self, text: str) -> int:
        if self.tell() < _MAX_PRINTED:
            super().write(text[: _MAX_PRINTED - self.tell()])
        return len(text)


class _Timeout(BaseException):
    """The soft time limit: a BaseException, so ``except Exception`` in a test does not stop it."""


_SHARED = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    str,
    bytes,
    int,
    float,
    complex,
    frozenset,
    type(None),
)


def _private(value: Any) -> Any:
    """A copy a test may change without changing the next test's table.

    pandas >= 3 copies on write, so a shallow copy of a frame already isolates it (and costs
    nothing); anything else mutable is deep-copied, and shared only if it cannot be copied.
    """
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=int(pd.__version__.split(".")[0]) < 3)
    if isinstance(value, _SHARED) or (pd is not None and isinstance(value, pd.Index)):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _traceback(error: BaseException, filename: str, label: str, lines: list[str]) -> list[str]:
    """Python's format, keeping only the test cell's own frames: no path of the grader's."""
    shown, tb = ["Traceback (most recent call last):"], error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            text = lines[tb.tb_lineno - 1].strip() if 0 < tb.tb_lineno <= len(lines) else ""
            shown.append(f"  Cell {label}, line {tb.tb_lineno}\n    {text}")
        tb = tb.tb_next
    return [*shown, f"{type(error).__name__}: {error}"]


def _error(ename: str, evalue: str, traceback: list[str] | None = None) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback or [f"{ename}: {evalue}"]}


class _Worker:
    def __init__(self) -> None:
        self.base: dict[str, Any] | None = None
        self.setup_error = "the setup cells were not sent"

    def setup(self, cells: list[str]) -> dict:
        self.base, self.warnings = {"__name__": "__main__", "__builtins__": builtins}, []
        try:
            for i, source in enumerate(cells):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    code = compile(source, f"<setup cell {i + 1}>", "exec")
                    exec(code, self.base)
                self.warnings += [f"setup cell {i + 1}: {w.category.__name__}: {w.message}" for w in caught]
        except BaseException as error:
            self.base = None
            self.setup_error = f"setup cell {i + 1} failed: {type(error).__name__}: {error}"
            detail = "".join(traceback.format_exception(error))[-4000:]
            return {"ok": False, "error": self.setup_error, "traceback": detail}
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        return {
            "ok": True,
            "names": sorted(k for k in self.base if not k.startswith("__")),
            "warnings": self.warnings[:20],
        }

    def judge(self, request: dict) -> dict:
        label, names = str(request.get("id", "test")), [str(n) for n in request.get("names", [])]
        if self.base is None:
            return {"status": "error", "outputs": [], "message": self.setup_error}
        answers = decode(request.get("answers", ""), names)
        refused = [a for a in answers.values() if isinstance(a, Refused)]
        missing = [a for a in answers.values() if isinstance(a, Missing)]
        if refused:
            text = " ".join(a.message() for a in refused)
            return {"status": "refused", "outputs": [_error("TypeError", text)], "message": text}
        if missing:
            text = f"name '{missing[0].name}' is not defined"
            return {"status": "fail", "outputs": [_error("NameError", text)], "message": text}
        filename = f"<test cell {label}>"
        source = str(request.get("source", ""))
        try:
            tree = ast.parse(source, filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            body = compile(tree, filename, "exec")
            tail = compile(ast.Expression(last.value), filename, "eval") if last else None
        except (SyntaxError, ValueError) as error:
            return {"status": "error", "outputs": [], "message": f"the test cell does not compile: {error}"}
        namespace = {key: _private(value) for key, value in self.base.items()}
        namespace.update(answers)
        return self._run(body, tail, namespace, filename, label, source.splitlines(), float(request.get("timeout", 60)))

    def _run(
        self, body: Any, tail: Any, namespace: dict, filename: str, label: str, lines: list[str], timeout: float
    ) -> dict:
        outputs: list[dict] = []
        status, message, result = "pass", "", None
        printed = sys.stdout = _Printed()

        def expire(signum: int, frame: Any) -> None:
            raise _Timeout

        soft = hasattr(signal, "setitimer")  # POSIX; elsewhere only the client's hard limit applies
        if soft:
            previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.01))
        try:
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                exec(body, namespace)
                result = None if tail is None else eval(tail, namespace)
        except _Timeout:
            status, message = "error", f"the test took longer than {timeout:g} s and was stopped"
            outputs.append(_error("TimeoutError", message))
        except BaseException as error:
            status, message = "fail", f"{type(error).__name__}: {error}"
            ename = type(error).__name__
            outputs.append(_error(ename, str(error), _traceback(error, filename, label, lines)))
        finally:
            if soft:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.stdout = io.StringIO()
        text = printed.getvalue()
        if text:
            text += "\n... (output truncated)\n" if len(text) >= _MAX_PRINTED else ""
            outputs.insert(0, {"output_type": "stream", "name": "stdout", "text": text})
        np = sys.modules.get("numpy")
        numbers = (int, float) if np is None else (int, float, np.integer, np.floating)
        if type(result) is not bool and isinstance(result, numbers) and abs(result) < math.inf:
            number = result if type(result) is int else float(result)  # nbgrader's partial credit
            outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": None,
                    "metadata": {},
                    "data": {"text/plain": repr(number)},
                }
            )
        return {"status": status, "outputs": outputs, "message": message}


def main() -> None:
    """Serve requests until ``quit`` or end of input; replies go only to the saved stdout."""
    os.environ["MPLBACKEND"] = "Agg"
    requests, replies = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stderr = io.StringIO()
    worker = _Worker()
    for line in requests:
        started, request = time.perf_counter(), None
        try:
            request = json.loads(line)
            op = request["op"]
            if op == "quit":
                break
            reply = worker.setup(list(request["cells"])) if op == "setup" else worker.judge(request)
        except Exception as error:
            reply = {"ok": False, "status": "error", "outputs": [], "message": f"bad request: {error!r}"}
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        seq = request.get("seq") if isinstance(request, dict) else None
        reply.update(
            seq=seq,
            id=request.get("id") if isinstance(request, dict) else None,
            seconds=round(time.perf_counter() - started, 4),
        )
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


# ------------------------------------------------------------------------- grader side


class VerdictWorker:
    """The grader's handle on one worker process: start early, set up, judge, restart after a failure.

    ``start()`` and ``setup()`` only launch and send, so the worker imports pandas and runs the
    setup cells while the student's kernel runs; ``judge()`` waits for the setup reply first. A
    test that outlives ``timeout`` is stopped inside the worker (soft limit), or the worker is
    killed ``grace`` seconds later; a dead worker is started and set up again at the next call.
    """

    def __init__(self, *, timeout: float = 60.0, setup_timeout: float = 300.0, grace: float = 5.0) -> None:
        self.timeout, self.setup_timeout, self.grace = timeout, setup_timeout, grace
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._seq, self._setup_seq, self._cells, self._ready, self._failed = 0, 0, None, None, None
        self._options: dict = {}
        self._tmp: str | None = None
        self._log: Any = None

    @staticmethod
    def _command(python: str) -> list[str]:
        # -I: no working folder, PYTHONPATH or user site on sys.path, so nothing beside a
        # submission can shadow the course's package in the grader's process.
        return [python, "-I", "-m", "platform_intl.instructor.verdict_worker"]

    def start(self, python: str = sys.executable, env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        """Launch the worker (in an empty temporary folder unless ``cwd``) and return at once."""
        self._kill()
        self._options = {"python": python, "env": env, "cwd": cwd}
        self._tmp = self._tmp or (tempfile.mkdtemp(prefix="verdicts-") if cwd is None else None)
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - its stderr until it moves it; closed in close()
        env = dict(os.environ if env is None else env, MPLBACKEND="Agg")
        command, pipe = self._command(python), subprocess.PIPE
        self._proc = subprocess.Popen(
            command, stdin=pipe, stdout=pipe, stderr=self._log, env=env, cwd=cwd or self._tmp, start_new_session=True
        )
        self._replies = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._replies), daemon=True).start()
        if self._cells is not None:
            self._send_setup()

    @staticmethod
    def _read(stream: Any, replies: queue.Queue) -> None:
        for line in stream:
            with contextlib.suppress(ValueError):
                replies.put(json.loads(line))
        replies.put(None)

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _send(self, request: dict) -> int:
        self._seq += 1
        self._proc.stdin.write(json.dumps(dict(request, seq=self._seq)).encode() + b"\n")
        self._proc.stdin.flush()
        return self._seq

    def _receive(self, seq: int, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._replies.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                self._kill()
                raise TimeoutError from None
            if reply is None:  # the worker closed its replies: it died
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(5)
                code = self._proc.poll()
                self._kill()
                self._log.seek(0)
                tail = self._log.read()[-2000:].decode(errors="replace").strip().splitlines()
                raise ChildProcessError(
                    f"the grading process stopped (exit code {code})" + (f": {tail[-1]}" if tail else "")
                )
            if reply.get("seq") == seq:
                return reply

    def _send_setup(self) -> None:
        try:
            self._ready, self._setup_seq = None, self._send({"op": "setup", "cells": self._cells})
        except OSError as error:  # it died at start: reported by wait_ready()
            self._ready = {"ok": False, "error": f"the grading process did not start: {error}"}

    def setup(self, cells: list[str], *, wait: bool = False) -> dict | None:
        """Send the setup cells now; with ``wait``, return the reply ({"ok": ..., "names" or "error"})."""
        self._cells, self._failed = list(cells), None
        self._send_setup() if self._alive() else self.start(**self._options)
        return self.wait_ready() if wait else None

    def wait_ready(self) -> dict:
        """The setup reply, waiting for it if need be."""
        if self._ready is None:
            try:
                self._ready = self._receive(self._setup_seq, self.setup_timeout)
            except (TimeoutError, ChildProcessError, OSError) as error:
                reason = error or "it took too long"
                self._ready = {"ok": False, "error": f"the grader's setup did not finish: {reason}"}
            if not self._ready.get("ok"):
                self._failed = self._ready  # the same cells would fail again: no restarts for them
        return self._ready

    def judge(
        self, grade_id: str, source: str, names: list[str], payload: Any, *, timeout: float | None = None
    ) -> dict:
        """Run one test cell (hidden tests included) on the answers. Never raises: errors are verdicts."""
        timeout = self.timeout if timeout is None else timeout
        if self._cells is None or self._failed:
            failed = self._failed or {"error": "the grader's setup cells were not sent"}
            return self._verdict(grade_id, failed.get("error", "the grader's setup failed"))
        if not self._alive():
            self.start(**self._options)
        ready = self.wait_ready()
        if not ready.get("ok"):
            return self._verdict(grade_id, ready.get("error", "the grader's setup failed"))
        try:
            seq = self._send(
                {
                    "op": "judge",
                    "id": grade_id,
                    "source": source,
                    "names": list(names),
                    "answers": payload,
                    "timeout": timeout,
                }
            )
            return self._receive(seq, timeout + self.grace)
        except TimeoutError:
            return self._verdict(grade_id, f"the test took longer than {timeout:g} s and was stopped")
        except (ChildProcessError, OSError, TypeError, ValueError) as error:
            self._kill()
            return self._verdict(grade_id, str(error) or "the grading process stopped")

    @staticmethod
    def _verdict(grade_id: str, message: str) -> dict:
        return {"id": grade_id, "status": "error", "outputs": [_error("GraderError", message)], "message": message}

    def _kill(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if hasattr(os, "killpg"):
                    os.killpg(self._proc.pid, signal.SIGKILL)  # its own session: a test's children too
                else:
                    self._proc.kill()
            self._proc.wait()
            self._proc = None
        self._ready = None

    def close(self) -> None:
        """Ask the worker to quit, kill what is left, and remove its working folder."""
        if self._alive():
            with contextlib.suppress(OSError):
                self._send({"op": "quit"})
                self._proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(2)
        self._kill()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    main()
