"""Walk through the lectures as a new student would, in JupyterLab in Chromium, and time them.

    .venv/bin/python tools/walkthrough.py [--lecture 06 ...] [--screenshots DIR] [--json FILE]

JupyterLab starts the way the browser tests start it (tests/browser_support.LabServer:
``python3 tasks.py lab`` on 127.0.0.1 with a token, autosave off, so the committed
notebooks are never written), and Debian's Chromium opens each lecture of course/. Then,
as a student does, with no *Run All*:

- every cell is run in turn with Shift+Enter, and the machine time of each code cell is
  measured in the browser (from the key press until its prompt shows its number and the
  kernel is idle again); a traceback or anything on stderr is reported;
- each exercise cell (tagged ``exercise``) is run first as it stands, and its check must
  say *not attempted*; then the worked answer of the *Worked answer* fold below it
  replaces the ``name = ...`` line (typed into the cell's editor) and the cell runs again:
  the check must say *correct*;
- in each widget (a code cell that builds one of the course's live widgets,
  ``platform_intl.widgets``), one slider is moved one step with the keyboard, or one box
  ticked, or another option chosen in a drop-down, and the widget's figure, table or text
  must change;
- a screenshot of each section (``##`` heading) is taken when the student reaches the
  next one (``<lecture>-<n>.png``), and one of each exercise once answered
  (``<lecture>-exercise-<name>.png``) and of each widget once moved
  (``<lecture>-widget-cell<n>.png``), 1280 x 800, into the screenshots folder
  (artifacts/walkthrough/ by default); labels or table cells whose text is wider than
  their box are reported.

It prints, per lecture: cells, words of prose, code cells, exercises, widgets, execution
seconds in the browser, and an estimated study time, rounded to 5 minutes:

- reading: prose words (Markdown, without its code blocks) at 200 words a minute, plus
  lines of code (non-empty lines of code cells and of the Markdown's code blocks, such
  as the worked answers) at 10 lines a minute;
- exercises: 3 minutes for a computation (kind ``number`` or ``text`` of
  ``platform_intl.exercises.EXERCISES``), 2 for a prediction or a classification
  (``prediction``, ``choice``);
- 1 minute per widget;
- the execution time measured in the browser.

The first three parts need no browser: :func:`notebook_stats` and :func:`static_minutes`
compute them from the notebook, and tests/test_lecture_times.py checks the figures in
course/README.md against them. Not part of the test suite: a tool run at review.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10
#: Minutes allowed per exercise, by its kind in platform_intl.exercises.
EXERCISE_MINUTES = {"number": 3, "text": 3, "prediction": 2, "choice": 2}
WIDGET_MINUTES = 1
CHECK_CALL = re.compile(r"""exercises\.check\(\s*["']([^"']+)["']""")
FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
WORKED = re.compile(r"```python\n(.*?)```", re.S)


def lectures() -> list[Path]:
    return sorted(COURSE.glob("[0-9][0-9]_*.ipynb"))


def live_widget_names() -> list[str]:
    """The course's live widgets: the classes of platform_intl.widgets built on LiveWidget."""
    from platform_intl import widgets
    from platform_intl.widgets.base import LiveWidget

    found = []
    for name in widgets.__all__:
        value = getattr(widgets, name)
        if isinstance(value, type) and issubclass(value, LiveWidget):
            found.append(name)
    return sorted(found)


def widget_cells(nb) -> list[int]:
    """Indices of the code cells that build a live widget."""
    pattern = re.compile(r"\b(" + "|".join(live_widget_names()) + r")\(")
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and pattern.search(c.source)]


