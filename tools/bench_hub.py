#!/usr/bin/env python3
"""Load on the class server: N students log in and fetch an assignment at the same moment.

    sudo .venv/bin/python tools/bench_hub.py [--students 30] [--gradebook sqlite] [--write]

Loopback only, bounded in count and time: a server under a temporary root (tests/hub_support.py:
the real `course-admin hub course/users` and `python3 tasks.py hub`), N student accounts,
ps0 released by the grader; then N threads, one per student, each log in through the hub's
log-in form, wait for their own server, and fetch ps0 through the Assignment List's API,
all released at once by a barrier. Everything stops after --deadline seconds, and the
accounts, processes and folders are removed at the end, whatever happened.

Measured: the time from the barrier until every student has ps0 in their home folder;
per student, log-in to server ready and the fetch; failures; and the memory (RSS, summed
over its processes) of each student's server once it is idle after the fetch, with no
kernel. `--write` puts the table into docs/benchmarks.md (section "Class server").
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hub_support  # noqa: E402  (the tests' class server, reused as is)

PS0 = "ps0_orientation"
SECTION = "## Class server: 30 students at once"


def student_session(hub, server, user: str, deadline: float, barrier: threading.Barrier) -> dict:
    """One student's log-in and fetch over HTTP, as their browser would; timings in seconds."""
    import requests

    result: dict = {"user": user}
    session = requests.Session()
    try:
        barrier.wait(timeout=120)
        started = time.monotonic()
        form = session.get(f"{hub.url}/hub/login", timeout=30)
        xsrf = session.cookies.get("_xsrf") or re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
        data = {"username": user, "password": server.passwords[user], "_xsrf": xsrf}
        session.post(f"{hub.url}/hub/login?next=/hub/spawn", data=data, timeout=60)
        lab = f"{hub.url}/user/{user}/lab"
        while time.monotonic() < deadline:
            # As a browser: the hub answers with its "server starting" page until the server
            # is up; then the first page request completes the server's OAuth log-in.
            response = session.get(lab, timeout=60)
            if response.status_code == 200 and response.url.startswith(lab):
                break
            time.sleep(0.5)
        else:
            last = f"{response.status_code} {response.url}"
            raise TimeoutError(f"server not ready before the deadline (last answer: {last})")
        result["ready_s"] = time.monotonic() - started
        fetch_started = time.monotonic()
        response = session.post(
            f"{hub.url}/user/{user}/assignments/fetch",
            data={"course_id": server.main, "assignment_id": PS0},
            headers={"X-XSRFToken": server_xsrf(session, user, xsrf)},
            timeout=120,
        )
        answer = response.json() if response.ok else {"success": False, "error": response.text[:300]}
        if not answer.get("success"):
            raise RuntimeError(f"fetch failed: {answer.get('error') or answer}"[:400])
        if not (server.home(user) / server.main / PS0 / f"{PS0}.ipynb").exists():
            raise RuntimeError("fetch answered success but the notebook is not in the home folder")
        result["fetch_s"] = time.monotonic() - fetch_started
        result["done_s"] = time.monotonic() - started
    except Exception as error:  # a failure is a result here, counted and reported
        result["error"] = f"{type(error).__name__}: {error}"[:400]
    return result


def server_xsrf(session, user: str, fallback: str) -> str:
    return next((c.value for c in session.cookies if c.name == "_xsrf" and user in (c.path or "")), fallback)


def server_memory_mb(user: str) -> float:
    import psutil

    total = 0
    for process in psutil.process_iter(["username", "memory_info"]):
        if process.info["username"] == user and process.info["memory_info"]:
            total += process.info["memory_info"].rss
    return total / 2**20


