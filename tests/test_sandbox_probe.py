"""One sandboxed kernel tries everything a submission must not be able to do; all must fail.

The probe is a notebook run by nbclient. Every attempt appends ``[name, succeeded, detail]``
to a list that its cell prints as JSON; the test asserts that no attack succeeded, then checks
the host side too: nothing written, no daemon left, the per-kernel folders removed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import nbclient
import pytest
from conftest import ROOT
from sandbox_support import host_processes, notebook, stream_text, wait_until
from traitlets import default
from traitlets.config import Config

from platform_intl.instructor import sandbox

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_sandbox", "no_kernel_left_behind")]

MiB = 1024 * 1024
SECRET = "GRADER-SECRET-4f1c9e"
DAEMON_MARK = "sandbox-daemon-marker-7d2a"

PROBE_LIMITS = sandbox.SandboxLimits(
    memory=1024 * MiB, cpu_seconds=60, processes=32, open_files=256, file_size=1 * MiB, tmp_size=16 * MiB
)

HELPERS = r'''
import errno, json, os, signal, socket, sys, time
RESULTS = []
def attempt(name, fn):
    try:
        detail = fn()
        RESULTS.append([name, True, repr(detail)[:300]])
    except BaseException as error:  # MemoryError, OSError, LookupError ...
        RESULTS.append([name, False, f"{type(error).__name__}: {error}"[:300]])
def reveal(found):
    """An attack that lists things succeeds only if it reveals something."""
    if found:
        return found
    raise LookupError("nothing revealed")
def show():
    print("RESULTS " + json.dumps(RESULTS)); RESULTS.clear()
'''

READS = r"""
for rel in FILES:
    attempt(f"read course file {rel}", lambda p=os.path.join(COURSE, rel): open(p, "rb").read(64))
attempt("list course root", lambda: os.listdir(COURSE))
attempt("list submitted/", lambda: os.listdir(os.path.join(COURSE, "submitted")))
attempt("read original submission notebook",
        lambda: open(os.path.join(SUBMISSION, "ps1.ipynb")).read())
attempt("read fake home secret", lambda: open(os.path.join(HOME, "secret.txt")).read())
attempt("read fake home jupyter config", lambda: os.listdir(os.path.join(HOME, ".jupyter")))
attempt("follow submission symlink to gradebook", lambda: open("grades-link", "rb").read(16))
for path in ["/work/main/assignments/nbgrader_config.py", "/work/main/README.md", "/work/main/.git/HEAD",
             "/work/main/pyproject.toml", "/work/main/datasets/countries.csv", "/work/main/tasks.py",
             "/root/.bashrc", "/root/.ssh/authorized_keys", "/root/.gitconfig", "/etc/shadow",
             "/work/main/src/platform_intl.egg-info/PKG-INFO", TESTFILE]:
    attempt(f"read {path}", lambda p=path: open(p, "rb").read(16))
for path in ["/root", "/root/.ssh", "/root/.ipython", "/root/.config", "/work/main/assignments",
             "/work/main/.venv/jupyter", "/work/main/.venv/jupyter/config", "/work/main/.venv/etc/jupyter",
             "/work/main/.venv/share/jupyter", "/work/main/.venv/exchange", "/work/main/.venv/mplconfig",
             "/work/main/.git", "/var", "/opt", "/srv", "/mnt", "/media", "/sys", "/usr/local/etc",
             "/usr/etc", "/etc/jupyter", "/work/scratch"]:
    attempt(f"list {path}", lambda p=path: reveal(os.listdir(p)))
base = sys.base_prefix
attempt("list / beyond the sandbox's own folders", lambda: reveal(sorted(set(os.listdir("/")) - {
    "bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "run", "sbin", "tmp", "usr",
    "outbox", *ENV_TOPS})))  # outbox: this test's own writable folder; ENV_TOPS: where the Python env is
