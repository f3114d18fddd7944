"""Benchmarks of the course: notebooks, grading, widgets, imports, set-up.

    python3 tasks.py bench [--repeat N] [--class-size N] [--cold] [--only SECTION ...]

Prints markdown tables and writes the same, with a description of the machine, to
docs/benchmarks.md. A full run takes about 10 minutes on 2 cores (`--repeat 1
--class-size 20` for a quick look; `--only` runs sections without writing the page). Not
part of the test suite's pass/fail: a target that is missed is reported, not raised. Sections (all by default):

- lectures    each course/*.ipynb on a fresh kernel (nbclient: kernel start, every cell,
              shutdown) against a "floor" notebook holding only the same imports
- autograde   per assignment, `nbgrader autograde` of one submission against
              `python -m nbconvert --execute` of the same notebook (both new processes)
- class       one `nbgrader autograde` over a class of simulated submissions
- widgets     every explorer of platform_intl.widgets that offers the benchmark
              interface (``EXPLORERS`` or ``build_for_benchmark`` -> (explorer, control)):
              50 control moves, time of each synchronous update, in a fresh process
- imports     `import platform_intl` and its modules in fresh processes, with the
              package's own share from `python -X importtime`; jsonschema's import
- setup       `python3 tasks.py setup` when nothing changed (warm) and, with --cold, in
              a fresh `git clone` of this repository (creates .venv, installs: slow)

Everything runs in temporary folders; nothing is written to the repository except
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import importlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
ASSIGNMENTS = ROOT / "assignments"
GOLDEN = ROOT / "tests" / "golden"
OUTPUT = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent

TARGETS = {
    "lecture": 1.5,  # lecture time / import floor
    "autograde": 1.3,  # autograde time / plain execution, per submission
    "class_s": 60.0,  # seconds for the class of 100 on the machine's cores
    "vs_stock": 4.0,  # throughput of the course's grading / stock nbgrader's, same class
    "sandbox_s": 0.1,  # seconds the sandbox adds per submission
    "widget_ms": 100.0,  # median update latency
    "import_s": 0.3,  # helper package import
}
EXPECTED_EXPLORERS = {  # explorers the issue names, by class: a row even before they exist
    "MarketFunnelExplorer": "market funnel explorer",
    "LanguageBudgetPlanner": "language budget planner",
    "LocalePlayground": "locale formatting playground",
}


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def env() -> dict[str, str]:
    """The course environment (tasks.py course_env), this interpreter's bin/ first on PATH."""
    sys.path.insert(0, str(ROOT))
    import tasks

    environment = tasks.course_env()
    environment["PATH"] = str(BIN) + os.pathsep + environment["PATH"]
    environment.setdefault("MPLBACKEND", "Agg")
    return environment


def timed(
    command: list[str], *, cwd: Path = ROOT, environ: dict | None = None, timeout: float = 1800, check: bool = True
) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=environ or env(), capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-3000:]}"
        )
    return elapsed


def median(values) -> float:
    return statistics.median(values)


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value: float) -> str:
    return f"{value:.2f} s"


# ------------------------------------------------------------------------------- machine


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kib / 1024**2:.1f} GiB"
    versions = []
    from importlib.metadata import PackageNotFoundError, version

    for name in ("jupyterlab", "nbgrader", "nbclient", "ipywidgets", "pandas", "matplotlib", "jsonschema"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{name} {version(name)}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        ("Date", dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPU", cpu),
        ("Cores", str(os.cpu_count())),
        ("RAM", ram),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Packages", ", ".join(versions)),
        ("Load average at start (1, 5, 15 min)", load),
    ]


# ------------------------------------------------------------------------------ lectures


def notebook_imports(nb) -> list[str]:
    """Every import statement of the notebook's code cells, in order, without repeats."""
    found: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found[ast.unparse(node)] = None
    return list(found)


def run_notebook(nb, cwd: Path, allow_errors: bool = False):
    """Fresh kernel: start, run every cell, shut down. (wall seconds, executed notebook)."""
    import copy

    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    started = time.perf_counter()
    # The kernel's own stderr (a warning about TCP without encryption) would drown the report.
    NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}}
    ).execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, nb


def slowest_cells(nb, count: int = 2) -> str:
    """The cells that took longest (nbclient's timing metadata), as `first line` seconds."""
    timings = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("execution", {})
        with contextlib.suppress(KeyError, ValueError):
            begin = dt.datetime.fromisoformat(meta["iopub.execute_input"].replace("Z", "+00:00"))
            end = dt.datetime.fromisoformat(meta["shell.execute_reply"].replace("Z", "+00:00"))
            first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith("#")), "")
            timings.append(((end - begin).total_seconds(), first.strip()[:48].replace("|", "\\|")))
    total = sum(t for t, _ in timings)
    top = sorted(timings, reverse=True)[:count]
    return f"cells {total:.2f} s; slowest: " + "; ".join(f"`{src}` {t:.2f} s" for t, src in top)


