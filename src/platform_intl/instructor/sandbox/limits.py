"""What the sandbox is: where things appear inside it, its limits, its user, and whether it can start here."""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KiB, MiB, GiB = 1024, 1024**2, 1024**3

#: Where the scratch folder appears inside the sandbox: working directory and $HOME.
SANDBOX_HOME = "/home/student"
#: Where the channel folder (connection file and ZeroMQ ipc sockets) appears inside.
SANDBOX_CHANNEL = "/run/kernel"
KERNEL_CONNECTION_FILE = f"{SANDBOX_CHANNEL}/kernel.json"
#: Name of the account the sandbox runs as when the grader is root (if it exists).
SANDBOX_ACCOUNT = "nbgrader-sandbox"
_SANDBOX_LOGIN = "student"

# System folders bound read-only (or recreated as the symlinks they are on merged-/usr systems).
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The minimum of /etc: dynamic loader, time zone, fonts, certificates, name service defaults.
_ETC_ENTRIES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "fonts",
    "ssl/certs",
    "ca-certificates.conf",
    "nsswitch.conf",
    "mime.types",
    "alternatives",
)
# Configuration folders inside the bound system tree that a kernel must not read.
_SYSTEM_MASKS = ("/usr/local/etc", "/usr/etc")
# Jupyter/IPython configuration inside a bound Python prefix.
_PREFIX_MASKS = ("etc/jupyter", "etc/ipython")
_SANDBOX_DESTS_FORBIDDEN = ("/proc", "/dev", "/tmp", SANDBOX_HOME, SANDBOX_CHANNEL)


class SandboxError(RuntimeError):
    """The sandbox cannot be set up as asked; nothing was run."""


class SandboxUnavailable(SandboxError):
    """This machine cannot run the sandbox (the message says why and how to fix it)."""


# --------------------------------------------------------------------------------- limits
@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for every process in the sandbox (sizes in bytes).

    ``memory`` is RLIMIT_AS (address space) of each process; ``cpu_seconds`` is RLIMIT_CPU of
    each process (the kernel is killed when it has used that much CPU time over the whole
    notebook); ``processes`` is RLIMIT_NPROC, which counts the threads and processes of the
    sandbox's user (the kernel itself uses about ten threads); ``open_files`` is
    RLIMIT_NOFILE; ``file_size`` is RLIMIT_FSIZE (largest file a process may write);
    ``tmp_size`` caps each of the in-memory ``/tmp`` and ``/dev/shm``; ``blas_threads``
    sets OMP/OpenBLAS/MKL thread counts so numerical libraries stay within ``processes``.
    """

    memory: int = 2 * GiB
    cpu_seconds: int = 120
    processes: int = 64
    open_files: int = 256
    file_size: int = 64 * MiB
    tmp_size: int = 256 * MiB
    blas_threads: int = 1

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"SandboxLimits.{f.name} must be a positive integer, not {value!r}")
        if self.processes < 16:
            raise ValueError("SandboxLimits.processes below 16 leaves too few threads to start a kernel")
        if self.open_files < 64:
            raise ValueError("SandboxLimits.open_files below 64 leaves too few to start a kernel")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SandboxLimits:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown sandbox limits: {', '.join(sorted(unknown))}")
        return cls(**dict(values))

    def rlimits(self) -> dict[str, int]:
        """The same limits as resource-module names, for kernels that set them themselves."""
        return {
            "RLIMIT_AS": self.memory,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_FSIZE": self.file_size,
            "RLIMIT_CORE": 0,
        }

    def prlimit_args(self) -> list[str]:
        """Arguments for prlimit(1): soft and hard limit alike, so they cannot be raised."""
        return [
            f"--as={self.memory}",
            f"--cpu={self.cpu_seconds}",
            f"--nproc={self.processes}",
            f"--nofile={self.open_files}",
            f"--fsize={self.file_size}",
            "--core=0",
        ]


# --------------------------------------------------------------------- python environment


# ------------------------------------------------------------------------------- users
def default_sandbox_user() -> tuple[int, int]:
    """The account the sandbox runs as under a root grader: ``nbgrader-sandbox`` or nobody."""
    for name in (SANDBOX_ACCOUNT, "nobody"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    return 65534, 65534


def _resolve_user(uid: int | None, gid: int | None) -> tuple[str, int, int]:
    """``("setpriv", uid, gid)`` under a root grader, ``("userns", uid, gid)`` otherwise."""
    if os.geteuid() == 0:
        if uid is None:
            uid, default_gid = default_sandbox_user()
            gid = default_gid if gid is None else gid
        if gid is None:
            gid = uid
        if uid == 0 or gid == 0:
            raise SandboxError(
                "refusing to run the sandbox as uid/gid 0: RLIMIT_NPROC does not "
                "apply to root, and root would own the host's files"
            )
        return "setpriv", uid, gid
    me, my_gid = os.getuid(), os.getgid()
    if uid not in (None, me) or gid not in (None, my_gid):
        raise SandboxError(
            f"only a root grader can run the sandbox as another user (asked for {uid}:{gid}, running as {me}:{my_gid})"
        )
    if me == 0:
        raise SandboxError(
            "the grader's real uid is 0 but its effective uid is not; run it as root or as an ordinary user"
        )
    return "userns", me, my_gid


def _tool(name: str) -> str:
    found = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin:" + os.environ.get("PATH", ""))
    if not found:
        raise SandboxUnavailable(_missing_tool_message(name))
    return found


def _missing_tool_message(name: str) -> str:
    if name == "bwrap":
        return (
            "bubblewrap (bwrap) is not installed. Install it: `apt-get install bubblewrap` "
            "(Debian/Ubuntu), `dnf install bubblewrap` (Fedora/RHEL), `pacman -S bubblewrap`."
        )
    return f"{name} is missing: install util-linux (it provides setpriv and prlimit)."


def _namespace_args(mode: str, *, template: bool = False) -> list[str]:
    common = [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
    ]
    if mode == "setpriv":
        # bwrap runs as root without a user namespace. Until setpriv switches to the sandbox
        # user (clearing every capability and the bounding set), only these are kept: setuid,
        # setgid and setpcap for setpriv, dac_read_search for bwrap's chdir into the scratch
        # folder (which belongs to the sandbox user, mode 0700).
        # A warm template (root graders only) also keeps sys_admin: it builds each kernel's own
        # namespaces and mounts before that kernel drops every capability (template_main.py).
        extra = ["--cap-add", "CAP_SYS_ADMIN"] if template else []
        return common + [
            "--cap-drop",
            "ALL",
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "--cap-add",
            "CAP_SETPCAP",
            "--cap-add",
            "CAP_DAC_READ_SEARCH",
            *extra,
        ]
    return ["--unshare-user", "--disable-userns"] + common


def _user_switch(mode: str, uid: int, gid: int) -> list[str]:
    if mode != "setpriv":
        return []
    return [
        _tool("setpriv"),
        f"--reuid={uid}",
        f"--regid={gid}",
        "--clear-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]
