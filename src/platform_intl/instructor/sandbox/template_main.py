"""The warm template: a process inside the sandbox that has imported the libraries, and forks kernels.

This file runs inside the template sandbox (the grader passes its source with ``python -c``;
the sandbox hides ``platform_intl/instructor``) and uses the standard library only, until it
imports what it warms. It never runs a student's code. For each kernel it forks a
*supervisor*, which makes the kernel's own namespaces (mounts, PIDs, IPC, network),
binds that kernel's private scratch and channel folders in place of the template's, gives it
fresh ``/tmp``, ``/dev/shm`` and ``/proc``, hides the spool of every other kernel, and forks
the namespace's PID 1, which drops to the sandbox user (no capabilities, no new privileges)
and forks the kernel, which sets the resource limits before ipykernel starts. When the kernel ends, its namespace
ends, and with it every process it started.

Nothing one kernel does reaches the template or the next kernel: memory is copied on write,
files live in the kernel's own folders and tmpfs, and the process tree is its own.

Protocol: the grader writes JSON lines on stdin, ``{"op": "spawn", "id": folder}``; the
template answers on stdout with ``{"pid": n}`` (its own namespace's PID of the supervisor)
or ``{"error": "..."}``. Its first line is ``{"ready": true, ...}`` once warm.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NAME, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 15, 24, 38
#: The forked kernel's process name (its command line is the template's): ``ps`` shows it.
KERNEL_NAME = b"nbgrader-kernel"
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4

SPOOL = "/run/spool"
HOME = "/home/student"
CHANNEL = "/run/kernel"

_libc = ctypes.CDLL(None, use_errno=True)


def _call(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _call(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _prctl(option: int, arg: int, arg3: int = 0) -> None:
    _call(_libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(arg3), 0, 0), f"prctl {option}")


def _clear_capabilities() -> None:
    """capset(2) with empty sets (after setuid the permitted and effective sets are empty already;
    this empties the inheritable set too)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    _call(_libc.capset(ctypes.byref(header), data), "capset")


def _last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 63


def warm(imports: list[str]) -> list[str]:
    """Import the libraries every kernel needs; nothing else (no data, no student)."""
    import importlib

    done = []
    for name in imports:
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception:  # a library this environment lacks: its kernels import it themselves
            continue
    return done


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _reap(signum, frame) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def supervise(folder: str, settings: dict) -> None:
    """In the forked supervisor: the kernel's namespaces and folders, then the kernel as their PID 1."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the template's reaper must not take the kernel's status
    base = f"{SPOOL}/{folder}"
    log = os.open(f"{base}/kernel.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, 65536)
    os.setsid()
    _call(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for source, target in ((f"{base}/home", HOME), (f"{base}/channel", CHANNEL)):
        _mount(source, target, None, MS_BIND)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV)
    size = int(settings["tmp_size"])
    for target in ("/tmp", "/dev/shm"):
        _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    _call(_libc.umount2(SPOOL.encode(), MNT_DETACH), "umount spool")
    init_pid = os.fork()
    if init_pid == 0:
        try:
            run_init(settings)
        except BaseException as error:
            os.write(2, f"warm kernel failed to start: {type(error).__name__}: {error}\n".encode())
        os._exit(70)
    while True:
        try:
            _, status = os.waitpid(init_pid, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _drop_capabilities() -> None:
    for cap in range(_last_capability() + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)


def _become_sandbox_user(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    _drop_capabilities()
    os.setresuid(uid, uid, uid)
    _clear_capabilities()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the change of user, which clears it


def run_init(settings: dict) -> None:
    """PID 1 of the kernel's namespace (as bwrap's own): its /proc, then the kernel as PID 2.

    Init stays the root user without any capability, so the kernel (the sandbox user) can
    neither signal nor trace it; it reaps orphans and ends with the kernel, which ends the
    namespace and every process left in it.
    """
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _call(_libc.sethostname(b"sandbox", 7), "sethostname")
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.setsid()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, signal.SIG_IGN)  # interrupts go to the kernel's group, not to init
    kernel_pid = os.fork()
    if kernel_pid == 0:
        try:
            _become_sandbox_user(int(settings["uid"]), int(settings["gid"]))
            start_kernel(settings)
        except BaseException as error:
            os.write(2, f"warm kernel failed to start: {type(error).__name__}: {error}\n".encode())
            os._exit(70)
        os._exit(0)
    _drop_capabilities()
    _clear_capabilities()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == kernel_pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def start_kernel(settings: dict) -> None:
    """The kernel (PID 2): the limits, a clean environment, then ipykernel."""
    import resource

    _call(_libc.prctl(PR_SET_NAME, ctypes.c_char_p(KERNEL_NAME), 0, 0, 0), "prctl name")
    memory = int(settings["rlimits"].get("RLIMIT_AS", 0))
    in_use = _address_space()
    if memory and in_use >= memory:
        raise MemoryError(
            f"the sandbox's memory limit ({memory // 2**20} MiB) is below what a kernel needs to start "
            f"({in_use // 2**20} MiB of address space with the warm libraries)"
        )
    for name, value in settings["rlimits"].items():
        limit = getattr(resource, name)
        resource.setrlimit(limit, (int(value), int(value)))
    os.chdir(HOME)
    os.environ.clear()
    os.environ.update(settings["env"])
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _reseed()
    sys.argv = ["-m", "-f", f"{CHANNEL}/kernel.json"]
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as ipykernel_launcher does; the kernel's own start-up adds the folder back
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _address_space() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _reseed() -> None:
    """Random state the template had is not shared by its kernels (``random`` reseeds itself)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def main() -> None:
    settings = json.loads(sys.argv[1])
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    imported = warm(settings.get("imports", []))
    import gc

    gc.collect()
    gc.freeze()  # the collector leaves the template's objects alone: fewer pages copied per kernel
    signal.signal(signal.SIGCHLD, _reap)
    answer.write(json.dumps({"ready": True, "imported": imported, "threads": _threads()}) + "\n")
    for line in requests:
        try:
            request = json.loads(line)
        except ValueError:
            answer.write(json.dumps({"error": "unreadable request"}) + "\n")
            continue
        if request.get("op") == "quit":
            break
        folder = str(request.get("id", ""))
        if request.get("op") != "spawn" or not folder or "/" in folder or folder.startswith("."):
            answer.write(json.dumps({"error": f"bad request {request!r}"[:200]}) + "\n")
            continue
        pid = os.fork()
        if pid == 0:
            try:
                supervise(folder, settings)
            except BaseException as error:
                os.write(2, f"warm supervisor failed: {type(error).__name__}: {error}\n".encode())
            os._exit(71)
        answer.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    main()
