"""A class on the class server, in a real browser: log-in, fetch, submit, grade, feedback.

`python3 tasks.py hub` serves the main course and the demo course (tests/hub_support.py
lays them out under a temporary root, with tagged course ids and accounts). In Chromium,
each through the hub's log-in page:

1. the instructor releases ps0 from the Formgrader;
2. three students fetch it from the Assignment List, answer it (each signs their written
   answer), validate and submit;
3. the instructor collects, autogrades each submission, grades the written answers in
   the Formgrader and releases feedback;
4. each student fetches feedback and finds their own answer in it, nobody else's;
5. a student is refused the Formgrader (403) and another student's submission
   (PermissionError from their own kernel).

Run once with the SQLite gradebook and once with PostgreSQL (Debian's server, started by
the command). Screenshots: artifacts/hub/; `PLATFORM_INTL_SCREENSHOTS=1` also refreshes
docs/images/hub-*.png. Needs root on Linux and Debian's chromium; skips elsewhere.
"""

from __future__ import annotations

import os
import re
import time

import browser_support as bs
import hub_support
import pytest
from conftest import ASSIGNMENTS

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.hub]

PS0 = "ps0_orientation"
STUDENTS = ("ana", "ben", "chen")
WRITTEN = "Registered accounts count every account ever opened; monthly active users count who used it. Signed: {}"