attempt("list /root/.pyenv beyond versions/", lambda: reveal(sorted(set(os.listdir("/root/.pyenv")) - {"versions"})))
attempt("list other interpreters", lambda: reveal(sorted(set(os.listdir(os.path.dirname(base))) - {os.path.basename(base)})))
attempt("list /work/main beyond .venv and src", lambda: reveal(sorted(set(os.listdir("/work/main")) - {".venv", "src"})))
attempt("list the venv beyond bin lib pyvenv.cfg", lambda: reveal(sorted(set(os.listdir(sys.prefix)) - {"bin", "lib", "lib64", "pyvenv.cfg"})))
attempt("list src/ beyond the package", lambda: reveal(sorted(set(os.listdir("/work/main/src")) - {"platform_intl"})))
attempt("read host accounts", lambda: reveal([l for l in open("/etc/passwd") if l.split(":")[0] not in ("root", "student", "nobody")]))
show()
"""

WRITES = r"""
def write(path, mode="a"):
    with open(path, mode) as f:
        f.write("x")
    return path
def makedirs_and_write(folder):
    os.makedirs(folder, exist_ok=True)
    return write(os.path.join(folder, "evil.txt"), "w")
attempt("append to gradebook", lambda: write(os.path.join(COURSE, "gradebook.db")))
attempt("create file in course root", lambda: write(os.path.join(COURSE, "evil.txt"), "w"))
attempt("makedirs+write in course source/", lambda: makedirs_and_write(os.path.join(COURSE, "source", "ps1")))
attempt("write into exchange", lambda: makedirs_and_write(os.path.join(COURSE, "exchange", "platform-intl", "outbound")))
attempt("write other student", lambda: makedirs_and_write(os.path.join(COURSE, "submitted", "other_student", "ps1")))
attempt("write fake home", lambda: makedirs_and_write(HOME))
attempt("write original submission", lambda: write(os.path.join(SUBMISSION, "data.csv")))
attempt("write venv site-packages", lambda: write(os.path.join(SITE, "evil.pth"), "w"))
attempt("modify installed module", lambda: write(os.path.join(SITE, "nbgrader", "__init__.py")))
attempt("write package source", lambda: write(os.path.join(PKG, "evil.py"), "w"))
attempt("modify package source", lambda: write(os.path.join(PKG, "__init__.py")))
attempt("write venv bin", lambda: write(os.path.join(sys.prefix, "bin", "evil"), "w"))
attempt("write venv pyvenv.cfg", lambda: write(os.path.join(sys.prefix, "pyvenv.cfg")))
attempt("write base interpreter", lambda: write(os.path.join(sys.base_prefix, "lib", "python3.11", "os.py")))
attempt("write /usr", lambda: write("/usr/lib/evil", "w"))
attempt("write /", lambda: write("/evil", "w"))
attempt("write /etc", lambda: write("/etc/evil", "w"))
attempt("modify /etc/passwd", lambda: write("/etc/passwd"))
attempt("mkdir /work/scratch", lambda: makedirs_and_write("/work/scratch/evil"))
attempt("chmod /root", lambda: os.chmod("/root", 0o755))
attempt("rename a kernel socket", lambda: os.rename("/run/kernel/k-1", "/run/kernel/k-1.x"))
attempt("replace a kernel socket", lambda: os.unlink("/run/kernel/k-2"))
attempt("create in channel folder", lambda: write("/run/kernel/evil", "w"))
attempt("become root", lambda: os.setuid(0))
attempt("keep capabilities", lambda: reveal([l for l in open("/proc/self/status") if l.startswith(("CapEff", "CapPrm", "CapAmb")) and int(l.split()[1], 16)]))
attempt("no_new_privs off", lambda: reveal([l for l in open("/proc/self/status") if l.startswith("NoNewPrivs") and l.split()[1] != "1"]))
show()
"""

PROC_ENV = r"""
attempt("read /proc/1/environ", lambda: open("/proc/1/environ", "rb").read())
attempt("read grader cwd", lambda: os.readlink(f"/proc/{GRADER_PID}/cwd"))
attempt("read grader environ", lambda: open(f"/proc/{GRADER_PID}/environ", "rb").read())
attempt("see grader pid", lambda: reveal(str(GRADER_PID) in os.listdir("/proc")))
attempt("read env var", lambda: os.environ["GRADER_SECRET"])
def secret_in_proc():
    hits = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        for what in ("environ", "cmdline"):
            try:
                if SECRET.encode() in open(f"/proc/{pid}/{what}", "rb").read():
                    hits.append((pid, what))
            except OSError:
                pass
    return reveal(hits)