def exercise_cells(nb) -> list[tuple[int, str]]:
    """(index, exercise id) of each exercise cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "exercise" in cell.metadata.get("tags", []):
            match = CHECK_CALL.search(cell.source)
            if match:
                found.append((i, match.group(1)))
    return found


def prose_words(markdown: str) -> int:
    text = FENCE.sub(" ", markdown)
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags (<details>, <summary>)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not read
    return len(re.findall(r"\w[\w'’.,-]*", text))


def code_lines(cell) -> int:
    source = cell.source if cell.cell_type == "code" else "\n".join(FENCE.findall(cell.source))
    return sum(1 for line in source.splitlines() if line.strip())


@dataclass
class LectureStats:
    lecture: str
    cells: int
    words: int
    code_cells: int
    code_lines: int
    exercises: int
    exercise_minutes: int
    widgets: int
    execution_seconds: float = 0.0

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + self.code_lines / CODE_LINES_PER_MINUTE

    @property
    def static_minutes(self) -> float:
        return static_minutes(self)

    @property
    def estimate_minutes(self) -> int:
        return round_to_5(self.static_minutes + self.execution_seconds / 60)


def notebook_stats(path: Path) -> LectureStats:
    """What the estimate counts in one lecture, without running it."""
    from platform_intl.exercises import EXERCISES

    nb = nbformat.read(path, as_version=4)
    exercises = exercise_cells(nb)
    return LectureStats(
        lecture=path.name[:2],
        cells=len(nb.cells),
        words=sum(prose_words(c.source) for c in nb.cells if c.cell_type == "markdown"),
        code_cells=sum(c.cell_type == "code" for c in nb.cells),
        code_lines=sum(code_lines(c) for c in nb.cells),
        exercises=len(exercises),
        exercise_minutes=sum(EXERCISE_MINUTES[EXERCISES[eid].kind] for _, eid in exercises),
        widgets=len(widget_cells(nb)),
    )


def static_minutes(stats: LectureStats) -> float:
    """Reading + exercises + widgets, in minutes (everything but the execution time)."""
    return stats.reading_minutes + stats.exercise_minutes + WIDGET_MINUTES * stats.widgets


def round_to_5(minutes: float) -> int:
    return max(5, int(5 * round(minutes / 5)))


def worked_source(exercise_source: str, details: str) -> str:
    """The exercise cell with its worked answer in place of the ``name = ...`` line."""
    match = WORKED.search(details)
    if match is None:
        raise ValueError("the Worked answer fold has no ```python block")
    answer = match.group(1).rstrip("\n")
    lines = exercise_source.splitlines()
    blanks = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*\w+\s*=\s*\.\.\.\s*", line)]
    if len(blanks) != 1:
        raise ValueError(f"expected one `name = ...` line in the exercise, found {len(blanks)}")
    lines[blanks[0] : blanks[0] + 1] = answer.splitlines()
    return "\n".join(lines)


# --------------------------------------------------------------------------- in the browser

CELL_STATE_JS = """(index) => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
    const cell = cells[index];
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return {prompt: prompt ? prompt.textContent.trim() : '',
            active: cells.findIndex(c => c.classList.contains('jp-mod-active')),
            status: indicator ? indicator.getAttribute('data-status') : null,
            count: cells.length};
}"""

CELL_PROBLEMS_JS = """(index) => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cell = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')][index];
    const found = [];
    cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        .forEach(out => found.push(out.textContent.trim().slice(0, 300)));
    cell.querySelectorAll('.jupyter-widgets').forEach(w => {
        if (/Error displaying widget/.test(w.textContent)) found.push(w.textContent.trim().slice(0, 200)); });
    return found;
}"""

CUT_TEXT_JS = """(index) => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cell = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')][index];
    const sel = ['.widget-label', '.widget-label-basic', '.jupyter-button', '.widget-readout', 'td', 'th']
        .map(s => `.jp-OutputArea-output ${s}`).join(', ');
    const found = [...cell.querySelectorAll(sel)]
        .filter(el => el.offsetParent !== null && el.textContent.trim())
        .filter(el => el.scrollWidth > el.clientWidth + 1)
        .map(el => `"${el.textContent.trim().slice(0, 80)}" needs ${el.scrollWidth}px, has ${el.clientWidth}px`);
    // A drop-down shows its chosen option only: measure that text against the box, less its arrow.
    const canvas = document.createElement('canvas').getContext('2d');
    cell.querySelectorAll('.jp-OutputArea-output .widget-dropdown select').forEach(el => {
        if (el.offsetParent === null || el.selectedIndex < 0) return;
        const text = el.options[el.selectedIndex].text;
        const style = getComputedStyle(el);
        canvas.font = style.font;
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const needs = Math.ceil(canvas.measureText(text).width);
        if (needs > room) found.push(`drop-down "${text}" needs ${needs}px, has ${Math.floor(room)}px`);
    });
    return found;
}"""

EXERCISE_STATUS_JS = """(index) => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cell = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')][index];
    const note = cell.querySelector('.platform-intl-exercise');
    return note ? {status: note.getAttribute('data-status'), text: note.textContent.trim()} : null;
}"""


@dataclass
class CellRecord:
    index: int
    seconds: float
    note: str = ""


@dataclass
class LectureRun:
    stats: LectureStats
    cells: list[CellRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)


def _cell(page, index: int):
    return page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index)


def _select(page, index: int) -> None:
    """Make cell ``index`` the active one, in command mode, as a click on its margin does."""
    state = page.evaluate(CELL_STATE_JS, index)
    if state["active"] == index:
        return
    cell = _cell(page, index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Escape")


def _run_cell(page, index: int, timeout: float = 180) -> float:
    """Shift+Enter on cell ``index``; the seconds until its prompt shows a new number."""
    before = page.evaluate(CELL_STATE_JS, index)["prompt"]
    started = time.perf_counter()
    page.keyboard.press("Shift+Enter")
    deadline = started + timeout
    while time.perf_counter() < deadline:
        state = page.evaluate(CELL_STATE_JS, index)
        if re.fullmatch(r"\[\d+\]:", state["prompt"]) and state["prompt"] != before and state["status"] == "idle":
            return time.perf_counter() - started
        page.wait_for_timeout(20)
    raise TimeoutError(f"cell {index} did not finish within {timeout:.0f} s")


def _type_into(page, index: int, source: str) -> None:
    editor = _cell(page, index).locator(".jp-InputArea-editor .cm-content").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def _signature(page, index: int) -> str:
    import browser_support as bs

    return bs.output_signature(_cell(page, index))


def _poke_widget(page, index: int) -> str:
    """Move one slider, tick one box or pick another option; '' when the output changed."""
    cell = _cell(page, index)
    before = _signature(page, index)
    # Only controls the student can see (a widget hides a control that does not apply).
    slider = cell.locator(".widget-slider:visible .noUi-handle")
    box = cell.locator(".widget-checkbox:visible input[type=checkbox]")
    dropdown = cell.locator(".widget-dropdown:visible select")
    toggle = cell.locator(".widget-toggle-buttons:visible button, .widget-radio-box:visible input")
    if slider.count():
        did = "moved a slider one step"
        slider.first.focus()
        page.keyboard.press("ArrowRight")
    elif box.count():
        did = "ticked a box"
        box.first.click()
    elif dropdown.count():
        did = "chose another option"
        options = dropdown.first.locator("option")
        current = dropdown.first.input_value()
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        dropdown.first.select_option(next(v for v in values if v != current))
    elif toggle.count() > 1:
        did = "clicked another button"
        toggle.nth(1).click()
    else:
        return "no slider, box, drop-down or button to move"
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        if _signature(page, index) != before:
            return ""
        page.wait_for_timeout(100)
    return f"{did}, but its figure, table and text did not change within 10 s"


def _screenshot(page, index: int, target: Path, block: str = "start") -> None:
    _cell(page, index).evaluate("(el, block) => el.scrollIntoView({block})", block)
    page.wait_for_timeout(300)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))


def walk(page, server, path: Path, shots: Path, log=print) -> LectureRun:
    import browser_support as bs

    nb = nbformat.read(path, as_version=4)
    run = LectureRun(notebook_stats(path))
    relative = path.relative_to(ROOT).as_posix()
    page.goto(server.page_url(f"lab/workspaces/walk-{path.stem}/tree/{relative}"))
    bs.wait_for_lab(page)
    page.locator(".jp-NotebookPanel:visible").first.wait_for()
    bs.wait_kernel_idle(page, server, relative)
    exercises = dict(exercise_cells(nb))
    widgets = set(widget_cells(nb))
    headings = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.lstrip().startswith("## ")]
    section_start, shot = 0, 0

    def take(start: int, name: str = "", block: str = "start") -> None:
        nonlocal shot
        if not name:
            shot += 1
        target = shots / f"{path.name[:2]}-{name or shot}.png"
        _screenshot(page, start, target, block)
        run.screenshots.append(str(target))

    for index, cell in enumerate(nb.cells):
        if index in headings and index > 0:
            take(section_start)
            section_start = index
        _select(page, index)
        if cell.cell_type != "code":
            page.keyboard.press("Shift+Enter")
            continue
        seconds = _run_cell(page, index)
        note = ""
        if index in exercises:
            eid = exercises[index]
            status = page.evaluate(EXERCISE_STATUS_JS, index) or {}
            if status.get("status") != "not_attempted":
                run.problems.append(f"cell {index + 1} ({eid}) undone says {status or 'nothing'}, not 'not attempted'")
            _type_into(page, index, worked_source(cell.source, nb.cells[index + 1].source))
            seconds += _run_cell(page, index)
            status = page.evaluate(EXERCISE_STATUS_JS, index) or {}
            if status.get("status") != "correct":
                run.problems.append(f"cell {index + 1} ({eid}) with the worked answer says {status}")
            note = f"exercise {eid}: {status.get('text', '')[:70]}"
            take(index, f"exercise-{eid.split('.', 1)[1]}", "center")
        if index in widgets:
            outcome = _poke_widget(page, index)
            if outcome:
                run.problems.append(f"cell {index + 1} (widget): {outcome}")
            note = note or "widget: " + (outcome or "responds")
            take(index, f"widget-cell{index + 1}", "start")
        for problem in page.evaluate(CELL_PROBLEMS_JS, index):
            run.problems.append(f"cell {index + 1}: {problem}")
        for problem in page.evaluate(CUT_TEXT_JS, index):
            run.problems.append(f"cell {index + 1}: text cut off: {problem}")
        run.cells.append(CellRecord(index, round(seconds, 3), note))
        log(f"  cell {index + 1:3d}  {seconds:6.2f} s  {note}")
    take(section_start)
    # Execution time: what the student waits for, less the polling of this tool (one 20 ms step a cell).
    run.stats.execution_seconds = round(sum(c.seconds for c in run.cells), 1)
    return run


HEADER = (
    f"{'lecture':8} {'cells':>5} {'words':>6} {'code':>5} {'lines':>5} {'ex.':>4} {'widg.':>5} "
    f"{'exec s':>7} {'minutes':>7}"
)


def row(stats: LectureStats) -> str:
    return (
        f"{stats.lecture:8} {stats.cells:5d} {stats.words:6d} {stats.code_cells:5d} {stats.code_lines:5d} "
        f"{stats.exercises:4d} {stats.widgets:5d} {stats.execution_seconds:7.1f} {stats.estimate_minutes:7d}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lecture", action="append", help="a lecture's number (00..08); repeat for more")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "artifacts" / "walkthrough")
    parser.add_argument("--json", type=Path, help="also write the figures and per-cell times here")
    parser.add_argument("--static", action="store_true", help="only the figures that need no browser")
    args = parser.parse_args(argv)
    paths = [p for p in lectures() if not args.lecture or p.name[:2] in args.lecture]
    if not paths:
        parser.error(f"no lecture {args.lecture} in course/")
    if args.static:
        print(HEADER)
        for path in paths:
            print(row(notebook_stats(path)))
        return 0

    sys.path.insert(0, str(ROOT / "tests"))
    import browser_support as bs
    from playwright.sync_api import sync_playwright

    executable = bs.find_chromium()
    if executable is None:
        print("no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    args.screenshots.mkdir(parents=True, exist_ok=True)
    server = bs.LabServer(log_path=args.screenshots / "jupyterlab.log").start()
    runs: list[LectureRun] = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable, headless=True, args=bs.CHROMIUM_ARGS)
            for path in paths:
                print(f"{path.name}")
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.set_default_timeout(60_000)
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                try:
                    run = walk(page, server, path, args.screenshots)
                except Exception as error:  # report and go on with the next lecture
                    run = LectureRun(notebook_stats(path), problems=[f"walkthrough stopped: {error!r}"])
                    page.screenshot(path=str(args.screenshots / f"{path.name[:2]}-failure.png"))
                run.problems += [f"uncaught JavaScript error: {e}" for e in errors]
                runs.append(run)
                page.close()
                server.shutdown_kernels()
            browser.close()
    finally:
        server.stop()
    print()
    print(HEADER)
    for run in runs:
        print(row(run.stats))
    for run in runs:
        for problem in run.problems:
            print(f"{run.stats.lecture}: {problem}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        **asdict(r.stats),
                        "estimate_minutes": r.stats.estimate_minutes,
                        **{k: v for k, v in asdict(r).items() if k != "stats"},
                    }
                    for r in runs
                ],
                indent=1,
            )
        )
    return 1 if any(r.problems for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
