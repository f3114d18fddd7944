"""The course in a real browser: JupyterLab as students start it, driven by Chromium.

One JupyterLab (`python3 tasks.py lab`, see tests/browser_support.py) and one Chromium
serve the whole session. In that browser:

- every lecture in course/ runs top to bottom (Run > Run All Cells) with no traceback
  and nothing on stderr, and shows rendered widgets when its code uses ipywidgets;
- a slider of the market funnel explorer (course/06_market_sizing.ipynb) changes its
  figure or table;
- the Formgrader lists every assignment of assignments/source/;
- a student fetches ps0_orientation from the Assignment List, answers it, validates it
  and submits it (released beforehand into a temporary exchange, never into the
  repository's assignments/).

Screenshots go to artifacts/browser/; `PLATFORM_INTL_SCREENSHOTS=1` also refreshes the
ones the README shows, in docs/images/.

Needs Debian's `chromium` (no browser download). Without it the tests skip, except
under CI=true, where they fail: `.ci/run` installs chromium on a clean machine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import statistics
import time
from pathlib import Path

import browser_support as bs
import pytest
from conftest import ASSIGNMENTS, COURSE, ROOT, assignment_names, course_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXPLORER_NOTEBOOK = COURSE / "06_market_sizing.ipynb"
STUDENT_ASSIGNMENT = "ps0_orientation"
WIDGET_MARKERS = ("ipywidgets", "platform_intl.widgets", "from platform_intl import widgets")
_workspaces = itertools.count()


def uses_widgets(path: Path) -> bool:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return any(marker in code for marker in WIDGET_MARKERS)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_answers(path: Path, answers: list[str]) -> bool:
    sources = [c["source"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    sources = ["".join(s) if isinstance(s, list) else s for s in sources]
    return all(any(answer.strip() == s.strip() for s in sources) for answer in answers)


def unavailable(reason: str):
    """Skip on a developer's machine; fail under CI, where the browser must be there."""
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(
            f"{reason}. CI=true, so the browser tests must run: `.ci/run` installs "
            "Debian's chromium when it runs as root (apt-get install chromium).",
            pytrace=False,
        )
    pytest.skip(reason)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser(tmp_path_factory, request):
    """One Chromium for the session (a persistent context on a fresh profile folder)."""
    executable = bs.find_chromium()
    if executable is None:
        unavailable(
            "no Chromium found (looked for /usr/bin/chromium, chromium and chromium-browser "
            "on PATH, or PLATFORM_INTL_CHROMIUM); install it with `apt-get install chromium`"
        )
    try:
        import playwright.sync_api  # noqa: F401 (only: is it installed?)
    except ImportError:
        unavailable("the playwright Python package is not installed (it is pinned in requirements.lock)")
    driver = request.getfixturevalue("playwright_session")
    context = driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=executable,
        headless=True,
        args=bs.CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(60_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """A throw-away copy of the course with ps0_orientation released into its own exchange."""
    from platform_intl.instructor.harness import CourseSandbox

    sandbox = CourseSandbox(tmp_path_factory.mktemp("course"), source_course=ROOT / "assignments")
    sandbox.generate(STUDENT_ASSIGNMENT)
    sandbox.nbgrader("release_assignment", STUDENT_ASSIGNMENT, "--force")
    return sandbox


@pytest.fixture(scope="session")
def lab(browser, released, tmp_path_factory):
    """JupyterLab started by `python3 tasks.py lab`, its exchange the sandbox's.

    nbgrader remembers submissions in a cache inside JUPYTER_DATA_DIR (.venv/): the test
    server gets a cache of its own, through an nbgrader_config.py on JUPYTER_CONFIG_PATH,
    so that the test's submission never shows in the user's Assignment List.
    """
    extra_config = tmp_path_factory.mktemp("nbgrader-config")
    (extra_config / "nbgrader_config.py").write_text(
        f"c.Exchange.cache = {str(extra_config / 'nbgrader_cache')!r}\n", encoding="utf-8"
    )
    gradebook = ASSIGNMENTS / "gradebook.db"
    had_gradebook = gradebook.exists()
    config_path = os.pathsep.join(filter(None, [str(extra_config), os.environ.get("JUPYTER_CONFIG_PATH")]))
    server = bs.LabServer(
        env_overrides={"NBGRADER_EXCHANGE": str(released.exchange), "JUPYTER_CONFIG_PATH": config_path}
    )
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(f"`python3 tasks.py lab` did not start JupyterLab: {error}", pytrace=False)
    yield server
    server.stop()
    # The Formgrader opens the course's gradebook and so creates it (git-ignored): tidy up.
    if not had_gradebook:
        gradebook.unlink(missing_ok=True)


@pytest.fixture
def page(browser, lab):
    """A new tab; JavaScript errors that nobody caught fail the test."""
    page = browser.new_page()
    uncaught: list[str] = []
    page.on("pageerror", lambda error: uncaught.append(str(error)))
    # Widget views log their failures (a TypeError while syncing a model) instead of throwing.
    page.on(
        "console",
        lambda message: (
            uncaught.append(message.text) if message.type == "error" and "TypeError" in message.text else None
        ),
    )
    yield page
    page.close()
    lab.shutdown_kernels()
    assert uncaught == [], f"uncaught JavaScript errors in the page: {uncaught}"


def goto(page, lab, path: str = "") -> None:
    """Open JupyterLab in a fresh workspace of its own, optionally at a file."""
    suffix = f"/tree/{path}" if path else ""
    page.goto(lab.page_url(f"lab/workspaces/test-{next(_workspaces)}{suffix}"))
    bs.wait_for_lab(page)


def open_and_run(page, lab, notebook: Path) -> None:
    """Open the notebook, Run All, and require that every cell ran without an error shown."""
    goto(page, lab, relative(notebook))
    page.locator(".jp-NotebookPanel:visible").first.wait_for()
    bs.wait_kernel_idle(page, lab, relative(notebook))
    not_run = bs.run_all_cells(page)
    problems = bs.error_outputs(page) + not_run
    assert problems == [], f"{notebook.name} in JupyterLab: " + "\n".join(problems)


#: Where a label or a table cell of the course's own output could be cut off by its box.
CUT_TEXT_SELECTOR = ", ".join(
    f".jp-OutputArea-output {inner}"
    for inner in (".widget-label", ".widget-label-basic", ".jupyter-button", ".widget-readout", "td", "th")
)


def cut_text(page) -> list[str]:
    """Visible labels, buttons, readouts and table cells whose text is wider than their box."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null && el.textContent.trim())
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => `${el.className || el.tagName}: "${el.textContent.trim()}" needs ${el.scrollWidth}px, `
                       + `has ${el.clientWidth}px`)""",
        CUT_TEXT_SELECTOR,
    )