@pytest.fixture(scope="module")
def chromium(request):
    hub_support.skip_unless_root_on_linux()
    executable = bs.find_chromium()
    if executable is None:
        reason = "no Chromium found: `apt-get install chromium` (.ci/run installs it)"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI=true, so the class server's browser test must run", pytrace=False)
        pytest.skip(reason)
    driver = request.getfixturevalue("playwright_session")
    browser = driver.chromium.launch(executable_path=executable, headless=True, args=bs.CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def classroom(request, chromium):
    server = hub_support.ClassServer(gradebook=request.param)
    hub = hub_support.HubProcess(server)
    for old in hub.log_path.parent.glob("failed-*.png"):
        old.unlink()
    try:
        server.lay_out()
        server.students = server.add_roster(server.main, [(s, "student") for s in STUDENTS])
        (server.instructor,) = server.add_roster(server.main, [("ines", "instructor")])
        for user in server.students:
            hub_support.write_lab_settings(server, user)
        hub.start()
        yield server, hub
    finally:
        hub.stop()
        server.remove()


def log_in(chromium, hub, server, user: str):
    """A browser context of the user's own, logged in through the hub's log-in page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", server.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=120_000)
    bs.wait_for_lab(page)
    return page


KERNEL_READY_JS = """async () => {
    // The open notebook's kernel, as the user's Jupyter server and the page both see it.
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
    if (!panel || !panel.querySelector('.jp-Cell') || !indicator
        || indicator.getAttribute('data-status') !== 'idle') return false;
    const base = location.pathname.split('/lab')[0];
    // Behind JupyterHub, cookie-authenticated API calls carry the XSRF token, as JupyterLab's do.
    const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';
    const response = await fetch(base + '/api/sessions', {headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
    const sessions = response.ok ? await response.json() : [];
    return sessions.some(s => s.kernel && s.kernel.execution_state === 'idle' && s.kernel.connections > 0);
}"""


def wait_idle(page, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(KERNEL_READY_JS):
            return
        page.wait_for_timeout(250)
    raise TimeoutError("the notebook's kernel did not become idle")


class Formgrader:
    """The course's Formgrader, as the instructor uses it (its own pages, through the hub)."""

    def __init__(self, page, hub, course_id: str):
        self.page, self.base = page, f"{hub.url}/services/{course_id}/formgrader"

    def open(self, path: str = "manage_assignments"):
        response = self.page.goto(f"{self.base}/{path}")
        assert response is not None and response.status == 200, f"Formgrader {path}: {response and response.status}"
        return self.page

    def click_and_confirm(self, row, column: str) -> None:
        row.locator(f"td.{column} a").click()
        modal = self.page.locator("#success-modal, #error-modal").first
        modal.wait_for(timeout=180_000)
        title = modal.locator(".modal-title").inner_text()
        body = modal.locator(".modal-body").inner_text()
        modal.locator("button", has_text="OK").last.click()
        modal.wait_for(state="detached")
        assert title.strip() == "Success", f"{column}: {title}: {body[-1500:]}"

    def assignment_row(self, name: str):
        row = self.page.locator("table tbody tr", has=self.page.locator(f"td.name:has-text('{name}')"))
        row.wait_for()
        return row


def is_grade_saved(response) -> bool:
    return "/formgrader/api/grade/" in response.url and response.request.method == "PUT"


def student_submits(page, server, user: str, answers: list[str]) -> None:
    """Fetch ps0 from the Assignment List, answer, validate and submit, as a person would."""
    bs.menu_command(page, "Nbgrader", "nbgrader:open-assignment-list")
    page.locator("#released_assignments_list .list_item", has_text=PS0).locator("button", has_text="Fetch").click()
    item = page.locator("#fetched_assignments_list .list_item", has_text=PS0).first
    item.wait_for()
    item.locator("a.assignment-notebooks-link").click()
    page.locator("#fetched_assignments_list .nested_list_item a", has_text=PS0).click()
    notebook = page.locator(".jp-NotebookPanel:visible").first
    notebook.wait_for()
    wait_idle(page)
    stubs = notebook.locator(".jp-CodeCell", has_text="YOUR CODE HERE")
    assert stubs.count() == len(answers)
    for answer in answers:
        stubs.first.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(answer)
    written = notebook.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE")
    for _ in range(written.count()):
        cell = written.first
        cell.dblclick()
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(WRITTEN.format(user))
        page.keyboard.press("Shift+Enter")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    saved = server.home(user) / server.main / PS0 / f"{PS0}.ipynb"
    deadline = time.monotonic() + 30
    while WRITTEN.format(user) not in saved.read_text(encoding="utf-8") and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    page.locator("#fetched_assignments_list .nested_list_item button", has_text="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    message = dialog.locator("#validation-message").inner_text()
    assert "Success! Your notebook passes all the tests." in message, f"{user}: {message}"
    dialog.locator("button", has_text="Ok").click()
    item.locator("button", has_text="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text=PS0).first.wait_for()


def run_in_notebook(page, code: str) -> str:
    """Type ``code`` into a new cell at the end of the open notebook, run it, return its output."""
    notebook = page.locator(".jp-NotebookPanel:visible").first
    notebook.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+Enter")  # run it and stay on it: it remains the last cell
    output = notebook.locator(".jp-CodeCell").last.locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=60_000)
    return output.first.inner_text()


@pytest.mark.timeout(600)
def test_a_class_cycle_through_the_hub(classroom, chromium):
    server, hub = classroom
    pages: dict = {}
    try:
        cycle(server, hub, chromium, pages)
    except BaseException:
        for name, page in pages.items():  # what each person saw when it failed
            if not page.is_closed():
                page.screenshot(path=str(hub.log_path.parent / f"failed-{name}.png"))
        raise
    finally:
        for page in pages.values():
            page.context.close()


def cycle(server, hub, chromium, pages: dict) -> None:
    """The five steps of the module's docstring; ``pages`` collects each person's tab."""
    from platform_intl.instructor import harness

    source = harness.load_notebook(ASSIGNMENTS / "source" / PS0 / f"{PS0}.ipynb")
    answers = list(harness.solution_answers(source).values())

    # 1. The instructor logs in and releases ps0 from the Formgrader.
    teacher = pages["instructor"] = log_in(chromium, hub, server, server.instructor)
    formgrader = Formgrader(teacher, hub, server.main)
    formgrader.open()
    formgrader.click_and_confirm(formgrader.assignment_row(PS0), "assign")
    formgrader.click_and_confirm(formgrader.assignment_row(PS0), "release")

    # 2. Three students log in, fetch, answer, validate and submit.
    for user in server.students:
        pages[user] = log_in(chromium, hub, server, user)
        student_submits(pages[user], server, user, answers)

    # 3. The instructor collects, autogrades, grades the written answers, releases feedback.
    formgrader.open()
    formgrader.click_and_confirm(formgrader.assignment_row(PS0), "collect")
    formgrader.open(f"manage_submissions/{PS0}")
    for user in server.students:
        row = teacher.locator("table tbody tr", has=teacher.locator(f"td.student-id:has-text('{user}')"))
        formgrader.click_and_confirm(row, "autograde")
    formgrader.open(f"gradebook/{PS0}/{PS0}")
    links = teacher.locator("table tbody tr td a[href*='/formgrader/submissions/']")
    links.first.wait_for()
    submissions = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
    assert len(submissions) == len(server.students), submissions
    for href in submissions:
        teacher.goto(href if href.startswith("http") else hub.url + href)
        scores = teacher.locator("input.score.needs_manual_grade")
        scores.first.wait_for()
        for i in range(scores.count()):
            with teacher.expect_response(is_grade_saved) as saved:
                scores.nth(i).fill("1")
                scores.nth(i).press("Tab")
            assert saved.value.ok, f"saving a manual grade: {saved.value.status}"
    bs.save_screenshot(teacher, "hub-formgrader.png", publish=True)
    formgrader.open()
    formgrader.click_and_confirm(formgrader.assignment_row(PS0), "generate-feedback")
    formgrader.click_and_confirm(formgrader.assignment_row(PS0), "release-feedback")

    # 4. Each student fetches feedback: their own answer is in it, nobody else's.
    for user in server.students:
        page = pages[user]
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        page.locator("#refresh_assignments_list").click()
        item = page.locator("#submitted_assignments_list .list_item", has_text=PS0).first
        item.locator("button", has_text="Fetch Feedback").click()
        folder = server.home(user) / server.main / PS0 / "feedback"
        deadline = time.monotonic() + 60
        while not list(folder.rglob("*.html")) and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        (html,) = folder.rglob("*.html")
        text = html.read_text(encoding="utf-8")
        assert WRITTEN.format(user) in text, f"{user}'s feedback lacks their answer"
        others = [o for o in server.students if o != user and f"Signed: {o}" in text]
        assert others == [], f"{user}'s feedback shows the work of {others}"
    bs.save_screenshot(pages[server.students[0]], "hub-assignment-list.png", publish=True)

    # 5. Refusals: the Formgrader, another student's server and submission.
    intruder, victim = server.students[-1], server.students[0]
    page = pages[intruder]
    response = page.goto(f"{hub.url}/services/{server.main}/formgrader")
    assert response is not None and response.status == 403
    response = page.goto(f"{hub.url}/user/{victim}/lab")
    assert response is not None and response.status in (403, 404)
    inbound = server.exchange(server.main) / "inbound"
    victims = [p for p in inbound.iterdir() if p.name.startswith(f"{victim}+")]  # found as root
    page.goto(f"{hub.url}/user/{intruder}/lab/tree/{server.main}/{PS0}/{PS0}.ipynb")
    bs.wait_for_lab(page)
    page.locator(".jp-NotebookPanel:visible").first.wait_for()
    wait_idle(page)
    output = run_in_notebook(page, f"open({str(victims[0] / (PS0 + '.ipynb'))!r}).read()")
    assert "PermissionError" in output, output
    output = run_in_notebook(page, f"import os; os.listdir({str(inbound)!r})")
    assert "PermissionError" in output, output
