"""build_command, PythonEnv, the limits (RLIMIT_NPROC as root in particular), sandbox_available."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT

from platform_intl.instructor import sandbox
from platform_intl.instructor.sandbox import availability, command

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_sandbox", "no_kernel_left_behind")]

FORK_LOOP = r"""
import os, sys, time
n, kids = 0, []
try:
    for _ in range(int(sys.argv[1])):   # bounded
        pid = os.fork()
        if pid == 0:
            try:
                time.sleep(20)
            finally:
                os._exit(0)
        kids.append(pid)
except OSError as e:
    print("stopped", e.errno)
print("forks", len(kids), "uid", os.getuid())
for k in kids:
    os.kill(k, 9); os.waitpid(k, 0)
"""


@pytest.fixture
def dirs():
    base = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-test-"))
    os.chmod(base, 0o711)
    sub = base / "submission"
    sub.mkdir()
    (sub / "data.csv").write_text("a\n1\n")
    scratch = sandbox.prepare_scratch(sub, base / "home")
    channel = sandbox.prepare_channel(base / "channel")
    yield {"base": base, "submission": sub, "scratch": scratch, "channel": channel}
    shutil.rmtree(base, ignore_errors=True)


def _run(argv, dirs, limits: sandbox.SandboxLimits | None = None, **kw) -> subprocess.CompletedProcess:
    limits = limits or sandbox.SandboxLimits()
    cmd = sandbox.build_command(
        argv,
        submission_dir=dirs["submission"],
        scratch_dir=dirs["scratch"],
        channel_dir=dirs["channel"],
        limits=limits,
        **kw,
    )
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})


def test_python_env_is_bound_narrowly():
    env = sandbox.PythonEnv.discover()
    bound = {str(p) for p in env.read_only}
    prefix = Path(sys.prefix)
    assert {str(prefix / "bin"), str(prefix / "lib"), str(prefix / "pyvenv.cfg"), sys.base_prefix} <= bound
    for too_wide in (
        str(prefix),
        str(ROOT),
        "/root",
        "/root/.pyenv",
        str(prefix / "jupyter"),
        str(prefix / "etc"),
        str(prefix / "share"),
        str(ROOT / "src"),
    ):
        assert too_wide not in bound
    assert str(ROOT / "src/platform_intl") in bound  # the editable install, narrowly
    assert Path(ROOT / "src") in env.listable
    assert ROOT in env.editable_projects  # reported, never bound
    assert not any(Path(p) == ROOT for p in bound)


def test_command_shape(dirs):
    cmd = sandbox.build_command(
        ["python", "-c", "1"],
        submission_dir=dirs["submission"],
        scratch_dir=dirs["scratch"],
        channel_dir=dirs["channel"],
        limits=sandbox.SandboxLimits(),
    )
    for flag in (
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--proc",
        "--dev",
    ):
        assert flag in cmd
    assert cmd[cmd.index("--chdir") + 1] == sandbox.SANDBOX_HOME
    tail = cmd[cmd.index("--") + 1 :]
    if os.geteuid() == 0:
        assert tail[0].endswith("setpriv") and "--no-new-privs" in tail and "--bounding-set=-all" in tail
    assert any(a.endswith("prlimit") for a in tail) and "--nproc=64" in tail and "--as=2147483648" in tail
    env = {cmd[i + 1]: cmd[i + 2] for i, a in enumerate(cmd) if a == "--setenv"}
    assert env["HOME"] == sandbox.SANDBOX_HOME and env["MPLBACKEND"] == "Agg"
    assert env["PYTHONNOUSERSITE"] == "1" and env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["IPYTHONDIR"].startswith(sandbox.SANDBOX_HOME)
    assert all(v.startswith(sandbox.SANDBOX_HOME) for k, v in env.items() if k.startswith("JUPYTER_") and "/" in v)
    binds = [cmd[i + 1] for i, a in enumerate(cmd) if a in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert str(ROOT) not in binds and "/root" not in binds and "/" not in binds


@pytest.mark.parametrize("bad", [str(ROOT), "/", "/var", "/var/tmp/.."])
def test_refuses_to_bind_a_folder_that_contains_the_submission(bad, tmp_path):
    course = Path(tempfile.mkdtemp(prefix="course-", dir="/var/tmp"))
    try:
        sub = course / "autograded" / "s" / "ps1"
        sub.mkdir(parents=True)
        base = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-test-"))
        scratch = sandbox.prepare_scratch(sub, base / "home")
        channel = sandbox.prepare_channel(base / "channel")
        if bad == str(ROOT):
            sub = Path(ROOT / "assignments/source")  # as if the grader graded the real course
        with pytest.raises(sandbox.SandboxError, match="refusing to bind|collides|bad sandbox path"):
            sandbox.build_command(
                ["true"],
                submission_dir=sub,
                scratch_dir=scratch,
                channel_dir=channel,
                limits=sandbox.SandboxLimits(),
                read_only_paths=[bad],
            )
    finally:
        shutil.rmtree(course, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


def test_hidden_paths_show_empty(dirs):
    pkg = next(p for p in sandbox.PythonEnv.discover().read_only if p.name == "platform_intl")
    code = (
        "import os, platform_intl, importlib.util\n"
        f"print(os.listdir({str(pkg / 'instructor')!r}), importlib.util.find_spec('platform_intl.data') is not None)"
    )
    run = _run([str(sandbox.PythonEnv.discover().executable), "-c", code], dirs, hidden_paths=[pkg / "instructor"])
    assert run.stdout.split() == ["[]", "True"], run.stdout + run.stderr
    with pytest.raises(sandbox.SandboxError, match="inside a bound path"):
        _run(["true"], dirs, hidden_paths=["/var/tmp"])


def test_refuses_the_sandboxes_own_folders(dirs):
    with pytest.raises(sandbox.SandboxError):
        sandbox.build_command(
            ["true"],
            submission_dir=None,
            scratch_dir=dirs["scratch"],
            channel_dir=dirs["channel"],
            limits=sandbox.SandboxLimits(),
            read_only_paths=[tempfile.gettempdir()],
        )


def test_submission_copy_keeps_links_as_links_and_skips_notebooks(tmp_path):
    sub = tmp_path / "sub"
    (sub / "d").mkdir(parents=True)
    (sub / "d" / "x.txt").write_text("x")
    (sub / "ps1.ipynb").write_text("{}")
    (sub / "secret-link").symlink_to("/etc/shadow")
    os.mkfifo(sub / "fifo")
    scratch = sandbox.prepare_scratch(sub, tmp_path / "scratch")
    assert sorted(os.listdir(scratch)) == ["d", "secret-link"]
    assert os.readlink(scratch / "secret-link") == "/etc/shadow"
    if os.geteuid() == 0:
        uid, gid = sandbox.default_sandbox_user()
        assert (scratch / "d" / "x.txt").stat().st_uid == uid


def test_limits_validation():
    with pytest.raises(ValueError):
        sandbox.SandboxLimits(memory=0)
    with pytest.raises(ValueError):
        sandbox.SandboxLimits.from_mapping({"memroy": 1})
    assert sandbox.SandboxLimits.from_mapping({"processes": 32}).processes == 32
    assert sandbox.SandboxLimits() == sandbox.SandboxLimits(
        memory=2 * 1024**3, cpu_seconds=120, processes=64, open_files=256, file_size=64 * 1024**2
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="shows why a root grader must switch uid")
def test_nproc_is_not_enforced_for_root_even_behind_a_uid_mapping(tmp_path):
    """The finding behind setpriv: RLIMIT_NPROC exempts the init user (kernel-side uid 0).

    `bwrap --unshare-user --uid 1000` only maps the uid: outside the namespace it is still root,
    so a fork loop capped at 10 processes runs all 30 forks. setpriv to the sandbox uid stops it."""
    script = tmp_path / "forks.py"
    script.write_text(FORK_LOOP)
    base = [
        "bwrap",
        "--unshare-all",
        "--uid",
        "1000",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/bin",
        "/bin",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--ro-bind",
        sys.base_prefix,
        sys.base_prefix,
        "--ro-bind",
        str(tmp_path),
        "/probe",
    ]
    python = os.path.join(sys.base_prefix, "bin", "python3")
    run = subprocess.run(
        base + ["--", "prlimit", "--nproc=10", "--", python, "/probe/forks.py", "30"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.split()[-3:] == ["30", "uid", "1000"], run.stdout + run.stderr


def test_nproc_is_enforced_in_the_sandbox(dirs):
    script = dirs["scratch"] / "forks.py"
    script.write_text(FORK_LOOP)
    limits = sandbox.SandboxLimits(processes=16)
    run = _run([str(sandbox.PythonEnv.discover().executable), "forks.py", "100"], dirs, limits)
    assert "stopped 11" in run.stdout, run.stdout + run.stderr  # EAGAIN
    forks = int(run.stdout.split("forks")[1].split()[0])
    assert 0 < forks < 16
    assert int(run.stdout.split("uid")[1].split()[0]) != 0


def test_memory_file_size_and_open_files_limits(dirs):
    code = (
        "import resource as r, os\n"
        "print([r.getrlimit(getattr(r, 'RLIMIT_' + n)) for n in ('AS', 'CPU', 'NPROC', 'NOFILE', 'FSIZE', 'CORE')])\n"
        "fds = []\n"
        "try:\n    for _ in range(1000): fds.append(os.open('/dev/null', os.O_RDONLY))\n"
        "except OSError as e: print('nofile', e.errno, len(fds) < 100)\n"
        "try: r.setrlimit(r.RLIMIT_NPROC, (1000, 1000))\nexcept ValueError as e: print('raise refused')\n"
    )
    limits = sandbox.SandboxLimits(memory=512 * 1024**2, cpu_seconds=30, processes=20, open_files=64, file_size=1024**2)
    run = _run([str(sandbox.PythonEnv.discover().executable), "-c", code], dirs, limits)
    lines = run.stdout.splitlines()
    assert lines[0] == str([(512 * 1024**2,) * 2, (30, 30), (20, 20), (64, 64), (1024**2,) * 2, (0, 0)])
    assert lines[1] == "nofile 24 True" and lines[2] == "raise refused", run.stdout + run.stderr


def test_sandbox_available_here():
    ok, reason = sandbox.sandbox_available(refresh=True)
    assert ok, reason
    assert "bubblewrap" in reason


def test_sandbox_available_explains_failures(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    ok, reason = sandbox.sandbox_available(refresh=True)
    assert not ok and "macOS" in reason
    monkeypatch.setattr(sys, "platform", "linux")

    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, path=None: None if name == "bwrap" else real_which(name, path=path)
    )
    ok, reason = sandbox.sandbox_available(refresh=True)
    assert not ok and "apt-get install bubblewrap" in reason

    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace, likely because the kernel "
        "does not allow non-privileged user namespaces.' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(
        shutil, "which", lambda name, path=None: str(fake) if name == "bwrap" else real_which(name, path=path)
    )
    ok, reason = sandbox.sandbox_available(refresh=True)
    assert not ok and "No permissions to create new namespace" in reason
    # the advice for an unprivileged grader
    advice = availability._explain_failure("setting up uid map: Permission denied", "userns")
    assert "kernel.unprivileged_userns_clone=1" in advice and "user.max_user_namespaces" in advice
    monkeypatch.undo()
    assert sandbox.sandbox_available(refresh=True)[0]


USERNS_PROBE = r"""
import ctypes, os, socket, time