@pytest.mark.timeout(60)
def test_cut_text_is_found(browser):
    """The label check can fail: a widget label narrower than its text is reported, a wide one not."""
    page = browser.new_page()
    try:
        page.set_content(
            '<div class="jp-OutputArea-output">'
            '<div class="widget-label" style="width:60px;overflow:hidden;white-space:nowrap;'
            'text-overflow:ellipsis">Share of timeline views outside the US (assumption)</div>'
            '<div class="widget-label" style="width:600px;overflow:hidden;white-space:nowrap">Markets</div>'
            "<table><tr><td>whole</td></tr></table></div>"
        )
        found = cut_text(page)
    finally:
        page.close()
    assert len(found) == 1 and "Share of timeline views" in found[0]


# --------------------------------------------------------------------------- lectures


@pytest.mark.timeout(240)
@pytest.mark.parametrize("notebook", course_notebooks(), ids=lambda p: p.name)
def test_lecture_runs_in_jupyterlab(page, lab, notebook):
    before = digest(notebook)
    open_and_run(page, lab, notebook)
    if uses_widgets(notebook):
        widgets = page.locator(f".jp-NotebookPanel:visible :is({bs.WIDGET_SELECTOR})")
        widgets.first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # let every widget view finish rendering
        assert bs.rendered_widgets(page) > 0
        assert bs.error_outputs(page) == [], f"{notebook.name}: a widget failed to render"
        widgets.first.scroll_into_view_if_needed()
    assert cut_text(page) == [], f"{notebook.name}: text cut off by its box"
    bs.save_screenshot(page, f"lecture-{notebook.stem}.png")
    assert digest(notebook) == before, f"{notebook.name} was modified on disk by the browser session"


