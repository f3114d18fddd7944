"""Whether the sandbox can start on this machine, tried for real, and how to fix it when not."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from .command import _system_mount_args
from .limits import SandboxError, _namespace_args, _resolve_user, _tool, _user_switch

# ------------------------------------------------------------------------ availability
_AVAILABLE: dict[tuple[int, int, int], tuple[bool, str]] = {}
_AVAILABLE_LOCK = threading.Lock()


def sandbox_available(*, uid: int | None = None, gid: int | None = None, refresh: bool = False) -> tuple[bool, str]:
    """Try to start ``bwrap ... true`` the way kernels are started; ``(ok, explanation)``.

    The answer is cached per process (``refresh=True`` tries again). When it is ``False`` the
    explanation says what failed and how to fix it; callers must refuse to grade then.
    """
    if not sys.platform.startswith("linux"):
        return False, (
            f"the grading sandbox needs Linux namespaces; {sys.platform} is not supported "
            "(macOS and Windows cannot run it). Grade on a Linux machine or in a Linux VM."
        )
    key = (os.geteuid(), -1 if uid is None else uid, -1 if gid is None else gid)
    with _AVAILABLE_LOCK:
        if not refresh and key in _AVAILABLE:
            return _AVAILABLE[key]
        result = _probe(uid, gid)
        _AVAILABLE[key] = result
        return result


def _probe(uid: int | None, gid: int | None) -> tuple[bool, str]:
    try:
        mode, uid, gid = _resolve_user(uid, gid)
        bwrap = _tool("bwrap")
        prlimit = _tool("prlimit")
        argv = [
            bwrap,
            *_namespace_args(mode),
            *_system_mount_args(),
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--",
            *_user_switch(mode, uid, gid),
            prlimit,
            "--nproc=64",
            "--",
            "true",
        ]
    except SandboxError as error:
        return False, str(error)
    try:
        run = subprocess.run(
            argv, capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"could not run bubblewrap ({bwrap}): {error}"
    if run.returncode != 0:
        return False, _explain_failure(run.stderr.strip() or f"exit status {run.returncode}", mode)
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
    how = (
        f"as uid {uid}:{gid} via setpriv (root grader)"
        if mode == "setpriv"
        else f"in a user namespace as uid {uid} (unprivileged grader)"
    )
    return True, f"{version or 'bubblewrap'} works; kernels run {how}"


def _explain_failure(stderr: str, mode: str) -> str:
    text = f"bubblewrap could not create the sandbox: {stderr}."
    lowered = stderr.lower()
    if mode == "userns" and any(
        s in lowered for s in ("namespace", "uid map", "permission denied", "operation not permitted")
    ):
        text += (
            " Unprivileged user namespaces seem to be disabled. Enable them: "
            "`sysctl -w kernel.unprivileged_userns_clone=1` (Debian kernels before 5.10 / older "
            "distributions), `sysctl -w user.max_user_namespaces=15000` (if it is 0), and on "
            "Ubuntu 23.10+ `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an "
            "AppArmor profile for bwrap; persist them in /etc/sysctl.d/. Or run the grader as root."
        )
    elif "proc" in lowered:
        text += (
            " Mounting a fresh /proc failed, which happens inside containers that mask /proc; "
            "grade on the host or in a VM, or give the container its own unmasked /proc."
        )
    else:
        text += (
            " Inside a container, bubblewrap needs namespace support (e.g. Docker's default "
            "seccomp profile blocks it); grade on the host or in a VM."
        )
    return text