attempt("find the secret in /proc", secret_in_proc)
attempt("signal the sandbox init", lambda: os.kill(1, signal.SIGKILL))
def leaked_fds():
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if os.path.isdir(f"/proc/self/fd/{fd}") and not target.startswith(("/home/student", "/proc")):
                out.append((fd, target))
        except OSError:
            pass
    return reveal(out)
attempt("inherited directory fds", leaked_fds)
show()
"""

NETWORK = r"""
attempt("tcp to grader on 127.0.0.1", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=3))
attempt("tcp to grader on host address", lambda: socket.create_connection((HOST_IP, PORT), timeout=3))
attempt("udp to grader", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (HOST_IP, PORT)))
attempt("interfaces besides lo", lambda: reveal([n for _, n in socket.if_nameindex() if n != "lo"]))
attempt("resolve a name", lambda: socket.getaddrinfo("example.com", 443))
show()
"""

# The probe names this checkout, wherever it is cloned (CI clones it elsewhere).
READS, WRITES, PROC_ENV = (s.replace("/work/main", str(ROOT)) for s in (READS, WRITES, PROC_ENV))


DAEMON = r"""
import time
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sh", ["/bin/sh", "-c",
                     "sleep 8; echo alive > /outbox/daemon.txt; echo alive > $HOME/daemon.txt", DAEMON_MARK])
    finally:
        os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.3)
print("daemon started")
"""

RESOURCES = r"""
attempt("allocate 3 GiB", lambda: len(bytearray(3 * 1024**3)))
def many_chunks():
    chunks = []
    for _ in range(6):   # 6 x 512 MiB, bounded
        chunks.append(bytearray(512 * 1024**2))
    return len(chunks)
attempt("allocate 6 x 512 MiB", many_chunks)
attempt("write a 2 MiB file", lambda: open("big.bin", "wb").write(b"\0" * (2 * 1024**2)))
def fill_tmp():
    for i in range(40):   # 40 x 1 MiB into a 16 MiB /tmp, in files below the size limit
        with open(f"/tmp/fill{i}", "wb") as f:
            f.write(b"\0" * (1024**2 - 4096))
    return i
attempt("fill /tmp", fill_tmp)
for i in range(40):
    try: os.unlink(f"/tmp/fill{i}")
    except OSError: pass
def fork_many():
    kids = []
    try:
        for _ in range(200):   # bounded
            child = os.fork()
            if child == 0:
                try:
                    time.sleep(30)
                finally:
                    os._exit(0)
            kids.append(child)
        return len(kids)
    except OSError as error:
        raise OSError(error.errno, f"{error.strerror} after {len(kids)} forks") from None
    finally:
        for child in kids:
            os.kill(child, signal.SIGKILL); os.waitpid(child, 0)
attempt("fork 200 processes", fork_many)
show()
"""

HONEST = r"""
import pandas as pd, matplotlib, matplotlib.pyplot as plt, numpy as np

