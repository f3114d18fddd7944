"""Warm kernels: a template process in the sandbox imports the libraries once, and each kernel is forked from it.

A fresh kernel costs a new interpreter, ipykernel, pandas and matplotlib: about a second of
CPU before a student's first cell runs. :class:`WarmTemplate` pays that once per grading
process. Each kernel is still a new process with nothing of any other student: it is forked
from a template that has only imported libraries (:mod:`.template_main`), gets namespaces of
its own (mounts, PIDs, IPC, network), its own private copy of the submission, fresh
``/tmp``, ``/dev/shm`` and ``/proc``, and drops to the sandbox user with the same limits as
a cold kernel before ipykernel starts. The template never runs student code and is never
reachable from a kernel (it is outside the kernel's PID namespace, and owned by another user).

Root graders only (the template needs to make namespaces and mounts for each kernel); under
an unprivileged grader, or when the template cannot start, kernels start cold as before.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from .command import build_command, prepare_channel, prepare_scratch, sandbox_environment
from .limits import SandboxError, SandboxLimits, _resolve_user
from .pythonenv import PythonEnv

log = logging.getLogger(__name__)

SPOOL_INSIDE = "/run/spool"
#: The process name of a forked kernel (template_main.KERNEL_NAME), as /proc/<pid>/comm shows it.
WARM_KERNEL_NAME = "nbgrader-kernel"

#: What every kernel of the course imports, loaded once in the template.
DEFAULT_WARM_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.eventloops",
    "ipykernel.debugger",  # debugpy: a fifth of a second, at every kernel start
    "IPython.core.completer",
    "jedi",
    "numpy",
    "pandas",
    # Not pyplot: the inline backend hooks into the shell when pyplot is first imported, and
    # the template has no shell. These are what makes importing pyplot slow.
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.font_manager",
)


class ForkedKernel:
    """A forked kernel's supervisor, as jupyter_client's provisioner sees a ``Popen``.

    ``pid`` is the supervisor's host PID, pinned with a pidfd. The supervisor is a child of
    the template, not of the grader, so its exit is seen through the pidfd.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid, self._pidfd = pid, pidfd
        self.returncode: int | None = None
        self._killed = False

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], 0)
            if ready:
                self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            self._finish()
        return self.returncode if self.returncode is not None else 0

    def _finish(self) -> None:
        self.returncode = -signal.SIGKILL if self._killed else 0
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def send_signal(self, signum: int) -> None:
        if self.returncode is None and self._pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self._killed = True
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.kill()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []


def _ns_pids(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("NSpid:"):
                    return [int(x) for x in line.split()[1:]]
    except (OSError, ValueError):
        pass
    return []


class WarmTemplate:
    """One template sandbox and the spool folder where its kernels' folders are made."""

    def __init__(
        self,
        *,
        limits: SandboxLimits,
        python_env: PythonEnv,
        uid: int | None = None,
        gid: int | None = None,
        read_only_paths: Iterable[str] = (),
        hidden_paths: Iterable[str] = (),
        writable_paths: Iterable[tuple[str, str]] = (),
        extra_env: Mapping[str, str] | None = None,
        imports: Iterable[str] = DEFAULT_WARM_IMPORTS,
        root: str | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        mode, self.uid, self.gid = _resolve_user(uid, gid)
        if mode != "setpriv":
            raise SandboxError("warm kernels need a root grader; kernels start cold")
        self.limits, self.python_env = limits, python_env
        self.base = Path(tempfile.mkdtemp(prefix="nbgrader-template-", dir=root))
        self.spool = self.base / "spool"
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._proc: subprocess.Popen | None = None
        try:
            os.chmod(self.base, 0o711)
            self.spool.mkdir(mode=0o711)
            own = self.base / "template"
            own.mkdir(mode=0o711)
            home = prepare_scratch(None, own / "home", uid=self.uid, gid=self.gid)
            channel = prepare_channel(own / "channel", uid=self.uid, gid=self.gid)
            env = sandbox_environment(limits, python_env, extra_env)
            settings = {
                "imports": list(imports),
                "uid": self.uid,
                "gid": self.gid,
                "rlimits": limits.rlimits(),
                "tmp_size": limits.tmp_size,
                "env": env,
            }
            source = (Path(__file__).with_name("template_main.py")).read_text()
            argv = [str(python_env.executable), "-c", source, json.dumps(settings)]
            cmd = build_command(
                argv,
                submission_dir=None,
                scratch_dir=home,
                channel_dir=channel,
                limits=limits,
                python_env=python_env,
                uid=self.uid,
                gid=self.gid,
                read_only_paths=read_only_paths,
                # Extra writable folders (tests only) are shared by every kernel of the template.
                writable_paths=[(self.spool, SPOOL_INSIDE), *writable_paths],
                hidden_paths=hidden_paths,
                extra_env=extra_env,
                template=True,
            )
            with open(self.base / "template.log", "ab") as errors:
                self._proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
                    cwd=self.base,
                    text=True,
                    bufsize=1,
                )
            ready = self._read(startup_timeout)
            if not ready.get("ready"):
                raise SandboxError(f"the warm template did not start: {ready}")
            if ready.get("threads", 1) != 1:
                raise SandboxError(f"the warm template runs {ready['threads']} threads; forking it is unsafe")
            self.imported = ready.get("imported", [])
            self.host_pid = self._template_pid()
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)

    def _read(self, timeout: float) -> dict:
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline() if ready else ""
        if not line:
            raise SandboxError(
                f"the warm template stopped answering; see {self.base / 'template.log'}: {self.log_tail()}"
            )
        return json.loads(line)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return (self.base / "template.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def _template_pid(self) -> int:
        """Host PID of the template: bwrap, then its PID 1, then the template (PID 2 inside)."""
        assert self._proc is not None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for init in _children(self._proc.pid):
                for child in _children(init):
                    if _ns_pids(child)[-1:] == [2]:
                        return child
            time.sleep(0.005)
        raise SandboxError("could not find the warm template's process")

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def spawn(self, folder: str) -> ForkedKernel:
        """Fork a kernel whose folders are ``spool/<folder>/{home,channel}`` (made by the caller)."""
        with self._lock:
            if not self.alive():
                raise SandboxError(f"the warm template has ended: {self.log_tail()}")
            assert self._proc is not None and self._proc.stdin is not None
            self._proc.stdin.write(json.dumps({"op": "spawn", "id": folder}) + "\n")
            self._proc.stdin.flush()
            answer = self._read(30)
        if "pid" not in answer:
            raise SandboxError(f"the warm template refused a kernel: {answer.get('error', answer)}")
        inner = int(answer["pid"])
        for child in _children(self.host_pid):
            ns = _ns_pids(child)
            if len(ns) >= 2 and ns[1] == inner:
                pidfd = os.pidfd_open(child)
                if child in _children(self.host_pid):  # still the template's, not a reused PID
                    return ForkedKernel(child, pidfd)
                os.close(pidfd)
        raise SandboxError("the forked kernel ended before it could be watched")

    def wait_closed(self) -> None:
        """Block until :meth:`close` (or the end of the template's process)."""
        while not self._closed.wait(1.0):
            if not self.alive():
                return

    def close(self) -> None:
        self._closed.set()
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                proc.stdin.close()
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            if proc.stdout is not None:
                proc.stdout.close()
        shutil.rmtree(self.base, ignore_errors=True)


# ------------------------------------------------------------------- one per configuration
_TEMPLATES: dict[tuple, WarmTemplate] = {}
_STARTING: dict[tuple, threading.Event] = {}
_FAILED: dict[tuple, str] = {}
_REGISTRY_LOCK = threading.Condition()


def template_for(key: tuple, make, *, wait: float = 0.0) -> WarmTemplate | None:
    """The running template for this configuration, or None: start this kernel cold.

    The first call starts the template in the background (about 2 s of imports) and returns
    None unless the template is ready within ``wait`` seconds, so a run that grades a single
    submission does not wait for a template it would use once. A template that cannot start
    is not tried again (a warning says why); kernels then start cold.
    """
    deadline = time.monotonic() + wait
    with _REGISTRY_LOCK:
        while True:
            if key in _FAILED:
                return None
            template = _TEMPLATES.get(key)
            if template is not None and template.alive():
                return template
            if key not in _STARTING:
                _STARTING[key] = threading.Event()
                # The thread lives as long as the template: bwrap's --die-with-parent ends the
                # sandbox when the thread that started it ends.
                threading.Thread(target=_keep, args=(key, make), name="warm-template", daemon=True).start()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            _REGISTRY_LOCK.wait(remaining)


def _keep(key: tuple, make) -> None:
    try:
        template = make()
    except (SandboxError, OSError) as error:
        log.warning("warm kernels are off, kernels start cold: %s", error)
        with _REGISTRY_LOCK:
            _FAILED[key] = str(error)
            _STARTING.pop(key, None)
            _REGISTRY_LOCK.notify_all()
        return
    with _REGISTRY_LOCK:
        _TEMPLATES[key] = template
        done = _STARTING.pop(key)
        _REGISTRY_LOCK.notify_all()
    template.wait_closed()
    done.set()


def close_templates() -> None:
    with _REGISTRY_LOCK:
        templates = list(_TEMPLATES.values())
        _TEMPLATES.clear()
        _FAILED.clear()
    for template in templates:
        template.close()
