"""What the sandbox tests share: a fake course root with everything a kernel must not see, and
helpers to find processes left on the host."""

from __future__ import annotations

import os
import time

import nbformat

from platform_intl.instructor.sandbox.limits import KERNEL_CONNECTION_FILE
from platform_intl.instructor.sandbox.warm import WARM_KERNEL_NAME

#: A cold kernel shows in its command line, a warm (forked) one in its process name.
KERNEL_MARK = "ipykernel_launcher -f " + KERNEL_CONNECTION_FILE
WARM_KERNEL_MARK = WARM_KERNEL_NAME


def kernels_on_host() -> list[tuple[int, str]]:
    return host_processes(KERNEL_MARK) + host_processes(WARM_KERNEL_MARK, by_name=True)


def host_processes(needle: str, *, by_name: bool = False) -> list[tuple[int, str]]:
    """Processes on the host whose command line contains ``needle`` (``by_name``: whose name is it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/comm", "rb") as f:
                name = f.read().decode(errors="replace").strip()
        except OSError:
            continue
        if (needle == name) if by_name else (needle in cmdline):
            found.append((int(entry), cmdline))
    return found


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
