"""What the sandbox tests share: a fake course root with everything a kernel must not see, and
helpers to find processes left on the host."""

from __future__ import annotations

import os
import time

import nbformat

from platform_intl.instructor.sandbox.limits import KERNEL_CONNECTION_FILE

KERNEL_MARK = "ipykernel_launcher -f " + KERNEL_CONNECTION_FILE


def host_processes(needle: str) -> list[tuple[int, str]]:
    """Processes on the host whose command line contains ``needle``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmdline:
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