print("uid", os.getuid())
libc = ctypes.CDLL(None, use_errno=True)
print("nested userns", libc.unshare(0x10000000), ctypes.get_errno() != 0)   # CLONE_NEWUSER
print("environ of pid 1", sorted(k.split(b"=")[0].decode() for k in open("/proc/1/environ", "rb").read().split(b"\0") if k))
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2); print("tcp connected")
except OSError as e:
    print("tcp", type(e).__name__)
kids = []
try:
    for _ in range(100):
        pid = os.fork()
        if pid == 0:
            try: time.sleep(20)
            finally: os._exit(0)
        kids.append(pid)
except OSError as e:
    print("forks", len(kids), "errno", e.errno)
for k in kids:
    os.kill(k, 9); os.waitpid(k, 0)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to play an unprivileged grader")
def test_unprivileged_grader_mode_uses_a_user_namespace(monkeypatch):
    """What an instructor's own account gets: bwrap makes a user namespace, no setpriv.

    (The course venv cannot run here as another user, its interpreter lives under /root, so
    this runs the system Python.)"""
    uid = 4242
    base = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-userns-"))
    try:
        os.chmod(base, 0o755)
        listener = __import__("socket").create_server(("127.0.0.1", 0))
        monkeypatch.setattr(os, "geteuid", lambda: uid)
        monkeypatch.setattr(os, "getuid", lambda: uid)
        monkeypatch.setattr(os, "getgid", lambda: uid)
        scratch = sandbox.prepare_scratch(None, base / "home")
        channel = sandbox.prepare_channel(base / "channel")
        system_python = sandbox.PythonEnv(
            executable=Path("/usr/bin/python3"), prefix=Path("/usr"), base_prefix=Path("/usr"), read_only=()
        )
        code = f"PORT = {listener.getsockname()[1]}\n" + USERNS_PROBE
        cmd = sandbox.build_command(
            ["/usr/bin/python3", "-c", code],
            submission_dir=None,
            scratch_dir=scratch,
            channel_dir=channel,
            limits=sandbox.SandboxLimits(processes=16),
            python_env=system_python,
        )
        monkeypatch.undo()
        assert "--unshare-user" in cmd and "--disable-userns" in cmd and not any("setpriv" in a for a in cmd)
        for path in (scratch, channel):
            command._chown_tree(path, uid, uid)  # the grader's own folders
        run = subprocess.run(
            ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *cmd],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin"},
        )
        out = run.stdout.splitlines()
        assert out[0] == f"uid {uid}", run.stdout + run.stderr
        assert out[1] == "nested userns -1 True"
        assert out[2] == "environ of pid 1 ['PATH']"  # bwrap's own, minimal, environment
        assert out[3] in ("tcp ConnectionRefusedError", "tcp OSError")
        forks, errno = int(out[4].split()[1]), int(out[4].split()[3])
        assert errno == 11 and 0 < forks < 16
        listener.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