#: A last cell that lists the libraries loaded in the kernel: installed packages (top-level
#: names) and the helper package's modules (full names).
PROBE = """
import json as _json, sys as _sys, sysconfig as _sysconfig
_roots = {_sysconfig.get_paths()["purelib"], _sysconfig.get_paths()["platlib"]}
def _library(name, module):
    path = getattr(module, "__file__", None) or ""
    if "/platform_intl/" in path:
        return name
    if any(path.startswith(root) for root in _roots) and not name.startswith("_"):
        return name.split(".")[0]
print(_json.dumps(sorted({_library(n, m) for n, m in list(_sys.modules.items())} - {None})))
"""


def loaded_libraries(nb, cwd: Path) -> list[str]:
    import nbformat

    probe = nbformat.from_dict(nb)
    probe.cells = list(nb.cells) + [nbformat.v4.new_code_cell(PROBE)]
    _, executed = run_notebook(probe, cwd)
    printed = "".join(
        o.get("text", "")
        for o in executed.cells[-1].outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    return json.loads([line for line in printed.splitlines() if line.startswith("[")][-1])


def floor_notebook(nb, libraries: list[str]):
    """Only imports: the notebook's own import lines, then every library its code loaded."""
    import nbformat

    floor = nbformat.v4.new_notebook(metadata=nb.metadata)
    floor.cells = [
        nbformat.v4.new_code_cell(
            "\n".join(notebook_imports(nb)) + "\nimport importlib\n"
            f"for _name in {libraries!r}:\n    try:\n        importlib.import_module(_name)\n"
            "    except Exception:\n        pass"
        )
    ]
    return floor


def bench_lectures(args) -> tuple[list[list], list[list]]:
    import nbformat

    os.environ.update({k: v for k, v in env().items() if k.startswith(("JUPYTER", "IPYTHON", "MPL", "PATH"))})
    notebooks = sorted(COURSE.glob("*.ipynb"))
    rows, summary = [], []
    if not notebooks:
        return [["(no notebooks in course/)", "", "", "", "", ""]], [["Lectures", "none yet", "", ""]]
    empty = nbformat.v4.new_notebook(metadata=nbformat.read(notebooks[0], as_version=4).metadata)
    at_start = set(loaded_libraries(empty, COURSE))  # what every kernel loads anyway
    ratios = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        say(f"lecture {path.name}: 1 + {args.repeat} x (lecture, floor)")
        try:
            libraries = [l for l in loaded_libraries(nb, COURSE) if l not in at_start]  # also a warm-up
            floor = floor_notebook(nb, libraries)
            lecture_times, floor_times = [], []
            for _ in range(args.repeat):  # interleaved, so that load drifts hit both alike
                floor_times.append(run_notebook(floor, COURSE)[0])
                elapsed, executed = run_notebook(nb, COURSE)
                lecture_times.append(elapsed)
        except Exception as error:  # a broken lecture is reported, not fatal
            rows.append([path.name, "error", "", "", "", f"`{type(error).__name__}: {str(error)[:120]}`"])
            continue
        lecture, base = median(lecture_times), median(floor_times)
        ratio = round(lecture / base, 2)  # judged as shown
        ratios.append(ratio)
        rows.append(
            [
                path.name,
                seconds(lecture),
                seconds(base),
                f"{ratio:.2f}x",
                verdict(ratio <= TARGETS["lecture"]),
                f"{slowest_cells(executed)}; floor imports {len(libraries)} libraries",
            ]
        )
    if ratios:
        summary.append(
            [
                f"Lecture / import floor (worst of {len(ratios)})",
                f"{max(ratios):.2f}x",
                f"≤ {TARGETS['lecture']}x",
                verdict(max(ratios) <= TARGETS["lecture"]),
            ]
        )
    return rows, summary


# ----------------------------------------------------------------------------- grading


def assignments() -> list[str]:
    from platform_intl.instructor.harness import assignment_names

    return assignment_names(ASSIGNMENTS)


#: nbgrader's own autograde pipeline, to weigh what the course's configuration adds to it.
STOCK_NBGRADER = """
c.Autograde.exporter_class = "nbconvert.exporters.NotebookExporter"
c.Autograde.pre_convert_hook = None
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
"""


UNSANDBOXED = """
# The course's grading without the sandbox, to measure what the sandbox costs.
c.GradingSandbox.enabled = False
c.GradingSandbox.unsafe_allow_unsandboxed = True
"""


def sandbox_for(assignment: str, root: Path, config_overrides: str = ""):
    from platform_intl.instructor import harness

    sandbox = harness.CourseSandbox(root, source_course=ROOT / "assignments", config_overrides=config_overrides)
    sandbox.generate(assignment)
    return sandbox


def bench_autograde(args) -> tuple[list[list], list[list]]:
    from platform_intl.instructor import cells, harness

    rows, summary, ratios = [], [], []
    for assignment in assignments():
        say(f"autograde {assignment}: {args.repeat} x (autograde, nbconvert --execute)")
        with tempfile.TemporaryDirectory() as tmp:
            sandbox = sandbox_for(assignment, Path(tmp) / "course")
            sources = sandbox.notebook_paths(assignment)
            sandbox.submit(assignment, "student1", {p.name: p for p in sources})
            plain_dir = Path(tmp) / "plain"
            plain_dir.mkdir()
            submitted = sorted((sandbox.root / "submitted" / "student1" / assignment).glob("*.ipynb"))
            grade_times, plain_times = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                sandbox.autograde(assignment)
                grade_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                for notebook in submitted:  # nbgrader runs each notebook of a submission too
                    timed(
                        [
                            sys.executable,
                            "-m",
                            "nbconvert",
                            "--execute",
                            "--to",
                            "notebook",
                            "--output-dir",
                            str(plain_dir),
                            str(notebook),
                        ],
                        cwd=notebook.parent,
                        environ=sandbox.env(),
                    )
                plain_times.append(time.perf_counter() - started)
            scores = sandbox.scores(assignment)
            got = sum(
                scores[("student1", p.stem)].autograded(cells.autograded_points(harness.load_notebook(p)))
                for p in sources
                if ("student1", p.stem) in scores
            )
        grade, plain = median(grade_times), median(plain_times)
        ratio = round(grade / plain, 2)  # judged as shown
        ratios.append(ratio)
        rows.append(
            [
                assignment,
                seconds(grade),
                seconds(plain),
                f"{ratio:.2f}x",
                verdict(ratio <= TARGETS["autograde"]),
                f"best runs: {min(grade_times):.2f} s / {min(plain_times):.2f} s = "
                f"{min(grade_times) / min(plain_times):.2f}x; the solution scored {got:g} autograded points",
            ]
        )
    # What both pay before any notebook runs: a new Python process and its imports.
    starts = {
        name: median(timed([sys.executable, "-m", name, "--version"]) for _ in range(3))
        for name in ("nbgrader", "nbconvert")
    }
    rows.append(
        [
            "process start only (`--version`)",
            seconds(starts["nbgrader"]),
            seconds(starts["nbconvert"]),
            "",
            "—",
            "new interpreter + imports of the app; the kernel adds ~1 s to both",
        ]
    )
    if ratios:
        summary.append(
            [
                f"Autograde / plain execution per submission (worst of {len(ratios)})",
                f"{max(ratios):.2f}x",
                f"≤ {TARGETS['autograde']}x",
                verdict(max(ratios) <= TARGETS["autograde"]),
            ]
        )
    return rows, summary


class ProcessTreeMeter:
    """Peak memory (sum of PSS) and CPU time by kind of process, of everything below this process."""

    KINDS = (
        ("grading_worker", "nbgrader workers"),
        ("verdict_worker", "grader's verdict process"),
        ("nbgrader-kernel", "kernels (warm, forked)"),
        ("ipykernel_launcher", "kernels (cold)"),
        ("template", "warm templates"),
        ("nbgrader", "nbgrader (one process)"),
    )

    def __init__(self, interval: float = 0.2) -> None:
        import threading

        self.interval, self.peak, self.cpu = interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _kind(self, pid: int) -> str:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return "other"
        for needle, kind in self.KINDS:
            if needle == name or (needle != "nbgrader-kernel" and needle in cmd[:300]):
                return kind
        if "template_main" in cmd or "warm template" in cmd or "gc.freeze" in cmd:
            return "warm templates"
        return "other"

    def _tree(self) -> list[int]:
        todo, out = [os.getpid()], []
        while todo:
            pid = todo.pop()
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    todo += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
            except OSError:
                continue
            if pid != os.getpid():
                out.append(pid)
        return out

    def _run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        seen: dict[tuple[int, str], tuple[str, float]] = {}
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                seen[(pid, stat[19])] = (self._kind(pid), (int(stat[11]) + int(stat[12])) / tick)
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)
        for kind, seconds in seen.values():
            self.cpu[kind] = self.cpu.get(kind, 0.0) + seconds