@pytest.mark.timeout(240)
def test_market_funnel_slider_changes_the_figure_or_table(page, lab):
    if not EXPLORER_NOTEBOOK.exists():
        pytest.skip(f"{relative(EXPLORER_NOTEBOOK)} (the market funnel explorer lecture) does not exist yet")
    open_and_run(page, lab, EXPLORER_NOTEBOOK)
    cell = page.locator(".jp-NotebookPanel:visible .jp-CodeCell", has=page.locator(".widget-slider")).first
    cell.wait_for(timeout=30_000)
    handle = cell.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    readout = cell.locator(".widget-slider .widget-readout").first
    latencies = []
    for _ in range(5):
        before, before_readout = bs.output_signature(cell), readout.inner_text()
        handle.focus()
        started = time.perf_counter()
        page.keyboard.press("ArrowRight")
        deadline = started + 15
        while bs.output_signature(cell) == before and time.perf_counter() < deadline:
            page.wait_for_timeout(10)
        assert readout.inner_text() != before_readout, "the slider did not move"
        assert bs.output_signature(cell) != before, "moving the slider changed neither the figure nor the table"
        latencies.append(time.perf_counter() - started)
    bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (bs.ARTIFACTS / "slider-latency.json").write_text(
        json.dumps(
            {"notebook": relative(EXPLORER_NOTEBOOK), "seconds": latencies, "median": statistics.median(latencies)}
        )
    )
    assert bs.error_outputs(page) == []
    cell.locator(".jp-OutputArea-output").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    bs.save_screenshot(page, "course-in-use.png", publish=True)


@pytest.mark.timeout(240)
def test_market_explorer_does_what_the_lecture_says(page, lab):
    """Lecture 06: untick Hong Kong, Macau and Taiwan; Reset brings them back; switch scenario."""
    open_and_run(page, lab, EXPLORER_NOTEBOOK)
    cell = page.locator(".jp-NotebookPanel:visible .jp-CodeCell", has=page.locator(".widget-checkbox")).first
    cell.wait_for(timeout=30_000)
    boxes = cell.locator(".widget-checkbox input[type=checkbox]")
    assert boxes.count() >= 10 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))

    def changed(before: str) -> None:
        deadline = time.perf_counter() + 15
        while bs.output_signature(cell) == before and time.perf_counter() < deadline:
            page.wait_for_timeout(20)
        assert bs.output_signature(cell) != before, "the explorer did not redraw"

    for code in ("HK", "MO", "TW"):
        box = cell.locator(".widget-checkbox", has_text=f"({code})").locator("input")
        box.scroll_into_view_if_needed()
        before = bs.output_signature(cell)
        box.click()
        changed(before)
        assert not box.is_checked()
    assert "Hong Kong" not in cell.locator("table").first.inner_text()
    before = bs.output_signature(cell)
    cell.get_by_role("button", name="Reset to scenario defaults").click()
    changed(before)
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    before = bs.output_signature(cell)
    cell.locator("select").first.select_option(label="RedNote and US TikTok users, on the day of the ban")
    changed(before)
    assert cell.locator(".widget-checkbox").count() == 1
    assert cut_text(page) == []


@pytest.mark.timeout(180)
def test_a_lecture_shows_as_slides(page, lab):
    """jupyterlab-rise presents a lecture as a talk: one slide per section, the arrow keys move on."""
    import nbformat

    notebook = COURSE / "06_market_sizing.ipynb"
    cells = nbformat.read(notebook, as_version=4).cells
    expected = sum(c.metadata.get("slideshow", {}).get("slide_type") == "slide" for c in cells)
    page.goto(lab.page_url(f"rise/{relative(notebook)}"))
    slides = page.locator(".reveal .slides > section")
    slides.first.wait_for(timeout=120_000)
    deadline = time.monotonic() + 60
    while slides.count() < expected and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert slides.count() == expected >= 8
    present = page.locator(".reveal .slides > section.present")
    assert "Market sizing" in present.inner_text()
    first = present.inner_text()
    page.locator(".reveal").click()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 15
    while present.inner_text() == first and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert present.inner_text() != first, "the arrow key did not move to the next slide"
    page.wait_for_timeout(1500)  # reveal.js slides in; the screenshot shows the slide, not the move
    bs.save_screenshot(page, "lecture-as-slides.png")


# --------------------------------------------------------------------------- nbgrader