def run(students: int, gradebook: str, deadline_s: float) -> dict:
    hub_support.skip_unless_root_on_linux = lambda: None  # a tool: the check below says why instead
    server = hub_support.ClassServer(gradebook=gradebook)
    hub = hub_support.HubProcess(server)
    try:
        t0 = time.monotonic()
        server.lay_out()
        users = server.add_roster(server.main, [(f"s{i:02d}", "student") for i in range(students)])
        server.grader(server.main, "generate_assignment", PS0, "--force")
        server.grader(server.main, "release_assignment", PS0, "--force")
        setup_s = time.monotonic() - t0
        t0 = time.monotonic()
        hub.start()
        hub_start_s = time.monotonic() - t0
        barrier = threading.Barrier(len(users) + 1)
        deadline = time.monotonic() + deadline_s
        results: list[dict] = []
        lock = threading.Lock()

        def one(user: str) -> None:
            outcome = student_session(hub, server, user, deadline, barrier)
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=one, args=(u,), daemon=True) for u in users]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=120)
        released = time.monotonic()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 5))
        all_done_s = time.monotonic() - released
        time.sleep(3)  # let the servers settle after the fetch before reading their memory
        memory = [server_memory_mb(u) for u in users]
        ok = [r for r in results if "error" not in r]
        return {
            "students": students,
            "gradebook": gradebook,
            "setup_s": setup_s,
            "hub_start_s": hub_start_s,
            "all_ready_and_fetched_s": all_done_s,
            "failures": [r for r in results if "error" in r]
            + [{"user": "?", "error": "no result"}] * (students - len(results)),
            "ready_s": sorted(r["ready_s"] for r in ok),
            "fetch_s": sorted(r["fetch_s"] for r in ok),
            "memory_mb": sorted(memory),
        }
    finally:
        hub.stop()
        server.remove()


def table(report: dict) -> str:
    def spread(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"median {statistics.median(values):.1f}, max {max(values):.1f}"

    memory = report["memory_mb"]
    rows = [
        ("Students logging in and fetching ps0 at the same moment", f"{report['students']}"),
        ("Until every one has ps0 in their home folder", f"{report['all_ready_and_fetched_s']:.0f} s"),
        ("Log-in to their server ready, per student (s)", spread(report["ready_s"])),
        ("Fetch through the Assignment List, per student (s)", spread(report["fetch_s"])),
        ("Failures", f"{len(report['failures'])} (target 0)"),
        (
            "Memory of a student's server, idle, no kernel (MB RSS)",
            f"median {statistics.median(memory):.0f}, max {max(memory):.0f}" if memory else "n/a",
        ),
        (
            "Set-up: 2 courses, the accounts, ps0 released",
            f"{report['setup_s']:.0f} s",
        ),
        ("Hub start, both Formgraders included", f"{report['hub_start_s']:.0f} s"),
    ]
    lines = ["| Measure | Result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    return "\n".join(lines)


def write_section(report: dict) -> None:
    import platform

    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    body = (
        f"{SECTION}\n\n"
        f"`sudo .venv/bin/python tools/bench_hub.py --students {report['students']} --write`, measured "
        f"{time.strftime('%Y-%m-%d')} on {platform.machine()} with 2 cores (shared with other jobs), "
        f"gradebook {report['gradebook']}, loopback only. One thread per student logs in through the "
        "hub's form, waits for their server and fetches ps0 through the Assignment List's API, all "
        "started together.\n\n" + table(report) + "\n\n"
        "What it means: the hub spawns the servers concurrently, and on 2 cores the students' "
        "servers starting at once (each a Python process importing Jupyter Server, JupyterLab's "
        "server side and nbgrader's extensions) are what the time is spent on; the log-in itself "
        "(PAM) and the fetch are small beside it. A kernel adds about 150 MB per student when "
        "their notebook imports pandas, seaborn and ipywidgets (engineering notes), so a class "
        "of 30 with every notebook open needs about 30 × (server + 150 MB) of memory. For a "
        "lecture where everyone logs in at the start, start the servers a few minutes early "
        "(the instructor's role can start them) or expect the wait above.\n"
    )
    if SECTION in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[following + 1 :] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")


def main() -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--gradebook", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--deadline", type=float, default=300, help="seconds the students may take (default 300)")
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        print("bench_hub: run as root on Linux (it creates Unix accounts for the students)", file=sys.stderr)
        return 2
    if not 1 <= args.students <= 60:
        parser.error("--students: 1 to 60 (the machine has 2 cores)")
    report = run(args.students, args.gradebook, args.deadline)
    out = ROOT / "artifacts" / "bench" / "hub-load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    for failure in report["failures"]:
        print(f"failed: {failure['user']}: {failure['error']}", file=sys.stderr)
    if args.write:
        write_section(report)
    return 0 if not report["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