def bench_class(args) -> tuple[list[list], list[list]]:
    """The same class graded side by side: the course's parallel grading and stock `nbgrader autograde`."""
    from platform_intl.instructor import course as steps
    from platform_intl.instructor import harness
    from platform_intl.instructor.grading_pool import default_jobs

    assignment = args.class_assignment or max(assignments(), key=code_cells)
    jobs = args.jobs or default_jobs()
    size = args.class_size
    say(f"class of {size} submissions of {assignment}: the course's grading (--jobs {jobs}), then stock nbgrader")

    def fill(box) -> list[str]:
        released = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment, "release")}
        sources = {p.name: harness.load_notebook(p) for p in box.notebook_paths(assignment)}
        kinds = [
            (
                "solution",
                {n: harness.with_answers(released[n], harness.solution_answers(nb)) for n, nb in sources.items()},
            ),
            ("blank", released),
        ]
        for golden in sorted((GOLDEN / assignment).glob("*.json")):
            answers = harness.read_golden(golden)["answers"]
            if set(answers) <= {gid for nb in released.values() for gid in grading_ids(nb)}:
                answers = {next(iter(released)): answers}  # as tests/test_assignments.py reads them
            kinds.append((golden.stem, {n: harness.with_answers(nb, answers.get(n, {})) for n, nb in released.items()}))
        for i in range(size):
            box.submit(assignment, f"student{i:03d}", kinds[i % len(kinds)][1])
        return [k for k, _ in kinds]

    with tempfile.TemporaryDirectory() as tmp:
        box = sandbox_for(assignment, Path(tmp) / "course")
        mix = fill(box)
        course = steps.Course(root=box.root, exchange=box.exchange, progress=False)
        with ProcessTreeMeter() as ours:
            started = time.perf_counter()
            code = steps.autograde(course, assignment, jobs=jobs, force=True)
            elapsed = time.perf_counter() - started
        graded = len(box.scores(assignment))
        failed = len(course.last_run.failed) if course.last_run else size

        stock_box = sandbox_for(assignment, Path(tmp) / "stock", STOCK_NBGRADER)
        fill(stock_box)
        with ProcessTreeMeter() as theirs:
            started = time.perf_counter()
            stock_box.nbgrader("autograde", assignment, "--force", timeout=7200)
            stock = time.perf_counter() - started
        stock_graded = len(stock_box.scores(assignment))

        # One by one on a sample, to separate what parallel grading gives from what warm kernels give.
        sample = min(size, 20)
        serial_box = sandbox_for(assignment, Path(tmp) / "serial")

        def handed_in(i: int) -> dict:
            folder = box.root / "submitted" / f"student{i:03d}" / assignment
            return {p.name: harness.load_notebook(p) for p in folder.glob("*.ipynb")}

        for i in range(sample):
            serial_box.submit(assignment, f"student{i:03d}", handed_in(i))
        serial_course = steps.Course(root=serial_box.root, exchange=serial_box.exchange, progress=False)
        started = time.perf_counter()
        steps.autograde(serial_course, assignment, jobs=1, force=True)
        serial = (time.perf_counter() - started) / sample
        # The same sample with the sandbox off (unsafe), to weigh what the sandbox costs.
        open_box = sandbox_for(assignment, Path(tmp) / "unsandboxed", UNSANDBOXED)
        for i in range(sample):
            open_box.submit(assignment, f"student{i:03d}", handed_in(i))
        open_course = steps.Course(root=open_box.root, exchange=open_box.exchange, progress=False)
        started = time.perf_counter()
        steps.autograde(open_course, assignment, jobs=1, force=True)
        unsandboxed = (time.perf_counter() - started) / sample
        # Plain execution of the same notebooks, one after the other in one process (nbclient).
        import nbformat

        os.environ.update({k: v for k, v in box.env().items() if k.startswith(("JUPYTER", "MPL", "PATH"))})
        started = time.perf_counter()
        for i in range(sample):
            for path in sorted((box.root / "submitted" / f"student{i:03d}" / assignment).glob("*.ipynb")):
                run_notebook(nbformat.read(path, as_version=4), path.parent, allow_errors=True)
        plain = (time.perf_counter() - started) / sample

    throughput = stock / elapsed
    cpu = ", ".join(
        f"{kind} {seconds / size:.2f}"
        for kind, seconds in sorted(ours.cpu.items(), key=lambda kv: -kv[1])
        if seconds >= 0.5
    )
    stock_cpu = ", ".join(
        f"{kind} {seconds / size:.2f}"
        for kind, seconds in sorted(theirs.cpu.items(), key=lambda kv: -kv[1])
        if seconds >= 0.5
    )
    gib = 1024**3
    rows = [
        [
            f"the course's grading, `course-admin autograde --jobs {jobs}`",
            size,
            f"{elapsed:.0f} s",
            f"{size / elapsed * 60:.1f}",
            seconds(elapsed / size),
            f"{graded} graded, {failed} failed (exit {code}); mix: {', '.join(mix)}; peak memory "
            f"{ours.peak / gib:.2f} GiB; CPU seconds per submission: {cpu}",
        ],
        [
            "stock `nbgrader autograde` (one process, cold kernels, no sandbox), same class",
            size,
            f"{stock:.0f} s",
            f"{size / stock * 60:.1f}",
            seconds(stock / size),
            f"{stock_graded} graded; peak memory {theirs.peak / gib:.2f} GiB; CPU seconds per submission: {stock_cpu}",
        ],
        [
            "the course's grading one by one (`--jobs 1`), first 20",
            sample,
            f"{serial * sample:.0f} s",
            f"{60 / serial:.1f}",
            seconds(serial),
            f"parallel grading gives {serial / (elapsed / size):.2f}x on {jobs} cores",
        ],
        [
            "the same with the sandbox off (unsafe; kernels then start cold), `--jobs 1`",
            sample,
            f"{unsandboxed * sample:.0f} s",
            f"{60 / unsandboxed:.1f}",
            seconds(unsandboxed),
            f"sandbox on (warm kernels) minus off (cold kernels): {serial - unsandboxed:+.3f} s per submission",
        ],
        [
            "plain execution of the same notebooks, one process (nbclient, cold kernels)",
            sample,
            f"{plain * sample:.0f} s",
            f"{60 / plain:.1f}",
            seconds(plain),
            f"one-by-one grading / plain execution: {serial / plain:.2f}x",
        ],
    ]
    summary = [
        [
            f"Class of {size} ({assignment}) graded, `--jobs {jobs}`",
            f"{elapsed:.0f} s",
            f"≤ {TARGETS['class_s']:.0f} s",
            verdict(elapsed <= TARGETS["class_s"]),
        ],
        [
            "Throughput against stock `nbgrader autograde`, same class, same run",
            f"{throughput:.1f}x",
            f"≥ {TARGETS['vs_stock']:.0f}x",
            verdict(throughput >= TARGETS["vs_stock"]),
        ],
        [
            "Peak memory of the class run (PSS of every process)",
            f"{ours.peak / gib:.2f} GiB",
            "≤ 4 GiB",
            verdict(ours.peak <= 4 * gib),
        ],
        [
            "Autograde / plain execution per submission, one by one",
            f"{serial / plain:.2f}x",
            f"≤ {TARGETS['autograde']}x",
            verdict(serial / plain <= TARGETS["autograde"]),
        ],
        [
            "Sandbox cost per submission (one by one, on with warm kernels minus off, same run)",
            f"{serial - unsandboxed:+.3f} s",
            f"≤ {TARGETS['sandbox_s']} s",
            verdict(serial - unsandboxed <= TARGETS["sandbox_s"]),
        ],
    ]
    return rows, summary


