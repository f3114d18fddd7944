"""The bubblewrap command line for one sandboxed kernel, and the folders it binds."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .limits import (
    _ETC_ENTRIES,
    _SANDBOX_DESTS_FORBIDDEN,
    _SANDBOX_LOGIN,
    _SYSTEM_DIRS,
    _SYSTEM_MASKS,
    SANDBOX_CHANNEL,
    SANDBOX_HOME,
    KiB,
    SandboxError,
    SandboxLimits,
    _namespace_args,
    _resolve_user,
    _tool,
    _user_switch,
)
from .pythonenv import PythonEnv, _within


# --------------------------------------------------------------------------- the command
def sandbox_environment(
    limits: SandboxLimits, python_env: PythonEnv, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment of the kernel: nothing from the grader's is passed on."""
    home = SANDBOX_HOME
    threads = str(limits.blas_threads)
    env = {
        "PATH": f"{python_env.bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "USER": _SANDBOX_LOGIN,
        "LOGNAME": _SANDBOX_LOGIN,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "XDG_CONFIG_HOME": f"{home}/.config",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_DATA_HOME": f"{home}/.local/share",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "NUMEXPR_NUM_THREADS": threads,
        "MALLOC_ARENA_MAX": "2",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if python_env.prefix != python_env.base_prefix:
        env["VIRTUAL_ENV"] = str(python_env.prefix)
    for key, value in (extra or {}).items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise SandboxError(f"invalid environment variable name {key!r}")
        env[key] = str(value)
    return env


def _system_mount_args() -> list[str]:
    args: list[str] = []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


class _Layout:
    """Collects the sandbox's mounts and emits them in an order bwrap can apply."""

    def __init__(self) -> None:
        self.ops: list[tuple[str, list[str]]] = []  # (destination, bwrap arguments)
        self.listable: set[str] = set()

    def add(self, dest: str, args: list[str]) -> None:
        self.ops.append((os.path.normpath(dest), args))

    def ro(self, src: Path | str, dest: Path | str | None = None, *, optional: bool = False) -> None:
        dest = str(dest if dest is not None else src)
        self.add(dest, ["--ro-bind-try" if optional else "--ro-bind", str(src), dest])

    def rw(self, src: Path | str, dest: Path | str) -> None:
        self.add(str(dest), ["--bind", str(src), str(dest)])

    def symlink(self, target: str, link: Path | str) -> None:
        self.add(str(link), ["--symlink", target, str(link)])

    def tmpfs(self, dest: str, size: int, perms: str = "0755") -> None:
        self.add(dest, ["--perms", perms, "--size", str(size), "--tmpfs", dest])

    def special(self, dest: str, kind: str) -> None:
        self.add(dest, [kind, dest])

    def emit(self) -> list[str]:
        dests = [d for d, _ in self.ops]
        binds = {d for d, a in self.ops if a[0] not in ("--symlink", "--perms")}  # --perms: a tmpfs
        tmpfs = {d for d, a in self.ops if "--tmpfs" in a}

        def inside(path: str, mounts: set[str]) -> bool:
            return any(path != m and (m == "/" or path.startswith(m + "/")) for m in mounts)

        parents: set[str] = set()
        for d in dests:
            p = os.path.dirname(d)
            while p not in ("/", ""):
                parents.add(p)
                p = os.path.dirname(p)
        ops = list(self.ops)
        for d in parents - set(dests):
            # Folders the binds need. Inside a bound folder they exist already (and it may be read
            # only); inside a tmpfs (a course checked out under /tmp) they are made, after it.
            if inside(d, binds) and not inside(d, tmpfs):
                continue
            ops.append((d, ["--perms", self._dir_mode(d), "--dir", d]))
        # Parents before children (bwrap applies the operations in order); at one depth, the
        # folders before what is mounted into them.
        args: list[str] = []
        for _, op in sorted(ops, key=lambda o: (o[0].count("/"), o[1][-2] != "--dir")):
            args += op
        return args

    def _dir_mode(self, path: str) -> str:
        """Folders the sandbox makes: readable if sys.path lists them or the host's is readable."""
        if path in self.listable:
            return "0755"
        try:
            host = os.stat(path).st_mode
        except OSError:
            return "0755"
        return "0755" if host & stat.S_IROTH else "0711"


def build_command(
    argv: Sequence[str],
    *,
    submission_dir: Path | str | None,
    scratch_dir: Path | str,
    channel_dir: Path | str,
    limits: SandboxLimits,
    python_env: PythonEnv | None = None,
    uid: int | None = None,
    gid: int | None = None,
    read_only_paths: Iterable[Path | str] = (),
    writable_paths: Iterable[tuple[Path | str, str]] = (),
    hidden_paths: Iterable[Path | str] = (),
    extra_env: Mapping[str, str] | None = None,
    template: bool = False,
) -> list[str]:
    """The command line that runs ``argv`` in the sandbox.

    ``scratch_dir`` (made with :func:`prepare_scratch`: a private copy of the submission) is
    the writable working directory and $HOME, at :data:`SANDBOX_HOME`; ``channel_dir`` (made
    with :func:`prepare_channel`) is at :data:`SANDBOX_CHANNEL`. ``submission_dir`` is the
    original submission folder: it is never bound, and the command is refused if any bound
    path would contain it (which would expose the course). ``read_only_paths`` are extra host
    paths shown read-only at the same place (e.g. the course's public datasets);
    ``writable_paths`` are ``(host, inside)`` folders bound writable (tests, special needs);
    ``hidden_paths`` are folders inside bound paths shown empty (e.g. the package's
    ``platform_intl/instructor``, which kernels never import). ``uid``/``gid`` choose the sandbox
    account under a root grader (default
    :func:`default_sandbox_user`). The command needs nothing passed besides its arguments.
    ``template`` runs ``argv`` as the warm template (:mod:`.warm`): root graders only, with the
    capabilities to make each kernel's namespaces; every kernel it forks sets the user and the
    limits itself, so neither setpriv nor prlimit wraps it.
    """
    python_env = python_env or _default_python_env()
    mode, uid, gid = _resolve_user(uid, gid)
    if template and mode != "setpriv":
        raise SandboxError("a warm template needs a root grader (it makes a namespace per kernel)")
    bwrap, prlimit = _tool("bwrap"), _tool("prlimit")
    scratch_dir, channel_dir = Path(scratch_dir).resolve(), Path(channel_dir).resolve()
    for label, folder in (("scratch", scratch_dir), ("channel", channel_dir)):
        if not folder.is_dir():
            raise SandboxError(f"the {label} folder {folder} does not exist (make it with prepare_{label}())")
    if len(str(channel_dir)) + 8 > 100:
        raise SandboxError(f"the channel folder path is too long for unix sockets: {channel_dir}")

    layout = _Layout()
    layout.listable.update(str(p) for p in python_env.listable)
    for arg_pair in _pairs(_system_mount_args()):
        kind, first, second = arg_pair
        if kind == "--symlink":
            layout.symlink(first, second)
        else:
            layout.ro(first, second)
    for rel in _ETC_ENTRIES:
        entry = Path("/etc") / rel
        if os.path.lexists(entry):
            layout.ro(entry, optional=True)
    for name in ("passwd", "group", "hosts"):
        layout.ro(channel_dir / "etc" / name, f"/etc/{name}", optional=True)
    for mask in _SYSTEM_MASKS:
        if os.path.isdir(mask) and not os.path.islink(mask):
            layout.tmpfs(mask, 4 * KiB, "0555")

    bound: list[Path] = []
    for path in python_env.read_only:
        layout.ro(path)
        bound.append(path)
    for target, link in python_env.symlinks:
        layout.symlink(target, link)
    for path in python_env.masked:
        layout.tmpfs(str(path), 4 * KiB, "0555")
    for path in read_only_paths:
        path = Path(path)
        if not path.is_absolute() or not os.path.lexists(path):
            raise SandboxError(f"read-only path {path} must be an existing absolute path")
        _check_destination(str(path))
        layout.ro(path)
        bound.append(path)
    for host, inside in writable_paths:
        host = Path(host)
        if not host.is_dir():
            raise SandboxError(f"writable path {host} must be an existing folder")
        _check_destination(inside)
        layout.rw(host, inside)
        bound.append(host)

    for path in hidden_paths:
        path = Path(path)
        if not path.is_dir() or not any(_within(path, b) and path != b for b in bound):
            raise SandboxError(f"hidden path {path} must be an existing folder inside a bound path")
        layout.tmpfs(str(path), 4 * KiB, "0555")

    # Refuse layouts that would expose the submission's surroundings or other sandboxes.
    guarded = [scratch_dir.parent, channel_dir.parent]
    if submission_dir is not None:
        guarded.append(Path(submission_dir).resolve())
    for path in bound:
        real = Path(os.path.realpath(path))
        for g in guarded:
            if _within(g, real):
                raise SandboxError(f"refusing to bind {path}: it contains {g}")

    layout.rw(scratch_dir, SANDBOX_HOME)
    layout.rw(channel_dir, SANDBOX_CHANNEL)
    layout.special("/proc", "--proc")
    layout.special("/dev", "--dev")
    layout.tmpfs("/tmp", limits.tmp_size, "1777")
    layout.tmpfs("/dev/shm", limits.tmp_size, "1777")

    env = sandbox_environment(limits, python_env, extra_env)
    cmd = [
        bwrap,
        *_namespace_args(mode, template=template),
        *layout.emit(),
        "--remount-ro",
        "/",
        "--chdir",
        SANDBOX_HOME,
        "--clearenv",
    ]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if template:
        return [*cmd, "--", *argv]
    cmd += ["--", *_user_switch(mode, uid, gid), prlimit, *limits.prlimit_args(), "--", *argv]
    return cmd


def _pairs(args: list[str]) -> Iterable[tuple[str, str, str]]:
    for i in range(0, len(args), 3):
        yield args[i], args[i + 1], args[i + 2]


def _check_destination(dest: str) -> None:
    dest = os.path.normpath(dest)
    if not dest.startswith("/") or dest == "/":
        raise SandboxError(f"bad sandbox path {dest!r}")
    for reserved in _SANDBOX_DESTS_FORBIDDEN:
        if reserved == "/tmp" and dest.startswith("/tmp/"):
            # A course (or its environment) checked out under /tmp: its folders are bound read
            # only on top of the sandbox's own /tmp, which is mounted first (parents first).
            continue
        if dest == reserved or dest.startswith(reserved + "/") or reserved.startswith(dest + "/"):
            raise SandboxError(f"{dest} collides with the sandbox's own {reserved}")


_ENV_CACHE: PythonEnv | None = None


def _default_python_env() -> PythonEnv:
    global _ENV_CACHE
    if _ENV_CACHE is None:
        _ENV_CACHE = PythonEnv.discover()
    return _ENV_CACHE


# ------------------------------------------------------------------------------ folders
def prepare_scratch(
    submission_dir: Path | str | None,
    scratch_dir: Path | str,
    *,
    uid: int | None = None,
    gid: int | None = None,
    ignore: Sequence[str] = ("*.ipynb", ".ipynb_checkpoints"),
) -> Path:
    """Make ``scratch_dir`` (must not exist) and copy the submission into it for the sandbox.

    Only folders, regular files and symlinks are copied; symlinks are copied as links, never
    followed (a link to the gradebook stays a dangling link inside the sandbox), and
    set-id bits are dropped. ``ignore`` holds glob patterns of names to leave out (notebooks
    by default: the graded version is sent over the kernel channel, and a notebook file in
    the folder may hold hidden tests). Everything belongs to the sandbox user.
    """
    mode, uid, gid = _resolve_user(uid, gid)
    scratch = Path(scratch_dir)
    scratch.mkdir(mode=0o700)
    if submission_dir is not None:
        source = Path(submission_dir)
        if not source.is_dir():
            raise SandboxError(f"submission folder {source} does not exist")
        if _within(scratch.resolve(), source.resolve()):
            shutil.rmtree(scratch, ignore_errors=True)
            raise SandboxError(f"the submission folder {source} holds the sandbox's own folder {scratch}")
        _copy_tree(source, scratch, tuple(ignore))
    if mode == "setpriv":
        _chown_tree(scratch, uid, gid)
    return scratch


def _copy_tree(source: Path, target: Path, ignore: tuple[str, ...]) -> None:
    with os.scandir(source) as entries:
        for entry in entries:
            if any(fnmatch.fnmatch(entry.name, pattern) for pattern in ignore):
                continue
            dest = target / entry.name
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(entry.path), dest)
            elif stat.S_ISDIR(st.st_mode):
                dest.mkdir(mode=0o700)
                _copy_tree(Path(entry.path), dest, ignore)
            elif stat.S_ISREG(st.st_mode):
                # O_NOFOLLOW: the entry was a regular file when listed; refuse if it changed.
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as src, open(dest, "xb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                os.chmod(dest, (st.st_mode & 0o777) | 0o600)
            # Sockets, FIFOs and device files are not copied.


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


def prepare_channel(channel_dir: Path | str, *, uid: int | None = None, gid: int | None = None) -> Path:
    """Make the channel folder: the kernel creates its sockets there; ``etc/`` holds the
    sandbox's own passwd, group and hosts files (owned by the grader)."""
    mode, uid, gid = _resolve_user(uid, gid)
    channel = Path(channel_dir)
    channel.mkdir(mode=0o700, exist_ok=True)
    etc = channel / "etc"
    etc.mkdir(mode=0o755, exist_ok=True)
    group_name = _SANDBOX_LOGIN
    files = {
        "passwd": (
            f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"{_SANDBOX_LOGIN}:x:{uid}:{gid}:student:{SANDBOX_HOME}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ),
        "group": f"root:x:0:\n{group_name}:x:{gid}:\nnogroup:x:65534:\n",
        "hosts": "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    }
    if uid == 65534:  # the sandbox user is nobody: do not list it twice
        files["passwd"] = files["passwd"].replace("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", "")
    if gid == 65534:
        files["group"] = files["group"].replace("nogroup:x:65534:\n", "")
    for name, text in files.items():
        path = etc / name
        path.write_text(text)
        os.chmod(path, 0o644)
    if mode == "setpriv":
        os.chown(channel, uid, gid)
        os.chmod(channel, 0o700)
    return channel
