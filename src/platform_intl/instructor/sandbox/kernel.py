"""A jupyter_client kernel manager that starts the kernel inside the sandbox over ipc and tears the namespace down."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Any as AnyTrait
from traitlets import Bool, Dict, Float, Integer, List, Tuple, Unicode, default, validate

from .availability import sandbox_available
from .command import _default_python_env, build_command, prepare_channel, prepare_scratch
from .limits import (
    KERNEL_CONNECTION_FILE,
    SANDBOX_CHANNEL,
    SandboxError,
    SandboxLimits,
    SandboxUnavailable,
    _resolve_user,
)
from .pythonenv import PythonEnv
from .warm import DEFAULT_WARM_IMPORTS, WarmTemplate, _children, template_for


# ------------------------------------------------------------------------ kernel manager
@dataclass
class _SandboxState:
    base: Path
    scratch: Path
    channel: Path
    mode: str
    uid: int
    gid: int
    submission: Path | None
    template: WarmTemplate | None = None


_LIVE: dict[str, SandboxProvisioner] = {}
_LIVE_LOCK = threading.Lock()


def _cleanup_at_exit() -> None:
    with _LIVE_LOCK:
        provisioners = list(_LIVE.values())
    for prov in provisioners:
        with contextlib.suppress(Exception):
            prov._teardown()
        if prov._state is not None:
            shutil.rmtree(prov._state.base, ignore_errors=True)


atexit.register(_cleanup_at_exit)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


class SandboxProvisioner(LocalProvisioner):
    """Launches the (already wrapped) kernel command and controls the sandbox's processes.

    The Popen child is the outer bwrap; its child, the sandbox's PID 1, leads the process
    group of the kernel and its subprocesses. Interrupts go to that group (PID 1 ignores
    them); kill and terminate SIGKILL PID 1, which ends every process in the namespace.
    """

    _state: _SandboxState | None = None
    _init_pid: int | None = None
    _init_pidfd: int | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        self._state = self.parent._sandbox_state
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        state = self._state
        assert state is not None
        kwargs = dict(kwargs)
        # bwrap itself gets a minimal environment (the sandbox's own is set by --setenv, after
        # --clearenv): the sandbox's PID 1 is a bwrap process, and /proc/1/environ shows its
        # environment.
        kwargs["env"] = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        kwargs["cwd"] = str(state.base)
        kwargs["stdin"] = subprocess.DEVNULL
        # Never the grader's terminal: a process holding a tty can read what is typed there.
        if state.template is not None:
            # Forked from the warm template; the kernel writes its own kernel.log.
            try:
                self.process = state.template.spawn(state.base.name)
            except SandboxError as error:
                self.log.warning("warm kernel failed (%s); starting this one cold", error)
                state.template = None
        if state.template is not None:
            assert self.process is not None
            self.pid, self.pgid, self.cwd = self.process.pid, None, str(state.scratch)
            self._init_pid = None
            self._close_pidfd()
            with _LIVE_LOCK:
                _LIVE[str(state.base)] = self
            return self.connection_info
        log = open(state.base / "kernel.log", "ab")  # noqa: SIM115 (the kernel's for its lifetime)
        kwargs["stdout"] = log
        kwargs["stderr"] = subprocess.STDOUT
        try:
            info = await super().launch_kernel(cmd, **kwargs)
        finally:
            log.close()
        self.pgid = None  # the outer bwrap's group is not the kernel's; see send_signal
        self.cwd = str(state.scratch)
        self._init_pid = None
        self._close_pidfd()
        with _LIVE_LOCK:
            _LIVE[str(state.base)] = self
        return info

    async def post_launch(self, **kwargs: Any) -> None:
        await super().post_launch(**kwargs)
        await self._await_channels()

    # -------------------------------------------------------------- processes
    def _find_init(self) -> int | None:
        """Host PID of the sandbox's PID 1, pinned with a pidfd once found."""
        if self._init_pid is not None:
            return self._init_pid
        if self.process is None or self.process.poll() is not None:
            return None
        for child in _children(self.process.pid):
            if _parent_of(child) == self.process.pid:
                try:
                    fd = os.pidfd_open(child)
                except OSError:
                    continue
                if _parent_of(child) != self.process.pid:  # exited and reused meanwhile
                    os.close(fd)
                    continue
                self._init_pid, self._init_pidfd = child, fd
                return child
        return None

    def _init_alive(self) -> bool:
        if self._init_pidfd is None:
            return False
        try:
            signal.pidfd_send_signal(self._init_pidfd, 0)
            return True
        except OSError:
            return False

    def _close_pidfd(self) -> None:
        if self._init_pidfd is not None:
            os.close(self._init_pidfd)
        self._init_pidfd = None

    def _teardown(self) -> None:
        """SIGKILL the sandbox's PID 1 (the kernel kills the rest of the namespace) and bwrap."""
        self._find_init()
        if self._init_pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._init_pidfd, signal.SIGKILL)
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()

    async def send_signal(self, signum: int) -> None:
        if self.process is None:
            return
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self._teardown()
            return
        init = self._find_init()
        if init is not None and self._init_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(init, signum)  # the kernel and its subprocesses; PID 1 ignores it

    async def kill(self, restart: bool = False) -> None:
        self._teardown()

    async def terminate(self, restart: bool = False) -> None:
        self._teardown()

    async def wait(self) -> int | None:
        ret = await super().wait()
        self._close_pidfd()
        self._init_pid = None
        return ret

    # -------------------------------------------------------------- channels
    def _socket_paths(self) -> list[Path]:
        state = self._state
        assert state is not None
        info = self.connection_info
        ip = info.get("ip") or str(state.channel / "k")
        return [Path(f"{ip}-{info[k]}") for k in ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")]

    async def _await_channels(self) -> None:
        """Wait until the kernel has bound its five sockets (each checked to be a socket).

        Once the kernel has started, :meth:`reclaim_channel` takes the folder back: the sandbox
        user can then no longer add, rename or replace entries in it, so it cannot swap a
        socket for a symlink to some other unix socket of the host that the grader would then
        connect to. (Under an unprivileged grader the kernel has the grader's uid, so this step
        is not possible there.)
        """
        state = self._state
        assert state is not None
        timeout = float(getattr(self.parent, "sandbox_startup_timeout", 60.0))
        deadline = time.monotonic() + timeout
        paths = self._socket_paths()
        delay = 0.002
        while True:
            self._find_init()
            ready = 0
            for p in paths:
                try:
                    mode = p.lstat().st_mode
                except FileNotFoundError:
                    continue
                if not stat.S_ISSOCK(mode):
                    self._teardown()
                    raise SandboxError(f"{p} is not a socket: the kernel tampered with its channel")
                ready += 1
            if ready == len(paths):
                break
            if self.process is None or self.process.poll() is not None:
                return  # the kernel died; jupyter_client reports it the usual way
            if time.monotonic() > deadline:
                self._teardown()
                raise SandboxError(
                    f"the sandboxed kernel did not open its channels within {timeout} s; "
                    f"see {state.base / 'kernel.log'}"
                )
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.005)

    def reclaim_channel(self) -> None:
        """Take the channel folder back from the sandbox user, once the kernel has started.

        Called when the kernel has answered kernel_info (:class:`SandboxKernelClient`): it has
        then finished writing its connection file, which it may replace in the folder just
        after binding its sockets (taking the folder earlier made that fail, now and then).
        """
        state = self._state
        if state is not None and state.mode == "setpriv":
            with contextlib.suppress(FileNotFoundError):
                os.chown(state.channel, os.geteuid(), os.getegid())
                os.chmod(state.channel, 0o755)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        state = self._state
        if state is None:
            return
        if restart:
            # A fresh kernel will bind the same socket names: give the folder back, emptied.
            for p in self._socket_paths():
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            prepare_channel(
                state.channel,
                uid=state.uid if state.mode == "setpriv" else None,
                gid=state.gid if state.mode == "setpriv" else None,
            )
            return
        with _LIVE_LOCK:
            _LIVE.pop(str(state.base), None)
        self._close_pidfd()
        tail = self.log_tail(2000)
        if any(sign in tail for sign in ("Traceback", "Error", "failed")):
            # The folder goes now: keep what the kernel said about its end in the grader's log.
            self.log.warning("the sandboxed kernel's own log ended with:\n%s", tail)
        shutil.rmtree(state.base, ignore_errors=True)
        self.parent._sandbox_state = None
        self._state = None

    def log_tail(self, chars: int = 4000) -> str:
        """The end of what the kernel wrote to stdout/stderr (for reports on dead kernels)."""
        if self._state is None:
            return ""
        try:
            with open(self._state.base / "kernel.log", "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - chars))
                return f.read().decode(errors="replace")
        except OSError:
            return ""


class SandboxKernelClient(AsyncKernelClient):
    """jupyter_client's client, with a start-up handshake that does not idle.

    jupyter_client's ``wait_for_ready`` ends by draining iopub until it has been quiet for
    0.2 s: a fifth of a second per kernel, which is most of a warm kernel's start. Here the
    handshake is the same (a kernel_info reply, and a message on iopub to show it is
    connected), and the drain stops as soon as nothing more is queued.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # iopub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.005)
            except Empty:
                break
        provisioner = getattr(self.parent, "provisioner", None)
        if isinstance(provisioner, SandboxProvisioner):
            provisioner.reclaim_channel()

    wait_for_ready = _async_wait_for_ready


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose ipykernel runs in the bubblewrap sandbox.

    Use it as nbclient's/nbgrader's ``kernel_manager_class``. The working directory that
    nbclient passes (``cwd``, the notebook's folder) is copied into a private scratch folder
    unless ``submission_dir`` names another folder; the kernel talks over ZeroMQ ``ipc``
    sockets in a private channel folder; shutting the kernel down or killing it ends every
    process in the sandbox and deletes both folders.
    """

    limits = AnyTrait(help="SandboxLimits (or a dict of its fields) for the kernel.").tag(config=True)
    submission_dir = Unicode(
        None,
        allow_none=True,
        help=(
            "Folder whose private copy becomes the kernel's working directory; default: the cwd "
            "passed to start_kernel (nbclient passes the notebook's folder)."
        ),
    ).tag(config=True)
    submission_ignore = List(
        Unicode(),
        ["*.ipynb", ".ipynb_checkpoints"],
        help=("Glob patterns of names not copied from the submission folder."),
    ).tag(config=True)
    read_only_paths = List(
        Unicode(),
        [],
        help=(
            "Further host paths the kernel may read, at the same paths (e.g. the course's datasets "
            "folder, which platform_intl.data finds next to the package source)."
        ),
    ).tag(config=True)
    extra_env = Dict(
        value_trait=Unicode(),
        per_key_traits=None,
        default_value={},
        help=("Environment variables added to the sandbox's fixed environment."),
    ).tag(config=True)
    hidden_paths = List(
        Unicode(),
        [],
        help=(
            "Folders inside the visible paths that the kernel sees empty (e.g. the course package's "
            "instructor/ subpackage, which kernels never import)."
        ),
    ).tag(config=True)
    writable_paths = List(
        Tuple(Unicode(), Unicode()),
        [],
        help=(
            "(host folder, path inside) pairs bound writable. Not a config option: for tests and "
            "special setups only; the grader never needs one."
        ),
    )
    sandbox_uid = Integer(
        None,
        allow_none=True,
        help=(
            "Account the sandbox runs as when the grader is root (default: nbgrader-sandbox if it "
            "exists, else nobody). RLIMIT_NPROC counts all processes of this uid: give concurrent "
            "graders different uids."
        ),
    ).tag(config=True)
    sandbox_gid = Integer(None, allow_none=True).tag(config=True)
    sandbox_root = Unicode(
        None,
        allow_none=True,
        help=(
            "Folder in which the per-kernel scratch and channel folders are made (default: the "
            "system's temporary folder)."
        ),
    ).tag(config=True)
    sandbox_startup_timeout = Float(60.0, help=("Seconds the sandboxed kernel may take to open its channels.")).tag(
        config=True
    )
    python_env = AnyTrait(help="PythonEnv to show in the sandbox (default: discovered).")
    warm_start = Bool(
        True,
        help=(
            "Fork each kernel from a warm template that has imported warm_imports (root graders; "
            "each kernel still gets its own namespaces, folders and limits). Off: every kernel "
            "starts a new interpreter."
        ),
    ).tag(config=True)
    warm_wait = Float(
        0.0,
        help=(
            "Seconds a kernel start waits for a warm template that is still starting (the first "
            "one of a run, about 2 s). 0: that kernel starts cold and the template serves the next ones."
        ),
    ).tag(config=True)
    warm_imports = List(
        Unicode(),
        list(DEFAULT_WARM_IMPORTS),
        help="Modules the warm template imports (libraries only: it never runs student code).",
    ).tag(config=True)

    _sandbox_state: _SandboxState | None = None

    @default("client_factory")
    def _client_factory_default(self) -> type:
        return SandboxKernelClient

    @default("limits")
    def _limits_default(self) -> SandboxLimits:
        return SandboxLimits()

    @validate("limits")
    def _validate_limits(self, proposal: Any) -> SandboxLimits:
        value = proposal["value"]
        if isinstance(value, SandboxLimits):
            return value
        if isinstance(value, Mapping):
            return SandboxLimits.from_mapping(value)
        raise ValueError("limits must be a SandboxLimits or a dict of its fields")

    @default("python_env")
    def _python_env_default(self) -> PythonEnv:
        return _default_python_env()

    @property
    def scratch_dir(self) -> Path | None:
        return self._sandbox_state.scratch if self._sandbox_state else None

    @property
    def channel_dir(self) -> Path | None:
        return self._sandbox_state.channel if self._sandbox_state else None

    def kernel_log(self, chars: int = 4000) -> str:
        prov = self.provisioner
        return prov.log_tail(chars) if isinstance(prov, SandboxProvisioner) else ""

    # -------------------------------------------------------------- start
    async def _async_pre_start_kernel(self, **kw: Any):
        ok, reason = sandbox_available(uid=self.sandbox_uid, gid=self.sandbox_gid)
        if not ok:
            raise SandboxUnavailable(reason)
        spec = self.kernel_spec
        if spec is not None and (spec.language or "python").lower() != "python":
            raise SandboxError(f"the sandbox runs Python kernels only, not {spec.language!r}")
        cwd = kw.pop("cwd", None)
        if self._sandbox_state is None:
            self._make_sandbox(self.submission_dir or cwd)
        state = self._sandbox_state
        assert state is not None
        self.transport = "ipc"
        self.ip = str(state.channel / "k")
        self.connection_file = str(state.base / "connection.json")
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
        if self.provisioner is None:
            self.provisioner = SandboxProvisioner(kernel_id=self.kernel_id, kernel_spec=spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    def _template(self, mode: str, uid: int, gid: int) -> WarmTemplate | None:
        """The warm template for this configuration (None: start the kernel cold)."""
        if not self.warm_start or mode != "setpriv":
            return None
        limits: SandboxLimits = self.limits
        key = (
            limits,
            uid,
            gid,
            str(self.python_env.executable),
            tuple(self.read_only_paths),
            tuple(self.hidden_paths),
            tuple(tuple(p) for p in self.writable_paths),
            tuple(sorted(self.extra_env.items())),
            tuple(self.warm_imports),
            self.sandbox_root,
        )
        return template_for(
            key,
            wait=self.warm_wait,
            make=lambda: WarmTemplate(
                limits=limits,
                python_env=self.python_env,
                uid=uid,
                gid=gid,
                read_only_paths=self.read_only_paths,
                hidden_paths=self.hidden_paths,
                writable_paths=self.writable_paths,
                extra_env=self.extra_env,
                imports=self.warm_imports,
                root=self.sandbox_root,
                startup_timeout=self.sandbox_startup_timeout,
            ),
        )

    def _make_sandbox(self, submission: str | os.PathLike | None) -> None:
        mode, uid, gid = _resolve_user(self.sandbox_uid, self.sandbox_gid)
        template = self._template(mode, uid, gid)
        root = str(template.spool) if template is not None else self.sandbox_root
        base = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-", dir=root))
        try:
            os.chmod(base, 0o711)
            switch = (uid, gid) if mode == "setpriv" else (None, None)
            scratch = prepare_scratch(
                submission, base / "home", uid=switch[0], gid=switch[1], ignore=tuple(self.submission_ignore)
            )
            channel = prepare_channel(base / "channel", uid=switch[0], gid=switch[1])
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            raise
        self._sandbox_state = _SandboxState(
            base=base,
            scratch=scratch,
            channel=channel,
            mode=mode,
            uid=uid,
            gid=gid,
            submission=Path(submission) if submission else None,
            template=template,
        )

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The sandboxed ipykernel of this environment (the kernelspec's argv is not used)."""
        state = self._sandbox_state
        assert state is not None
        cfg = json.loads(Path(self.connection_file).read_text())
        cfg["ip"] = f"{SANDBOX_CHANNEL}/k"
        cfg["transport"] = "ipc"
        inside = state.channel / "kernel.json"
        inside.write_text(json.dumps(cfg))
        os.chmod(inside, 0o600)
        if state.mode == "setpriv":
            os.chown(inside, state.uid, state.gid)
        env: PythonEnv = self.python_env
        argv = [str(env.executable), "-m", "ipykernel_launcher", "-f", KERNEL_CONNECTION_FILE, *(extra_arguments or [])]
        return build_command(
            argv,
            submission_dir=state.submission,
            scratch_dir=state.scratch,
            channel_dir=state.channel,
            limits=self.limits,
            python_env=env,
            uid=state.uid if state.mode == "setpriv" else None,
            gid=state.gid if state.mode == "setpriv" else None,
            read_only_paths=self.read_only_paths,
            writable_paths=self.writable_paths,
            hidden_paths=self.hidden_paths,
            extra_env=self.extra_env,
        )

    async def _async_finish_shutdown(
        self, waittime: float | None = None, pollinterval: float = 0.1, restart: bool = False
    ) -> None:
        # jupyter_client polls every 0.1 s for the process to end; bwrap ends a few ms after
        # the kernel, so a finer poll keeps that from costing a whole extra interval.
        await super()._async_finish_shutdown(waittime=waittime, pollinterval=min(pollinterval, 0.01), restart=restart)

    finish_shutdown = _async_finish_shutdown

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._sandbox_state is not None:  # no provisioner ever launched
            shutil.rmtree(self._sandbox_state.base, ignore_errors=True)
            self._sandbox_state = None

    cleanup_resources = _async_cleanup_resources