def code_cells(assignment: str) -> int:
    import nbformat

    return sum(
        c.cell_type == "code"
        for p in (ASSIGNMENTS / "source" / assignment).glob("*.ipynb")
        for c in nbformat.read(p, as_version=4).cells
    )


def grading_ids(nb) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}


# ----------------------------------------------------------------------------- widgets


def discover_explorers() -> dict[str, object]:
    """name -> builder () -> (explorer, control), from every module of platform_intl.widgets."""
    import pkgutil

    import platform_intl.widgets as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        explorers = getattr(module, "EXPLORERS", None)
        if isinstance(explorers, dict):
            found.update({str(k): v for k, v in explorers.items()})
        elif callable(getattr(module, "build_for_benchmark", None)):
            found[info.name] = module.build_for_benchmark
    return found


def control_values(control, moves: int) -> list:
    """`moves` values for a control, each different from the one before."""
    if hasattr(control, "options") and not hasattr(control, "min"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        values = [v for v in options if v != control.value] + [control.value]
        return [values[i % len(values)] for i in range(moves)]
    low, high = control.min, control.max
    step = getattr(control, "step", None) or (high - low) / 100
    points = [low + (high - low) * k / 10 for k in range(11)]
    points = [round(round((p - low) / step) * step + low, 10) for p in points]
    if isinstance(control.value, int) and not isinstance(control.value, bool):
        points = [int(p) for p in points]
    sweep = points + points[-2:0:-1]  # up and down the range
    values, i = [], 0
    while len(values) < moves:
        value = sweep[i % len(sweep)]
        if (not values and value == control.value) or (values and value == values[-1]):
            i += 1
            continue
        values.append(value)
        i += 1
    return values


def widget_worker(moves: int) -> None:
    """In a fresh process: time `moves` control changes of every explorer; print JSON."""
    import warnings

    warnings.simplefilter("ignore")
    results = {}
    try:
        builders = discover_explorers()
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        return
    for name, build in builders.items():
        try:
            started = time.perf_counter()
            explorer, control = build()
            built = time.perf_counter() - started
            wall, reported = [], []
            for value in control_values(control, moves):
                started = time.perf_counter()
                control.value = value
                wall.append(time.perf_counter() - started)
                last = getattr(explorer, "last_update_seconds", None)
                if isinstance(last, float):
                    reported.append(last)
            results[name] = {
                "class": type(explorer).__name__,
                "control": getattr(control, "description", "") or type(control).__name__,
                "build": built,
                "wall": wall,
                "reported": reported,
            }
        except Exception as error:
            results[name] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
    print(json.dumps(results))


def bench_widgets(args) -> tuple[list[list], list[list]]:
    say(f"widgets: {args.moves} moves per explorer, in a fresh process")
    proc = subprocess.run(
        [sys.executable, __file__, "--widget-worker", str(args.moves)],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    try:
        results = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return [["(widget benchmark failed)", "", "", "", "", f"`{proc.stderr.strip()[-300:]}`"]], []
    if "error" in results and isinstance(results["error"], str):
        return [["platform_intl.widgets", "not built yet", "", "", "", f"`{results['error']}`"]], []
    rows, medians = [], []
    for name, result in results.items():
        if "error" in result:
            rows.append([name, "error", "", "", "", f"`{result['error']}`"])
            continue
        wall_ms = [w * 1000 for w in result["wall"]]
        m = median(wall_ms)
        medians.append((m, name))
        own = (
            f"; the explorer's own timer: median {median(result['reported']) * 1000:.1f} ms"
            if result["reported"]
            else ""
        )
        rows.append(
            [
                f"{name} (`{result['class']}`, control “{result['control']}”)",
                f"{m:.1f} ms",
                f"{p95(wall_ms):.1f} ms",
                verdict(m < TARGETS["widget_ms"]),
                f"{result['build']:.2f} s",
                f"{len(wall_ms)} moves{own}",
            ]
        )
    present = {r.get("class") for r in results.values()}
    for cls, label in EXPECTED_EXPLORERS.items():
        if cls not in present:
            rows.append(
                [
                    f"{label} (`{cls}`)",
                    "not built yet",
                    "",
                    "—",
                    "",
                    "no benchmark builder exposes it (EXPLORERS / build_for_benchmark)",
                ]
            )
    summary = []
    if medians:
        worst, name = max(medians)
        summary.append(
            [
                f"Widget update, median (worst of {len(medians)} explorers: {name})",
                f"{worst:.1f} ms",
                f"< {TARGETS['widget_ms']:.0f} ms",
                verdict(worst < TARGETS["widget_ms"]),
            ]
        )
    latency = ROOT / "artifacts" / "browser" / "slider-latency.json"
    if latency.exists():
        data = json.loads(latency.read_text())
        rows.append(
            [
                f"browser round trip, {data['notebook']} (from the last browser test run)",
                f"{data['median'] * 1000:.0f} ms",
                "",
                "—",
                "",
                f"{len(data['seconds'])} arrow-key moves: key press to new figure in Chromium",
            ]
        )
    return rows, summary


# ----------------------------------------------------------------------------- imports


def import_seconds(module: str) -> tuple[float, float]:
    """(total import time, time spent in platform_intl's own modules) in a fresh process."""
    code = (
        "import time, sys; t = time.perf_counter(); import "
        + module
        + "; sys.stdout.write(repr(time.perf_counter() - t))"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    own = 0
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip().startswith("platform_intl"):
            own += int(parts[0].split(":")[1])
    return float(proc.stdout), own / 1e6


def heaviest_dependencies(module: str, count: int = 3) -> str:
    """The top-level packages that cost the most cumulative import time (one -X importtime run)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
    )
    costs: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].strip()
            top = name.split(".")[0]
            if top not in ("platform_intl", module.split(".")[0]) and "." not in name:  # top-level packages
                costs[top] = max(costs.get(top, 0), int(parts[1]))
    ranked = sorted(costs.items(), key=lambda kv: -kv[1])[:count]
    return ", ".join(f"{name} {us / 1e6:.2f} s" for name, us in ranked if us > 20_000)


def lecture_modules() -> set[str]:
    """The platform_intl modules that the course notebooks import."""
    import nbformat

    found = set()
    for path in COURSE.glob("*.ipynb"):
        for line in notebook_imports(nbformat.read(path, as_version=4)):
            node = ast.parse(line).body[0]
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("platform_intl"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)  # submodules, if they are
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("platform_intl"))
    return found


def bench_imports(args) -> tuple[list[list], list[list]]:
    import pkgutil

    import platform_intl

    say("imports")
    modules = ["platform_intl"] + [f"platform_intl.{m.name}" for m in pkgutil.iter_modules(platform_intl.__path__)]
    widgets = ROOT / "src" / "platform_intl" / "widgets"
    if widgets.is_dir():
        modules += [f"platform_intl.widgets.{m.name}" for m in pkgutil.iter_modules([str(widgets)])]
    used = lecture_modules()
    rows, package_time, worst_own, worst_total = [], None, (0.0, ""), (0.0, "")
    for module in modules:
        try:
            samples = [import_seconds(module) for _ in range(max(3, args.repeat))]
        except subprocess.CalledProcessError as error:
            rows.append([f"`{module}`", "error", "", "", f"`{error.stderr.strip().splitlines()[-1][:150]}`"])
            continue
        total, own = median(s[0] for s in samples), median(s[1] for s in samples)
        if module == "platform_intl":
            package_time = total
        worst_own = max(worst_own, (own, module))
        if module in used:
            worst_total = max(worst_total, (total, module))
        label = f"`{module}`" + ("" if module in used or module == "platform_intl" else " (no lecture imports it)")
        rows.append(
            [label, seconds(total), seconds(own), verdict(own < TARGETS["import_s"]), heaviest_dependencies(module)]
        )
    for module in ("jsonschema", "nbformat", "nbclient", "nbgrader.apps"):
        with contextlib.suppress(subprocess.CalledProcessError):
            total = median(import_seconds(module)[0] for _ in range(3))
            rows.append(
                [
                    f"`{module}` (Jupyter's own)",
                    seconds(total),
                    "",
                    "—",
                    "4.23.0 pinned: from 4.24 it imports rfc3987-syntax, which compiles Lark grammars"
                    if module == "jsonschema"
                    else heaviest_dependencies(module),
                ]
            )
    summary = []
    if package_time is not None:
        summary.append(
            [
                "Helper import: `import platform_intl`",
                seconds(package_time),
                f"< {TARGETS['import_s']} s",
                verdict(package_time < TARGETS["import_s"]),
            ]
        )
    if worst_own[1]:
        summary.append(
            [
                f"Helper import: the package's own code, slowest module ({worst_own[1]})",
                seconds(worst_own[0]),
                f"< {TARGETS['import_s']} s",
                verdict(worst_own[0] < TARGETS["import_s"]),
            ]
        )
    if worst_total[1]:
        summary.append(
            [
                f"Helper import with its dependencies, slowest module a lecture imports ({worst_total[1]})",
                seconds(worst_total[0]),
                f"< {TARGETS['import_s']} s",
                verdict(worst_total[0] < TARGETS["import_s"]),
            ]
        )
    return rows, summary


# ------------------------------------------------------------------------------- setup


def system_python() -> str:
    """The `python3` a user types: first on PATH, not counting this environment's bin/."""
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != BIN.resolve()
    )
    return shutil.which("python3", path=path) or sys.executable


def bench_setup(args) -> tuple[list[list], list[list]]:
    rows, summary = [], []
    python = system_python()
    tasks_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    tasks_env["PATH"] = os.pathsep.join(
        p for p in tasks_env.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != BIN.resolve()
    )
    say("setup: warm")
    warm = median(timed([python, "tasks.py", "setup"], environ=tasks_env) for _ in range(3))
    rows.append(["warm: `python3 tasks.py setup`, nothing changed (this checkout)", seconds(warm), ""])
    summary.append(["Set-up, warm (nothing to install)", seconds(warm), "—", "—"])
    if args.cold:
        with tempfile.TemporaryDirectory() as tmp:
            clone = Path(tmp) / "clone"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            say("setup: cold, in a fresh clone (creates .venv and installs; about a minute)")
            cold = timed([python, "tasks.py", "setup"], cwd=clone, environ=tasks_env, timeout=3600)
            second = timed([python, "tasks.py", "setup"], cwd=clone, environ=tasks_env)
        rows.append(
            [
                "cold: fresh `git clone` of HEAD, `python3 tasks.py setup` (pip cache as it is)",
                seconds(cold),
                "creates .venv, installs requirements.lock and the package",
            ]
        )
        rows.append(["second run in that clone", seconds(second), ""])
        summary.append(["Set-up, cold (fresh clone)", seconds(cold), "—", "—"])
    else:
        previous = previous_cold_rows()
        rows += previous or [
            ["cold: fresh clone", "not run", "pass `--cold` (about a minute; uses the network or pip's cache)"]
        ]
        if previous:
            summary.append(
                [
                    f"Set-up, cold (fresh clone; {previous[0][2].rsplit('(', 1)[-1].rstrip(')')})",
                    previous[0][1],
                    "—",
                    "—",
                ]
            )
    say("setup: JupyterLab start")
    rows.append(["`python3 tasks.py lab` until the server answers", lab_start_seconds(), ""])
    return rows, summary


def previous_cold_rows() -> list[list[str]]:
    """The cold set-up rows of the last `--cold` run, from docs/benchmarks.md, with their date."""
    if not OUTPUT.exists():
        return []
    text = OUTPUT.read_text(encoding="utf-8")
    date = re.search(r"^\| Date \| (.+?) \|$", text, re.M)
    when = re.search(r"cold measured (.+?)\)", text)
    stamp = when.group(1) if when else (date.group(1) if date else "earlier")
    rows = []
    for line in text.splitlines():
        if line.startswith(("| cold: fresh `git clone`", "| second run in that clone")):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            note = re.sub(r"\s*\(cold measured .+?\)$", "", cells[2])
            rows.append([cells[0], cells[1], f"{note} (cold measured {stamp})".strip()])
    return rows


def lab_start_seconds() -> str:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import browser_support
    except ImportError as error:
        return f"not measured ({error})"
    server = browser_support.LabServer()
    server.log_path = Path(tempfile.mkdtemp()) / "jupyterlab.log"
    started = time.perf_counter()
    try:
        server.start()
        return seconds(time.perf_counter() - started)
    except RuntimeError as error:
        return f"failed: `{str(error).splitlines()[-1][:150]}`"
    finally:
        server.stop()


# ------------------------------------------------------------------------------- report

SECTIONS = {
    "lectures": (
        bench_lectures,
        "Lectures on a fresh kernel",
        ["Notebook", "Lecture", "Import floor", "Ratio", f"≤ {TARGETS['lecture']}x", "Where the time goes"],
    ),
    "autograde": (
        bench_autograde,
        "Autograding one submission",
        ["Assignment", "`nbgrader autograde`", "`nbconvert --execute`", "Ratio", f"≤ {TARGETS['autograde']}x", "Note"],
    ),
    "class": (
        bench_class,
        "A class of simulated submissions",
        ["Grading", "Submissions", "Time", "Per minute", "Per submission", "Note"],
    ),
    "widgets": (
        bench_widgets,
        "Widget updates (in process, synchronous update per control change)",
        ["Explorer", "Median", "p95", f"< {TARGETS['widget_ms']:.0f} ms", "Build", "Note"],
    ),
    "imports": (
        bench_imports,
        "Imports (fresh process each)",
        [
            "Module",
            "Total",
            "platform_intl's own",
            f"< {TARGETS['import_s']} s",
            "Heaviest dependencies (cumulative; nested ones overlap)",
        ],
    ),
    "setup": (bench_setup, "Set-up", ["What", "Time", "Note"]),
}


CLASS_SERVER_SECTION = "## Class server"


def kept_class_server_section() -> str:
    """The class server's section (tools/bench_hub.py, run as root): kept when this rewrites the file."""
    if not OUTPUT.exists():
        return ""
    text = OUTPUT.read_text(encoding="utf-8")
    start = text.find(CLASS_SERVER_SECTION)
    return "" if start == -1 else "\n" + text[start:]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--widget-worker"]:
        widget_worker(int(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None, help="workers of the class run (default: one per core)")
    parser.add_argument(
        "--class-assignment", help="assignment of the class run (default: the one with the most code cells)"
    )
    parser.add_argument("--moves", type=int, default=50, help="control moves per explorer")
    parser.add_argument("--cold", action="store_true", help="also time set-up in a fresh clone (slow)")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="run only these sections")
    parser.add_argument(
        "--no-write",
        action="store_true",
        help=f"do not write {OUTPUT.relative_to(ROOT)} (a run with --only never writes it)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    about = machine()
    summary, parts = [], []
    for key, (function, title, header) in SECTIONS.items():
        if args.only and key not in args.only:
            continue
        section_started = time.perf_counter()
        try:
            rows, lines = function(args)
        except Exception as error:
            say(f"{key} failed:\n{traceback.format_exc()}")
            rows, lines = (
                [[f"failed: `{type(error).__name__}: {str(error).splitlines()[0][:200]}`"] + [""] * (len(header) - 1)],
                [],
            )
        summary += lines
        parts.append(
            f"### {title}\n\n{table(header, rows)}\n\n_{time.perf_counter() - section_started:.0f} s for this section._"
        )
    if hasattr(os, "getloadavg"):
        about.append(("Load average at the end", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    report = "\n\n".join(
        [
            "## Summary against the targets",
            table(["Measure", "Result", "Target", "Met"], summary),
            *parts,
        ]
    )
    print(report)
    if args.only:
        say(f"partial run (--only): {OUTPUT.relative_to(ROOT)} left as it was")
    elif not args.no_write:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        document = render_document(about, report, args, time.perf_counter() - started)
        if CLASS_SERVER_SECTION not in document:  # kept with the notes below the marker already
            document += kept_class_server_section()
        OUTPUT.write_text(document, encoding="utf-8")
        say(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


NOTES_MARKER = "<!-- Written by hand below this line: tools/bench.py keeps it when it rewrites the page. -->"


def render_document(about, report: str, args, elapsed: float) -> str:
    machine_table = table(["", ""], [[k, v] for k, v in about])
    notes = ""
    if OUTPUT.exists():
        old = OUTPUT.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old[old.index(NOTES_MARKER) + len(NOTES_MARKER) :].strip("\n")
    command = "python3 tasks.py bench" + (" --cold" if args.cold else "")
    return (
        f"# Benchmarks\n\nGenerated by `{command}` (tools/bench.py) in {elapsed / 60:.1f} min; "
        f"medians of {args.repeat} runs unless stated. Re-run it to refresh the figures; the "
        f"notes at the end are kept.\n\n## Machine\n\n{machine_table}\n\n{report}\n\n"
        f"{NOTES_MARKER}\n\n{notes}\n"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