@pytest.mark.timeout(180)
def test_formgrader_lists_the_assignments(page, lab):
    goto(page, lab)
    bs.menu_command(page, "Nbgrader", "nbgrader:open-formgrader")
    formgrader = page.frame_locator("iframe[src*='formgrader']").first
    names = assignment_names()
    assert names, "assignments/source/ holds no assignment"
    for name in names:
        row = formgrader.locator("table tbody tr", has=formgrader.locator(f"td.name[data-order='{name}']"))
        row.wait_for(timeout=30_000)
    released_row = formgrader.locator(f"table tbody tr:has(td.name[data-order='{STUDENT_ASSIGNMENT}'])")
    assert released_row.locator("td.status").inner_text().strip() == "released"
    formgrader.locator("table").first.scroll_into_view_if_needed()
    bs.save_screenshot(page, "formgrader.png", publish=True)


@pytest.mark.timeout(240)
def test_student_fetches_validates_and_submits(page, lab, released):
    from platform_intl.instructor import harness

    # nbgrader fetches into the student's folder, which for `tasks.py lab` is the repository root.
    fetched = ROOT / STUDENT_ASSIGNMENT
    if fetched.exists():
        pytest.skip(f"{fetched} exists already (an earlier fetch?); move it away to run this test")
    source = harness.load_notebook(released.notebook_paths(STUDENT_ASSIGNMENT)[0])
    code_answers = list(harness.solution_answers(source).values())
    try:
        goto(page, lab)
        bs.menu_command(page, "Nbgrader", "nbgrader:open-assignment-list")
        page.locator("#released_assignments_list .list_item", has_text=STUDENT_ASSIGNMENT).locator(
            "button", has_text="Fetch"
        ).click()
        item = page.locator("#fetched_assignments_list .list_item", has_text=STUDENT_ASSIGNMENT).first
        item.wait_for()
        assert (fetched / f"{STUDENT_ASSIGNMENT}.ipynb").exists()

        # Open the notebook from the list, answer every question, save.
        item.locator("a.assignment-notebooks-link").click()
        page.locator("#fetched_assignments_list .nested_list_item a", has_text=STUDENT_ASSIGNMENT).click()
        notebook = page.locator(".jp-NotebookPanel:visible").first
        notebook.wait_for()
        bs.wait_kernel_idle(page, lab, f"{STUDENT_ASSIGNMENT}/{STUDENT_ASSIGNMENT}.ipynb")
        stubs = notebook.locator(".jp-CodeCell", has_text="YOUR CODE HERE")
        assert stubs.count() == len(code_answers)
        for answer in code_answers:
            stubs.first.locator(".cm-content").click()  # the filled cell leaves the list
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(answer)
        written = notebook.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE")
        for _ in range(written.count()):
            cell = written.first
            cell.dblclick()
            cell.locator(".cm-content").click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(
                "Registered accounts count every account ever opened; monthly "
                "active users count the people who used it in a month."
            )
            page.keyboard.press("Shift+Enter")
        assert written.count() == 0, "a written answer could not be typed in"
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        saved = fetched / f"{STUDENT_ASSIGNMENT}.ipynb"
        deadline = time.monotonic() + 30
        while not has_answers(saved, code_answers) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert has_answers(saved, code_answers), "saving the answered notebook did not reach the disk"

        # Validate from the Assignment List: the answers pass every visible test.
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        page.locator("#fetched_assignments_list .nested_list_item button", has_text="Validate").click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(timeout=120_000)
        message = dialog.locator("#validation-message").inner_text()
        assert "Success! Your notebook passes all the tests." in message, message
        bs.save_screenshot(page, "validate-dialog.png", publish=True)
        dialog.locator("button", has_text="Ok").click()

        # Submit: it shows as submitted, and the exchange's inbound holds the answers.
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=STUDENT_ASSIGNMENT)
        assert submitted.count() == 0
        item.locator("button", has_text="Submit").click()
        submitted.first.wait_for()
        inbound = list((released.exchange / "platform-intl" / "inbound").glob(f"*+{STUDENT_ASSIGNMENT}+*"))
        assert len(inbound) == 1, inbound
        assert has_answers(inbound[0] / f"{STUDENT_ASSIGNMENT}.ipynb", code_answers)
        page.wait_for_timeout(300)
        bs.save_screenshot(page, "assignment-list.png", publish=True)
    finally:
        shutil.rmtree(fetched, ignore_errors=True)
