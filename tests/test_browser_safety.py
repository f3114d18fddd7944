"""A student's script does not run when the grader or the student opens their work, in Chromium.

One small course (ps0_orientation, one student) whose answers carry payloads: a written
answer with ``<img src=x onerror=...>`` and a ``javascript:`` link, and a code answer that
prints the same through ``IPython.display.HTML``. Each payload, if it ran, would set
``window.__pwned`` and open a dialog. The submission is autograded and its feedback
generated with the course's nbgrader_config.py, then opened in Debian's Chromium:

- in the Formgrader's manual-grading view (a Jupyter server on 127.0.0.1, as the
  instructor starts it in the course folder), where the page's own scripts run;
- as the feedback HTML file the student receives.

Neither may run the payload (no dialog, no ``window.__pwned``, also after clicking the
link), and both must still show the answer text, the HTML output's legitimate part and,
in the Formgrader, the score fields. Requests that leave 127.0.0.1 are blocked, so that an
answer cannot load anything either.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

import browser_support as bs
import pytest
from conftest import ROOT

from platform_intl.instructor import harness
from platform_intl.instructor.behaviours import select_cells, starting_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "ps0_orientation"
STUDENT = "mallory"
WRITTEN_TEXT = "Registered accounts and monthly actives measure different things"
OUTPUT_TEXT = "My own HTML output, rendered"
WRITTEN = (
    f"{WRITTEN_TEXT}. "
    "<img src=x onerror=\"window.__pwned='written onerror'; alert('written onerror')\"> "
    "<a id=\"runme\" href=\"javascript:window.__pwned='written link'; alert('written link')\">see my link</a>\n"
)
CODE = (
    "\nfrom IPython.display import HTML, display\n"
    f"display(HTML('<p>{OUTPUT_TEXT}</p>"
    "<img src=x onerror=\"window.__pwned=\\'html output\\'; alert(\\'html output\\')\">'))\n"
)


def unavailable(reason: str):
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; CI=true, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory, request):
    executable = bs.find_chromium()
    if executable is None:
        unavailable("no Chromium found (apt-get install chromium)")
    try:
        import playwright.sync_api
    except ImportError:
        unavailable("the playwright Python package is not installed")
    # The sync API allows one driver at a time: share the session's.
    playwright = request.getfixturevalue("playwright_session")
    browser = playwright.chromium.launch(executable_path=executable, headless=True, args=bs.CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """ps0_orientation answered correctly by one student, with the payloads; autograded, feedback generated."""
    sandbox = harness.CourseSandbox(tmp_path_factory.mktemp("course"), source_course=ROOT / "assignments")
    release_path = sandbox.generate(ASSIGNMENT)[0]
    release = harness.load_notebook(release_path)
    source = harness.load_notebook(sandbox.notebook_paths(ASSIGNMENT)[0])
    nb = starting_notebook("correct", release, source)
    select_cells(nb, source, "written:0")[0].source = WRITTEN
    select_cells(nb, source, "answer:-1")[0].source += CODE
    sandbox.submit(ASSIGNMENT, STUDENT, {release_path.name: nb})
    sandbox.autograde(ASSIGNMENT)
    sandbox.nbgrader("generate_feedback", ASSIGNMENT, "--force")
    feedback = sandbox.root / "feedback" / STUDENT / ASSIGNMENT / f"{release_path.stem}.html"
    assert feedback.is_file(), sandbox.log[-1].output[-2000:]
    return sandbox, feedback


@pytest.fixture(scope="module")
def formgrader(graded):
    """A Jupyter server with the Formgrader, started in the course folder as an instructor would."""
    sandbox, _ = graded
    port, token = bs.free_port(), "safety-test-token"
    args = bs.jupyter_server_command(port, token, sandbox.root)
    log = sandbox.root / "jupyter-server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            args, cwd=sandbox.root, env=sandbox.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"

    def api(path):
        request = urllib.request.Request(url + path, headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                api("/formgrader/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Formgrader did not start:\n{log.read_text()[-3000:]}", pytrace=False)
                time.sleep(0.3)
        submissions = api(f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")
        (submission,) = [s for s in submissions if s["student"] == STUDENT]
        yield f"{url}/formgrader/submissions/{submission['id']}/?token={token}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def open_page(chromium, url: str):
    """A fresh page at ``url`` that records dialogs and blocks requests that leave this machine."""
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []

    def dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "file://", "data:"))
            else route.abort()
        ),
    )
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(800)  # broken images report their errors (onerror) right after loading
    return page, dialogs


def assert_no_payload_ran(page, dialogs) -> None:
    assert dialogs == [], f"a student's script opened dialogs: {dialogs}"
    assert page.evaluate("() => window.__pwned") is None, "a student's script ran"
    links = page.get_by_text("see my link")
    assert links.count() == 1 and links.first.is_visible()
    links.first.click()
    page.wait_for_timeout(300)
    assert dialogs == [] and page.evaluate("() => window.__pwned") is None, "the link ran a student's script"


@pytest.mark.timeout(300)
def test_formgrader_shows_the_submission_without_running_the_students_script(chromium, formgrader):
    page, dialogs = open_page(chromium, formgrader)
    try:
        # The page's own scripts run (so a payload could have): the Formgrader set up its models.
        assert page.evaluate("() => typeof window.submission_id") == "string"
        page.locator("input.score").first.wait_for(timeout=30_000)
        assert_no_payload_ran(page, dialogs)
        assert page.get_by_text(WRITTEN_TEXT).is_visible()
        assert page.locator(".output_html p", has_text=OUTPUT_TEXT).is_visible()
        assert page.locator("input.score").count() >= 1, "the grader's score fields are missing"
        page.get_by_text(WRITTEN_TEXT).scroll_into_view_if_needed()
        bs.save_screenshot(page, "formgrader-script-in-answer.png")
    finally:
        page.close()


@pytest.mark.timeout(300)
def test_feedback_shows_the_answers_without_running_the_students_script(chromium, graded):
    _, feedback = graded
    page, dialogs = open_page(chromium, feedback.as_uri())
    try:
        assert_no_payload_ran(page, dialogs)
        assert page.get_by_text(WRITTEN_TEXT).is_visible()
        assert page.locator(".output_html p", has_text=OUTPUT_TEXT).is_visible()
        assert page.get_by_text("Score:").count() >= 1, "the feedback's scores are missing"
        page.get_by_text(WRITTEN_TEXT).scroll_into_view_if_needed()
        bs.save_screenshot(page, "feedback-script-in-answer.png")
    finally:
        page.close()