df = pd.read_csv("data.csv")
df.assign(share=df.users / df.users.sum()).to_csv("out.csv", index=False)
fig, ax = plt.subplots(); ax.bar(df.country, df.users); fig.savefig("chart.png")
open("/tmp/t.txt", "w").write("tmp ok")
print("HONEST " + json.dumps({
    "sum": int(df.users.sum()), "backend": matplotlib.get_backend(),
    "chart": os.path.getsize("chart.png") > 1000, "out": open("out.csv").read().splitlines()[1],
    "notes": open("notes/readme.txt").read().strip(), "tmp": open("/tmp/t.txt").read(),
    "cwd": os.getcwd(), "home": os.path.expanduser("~"), "listing": sorted(os.listdir(".")),
    "grades_link_is_link": os.path.islink("grades-link"), "uid": os.getuid(),
    "matmul": float((np.ones((50, 50)) @ np.ones((50, 50)))[0, 0]),
}))
"""


def _results(nb) -> list[list]:
    out = []
    for cell in nb.cells:
        for line in stream_text(cell).splitlines():
            if line.startswith("RESULTS "):
                out += json.loads(line[len("RESULTS ") :])
    return out


def _host_ip() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing address
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.timeout(240)
@pytest.mark.parametrize("warm", [True, False], ids=["warm-kernel", "cold-kernel"])
def test_probe_every_attempt_fails(fake_course, monkeypatch, warm):
    course, home, outbox = fake_course["course"], fake_course["home"], fake_course["outbox"]
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    monkeypatch.setenv("HOME", str(home))  # the grader's home is the fake one
    # (the grader's own IPython import would make ~/.ipython in it otherwise)
    monkeypatch.setenv("IPYTHONDIR", str(fake_course["root"] / "grader-ipython"))
    env = sandbox.PythonEnv.discover()
    site_packages = next(p for p in env.read_only if p.name == "lib") / "python3.11" / "site-packages"
    pkg = next(p for p in env.read_only if p.name == "platform_intl")
    before_course, before_home = _tree(course), _tree(home)
    # (/work/main is being edited while the tests run: check the probe's targets only)
    before_init = (pkg / "__init__.py").stat().st_mtime_ns

    listener = socket.create_server(("0.0.0.0", 0))
    port = listener.getsockname()[1]
    host_ip = _host_ip()
    socket.create_connection(("127.0.0.1", port), timeout=3).close()  # control: the host can
    listener.accept()[0].close()
    listener.settimeout(0.1)

    params = dict(
        COURSE=str(course),
        HOME=str(home),
        SUBMISSION=str(fake_course["submission"]),
        FILES=sorted(fake_course["files"]),
        GRADER_PID=os.getpid(),
        SECRET=SECRET,
        PORT=port,
        HOST_IP=host_ip,
        SITE=str(site_packages),
        PKG=str(pkg),
        DAEMON_MARK=DAEMON_MARK,
        TESTFILE=__file__,
        # The clone and its .venv may sit anywhere (/work, /tmp, /check): that first folder shows.
        ENV_TOPS=sorted({Path(p).parts[1] for p in (*env.read_only, ROOT) if len(Path(p).parts) > 1}),
    )
    setup = "".join(f"{k} = {v!r}\n" for k, v in params.items()) + HELPERS
    nb = notebook(setup, READS, WRITES, PROC_ENV, NETWORK, RESOURCES, HONEST, DAEMON)

    class ProbeKernelManager(sandbox.SandboxedKernelManager):
        @default("writable_paths")
        def _outbox(self):
            return [(str(outbox), "/outbox")]

    seen: dict[str, object] = {}

    def on_cell_executed(cell, cell_index, execute_reply, **_):
        if DAEMON in cell.source:
            seen["daemon_before"] = host_processes(DAEMON_MARK)
            seen["daemon_started"] = time.monotonic()
            seen["base"] = client.km.scratch_dir.parent
            seen["limits"] = client.km.limits
            seen["template"] = client.km._sandbox_state.template

    # As nbgrader does it: nbclient makes the kernel manager from the class and the config.
    config = Config({"SandboxedKernelManager": {"limits": PROBE_LIMITS, "warm_start": warm, "warm_wait": 60.0}})
    client = nbclient.NotebookClient(
        nb,
        kernel_manager_class=ProbeKernelManager,
        config=config,
        timeout=120,
        on_cell_executed=on_cell_executed,
        resources={"metadata": {"path": str(fake_course["submission"])}},
    )
    client.execute()
    assert seen["limits"] == PROBE_LIMITS
    assert (seen["template"] is not None) == warm  # a forked kernel, or one started cold

    # Nothing connected to the listener from inside.
    try:
        conn, addr = listener.accept()
        pytest.fail(f"the sandbox reached the grader's port from {addr}")
    except TimeoutError:
        pass
    listener.close()

    errors = [c for c in nb.cells for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, [o for c in errors for o in c.outputs]
    results = _results(nb)
    assert len(results) > 90, results
    Path(os.environ.get("SANDBOX_PROBE_REPORT", os.devnull)).write_text(
        "\n".join(f"{name:55s} {'SUCCEEDED' if ok else 'failed'}: {detail}" for name, ok, detail in results)
    )
    probe_bugs = [
        r
        for r in results
        if r[2].startswith(("NameError", "TypeError", "AttributeError", "SyntaxError", "UnboundLocalError"))
    ]
    assert not probe_bugs, probe_bugs
    succeeded = [r for r in results if r[1]]
    assert not succeeded, "attempts that should have failed:\n" + "\n".join(map(str, succeeded))

    by_name = {name: detail for name, _, detail in results}
    assert "MemoryError" in by_name["allocate 3 GiB"]
    assert "MemoryError" in by_name["allocate 6 x 512 MiB"]
    assert "File too large" in by_name["write a 2 MiB file"]
    assert "No space left" in by_name["fill /tmp"]
    forks = by_name["fork 200 processes"]
    assert "Resource temporarily unavailable" in forks, forks
    assert int(forks.split(" after ")[1].split()[0]) < PROBE_LIMITS.processes
    assert "Network is unreachable" in by_name["tcp to grader on host address"]
    assert "PermissionError" in by_name["list /root"]

    honest = next(
        json.loads(line[len("HONEST ") :])
        for c in nb.cells
        for line in stream_text(c).splitlines()
        if line.startswith("HONEST ")
    )
    assert honest["sum"] == 12 and honest["backend"].lower() == "agg" and honest["chart"]
    assert honest["notes"] == "my notes" and honest["tmp"] == "tmp ok" and honest["matmul"] == 50.0
    assert honest["cwd"] == honest["home"] == sandbox.SANDBOX_HOME
    assert "ps1.ipynb" not in honest["listing"] and honest["grades_link_is_link"]
    assert honest["uid"] != 0

    # The daemon was running before shutdown, and nothing of it is left afterwards.
    assert seen["daemon_before"], "the probe's daemon never started: the test would prove nothing"
    assert wait_until(lambda: not host_processes(DAEMON_MARK), 5), host_processes(DAEMON_MARK)
    assert time.monotonic() - seen["daemon_started"] < 6, "shutdown took too long for this test"
    time.sleep(max(0.0, 10 - (time.monotonic() - seen["daemon_started"])))  # past its 8 s sleep
    assert not host_processes(DAEMON_MARK)
    assert not (outbox / "daemon.txt").exists()
    assert not Path(seen["base"]).exists(), "the scratch and channel folders were not deleted"

    # The host is as it was.
    assert _tree(course) == before_course
    assert _tree(home) == before_home
    assert not (site_packages / "evil.pth").exists()
    assert not (pkg / "evil.py").exists()
    init = pkg / "__init__.py"
    assert init.stat().st_mtime_ns == before_init or not init.read_text().endswith("x")
    assert not Path(env.prefix, "bin", "evil").exists()
    assert not Path("/work/scratch/evil").exists()
    assert sorted(os.listdir(fake_course["submission"])) == ["data.csv", "grades-link", "notes", "ps1.ipynb"]
