"""Feedback and the Formgrader are safe to open: nothing a student wrote runs in them.

Students' HTML reaches two pages: the Formgrader's view of a submission (on the
instructor's Jupyter server) and the feedback file (opened by the student, in their
JupyterLab). Both are rendered by nbconvert's HTMLExporter as assignments/nbgrader_config.py
configures it (src/platform_intl/instructor/safe_html.py). These tests render a notebook
full of payloads with that configuration and nbgrader's own templates, check the pieces
(the HTML allowlist, the feedback folder, the release), and, on the class simulation,
every feedback page of every student. tests/test_browser_safety.py opens both pages in
Chromium.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS

from platform_intl.instructor import course as admin
from platform_intl.instructor import feedback, safe_html
from platform_intl.instructor.feedback import FeedbackClearHiddenTests, ReleaseOnlyFeedback, keep_only_feedback

NBGRADER_TEMPLATES = Path(__import__("nbgrader").__file__).parent / "server_extensions" / "formgrader" / "templates"
BOOTSTRAP_CSS = NBGRADER_TEMPLATES.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css"
#: The only scripts a feedback page may hold: nbconvert's MathJax loader and its configuration.
MATHJAX_SRC = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"

PAYLOADS = {
    "img onerror": '<img src=x onerror="window.__pwned=1">',
    "script": "<script>window.__pwned=1</script>",
    "javascript link": '<a href="javascript:window.__pwned=1">x</a>',
    "javascript link, mixed case and entities": '<a href="JaVa&#x53;cript:window.__pwned=1">x</a>',
    "iframe srcdoc": '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    "object": '<object data="data:text/html,<script>parent.__pwned=1</script>"></object>',
    "embed": '<embed src="data:text/html,<script>parent.__pwned=1</script>">',
    "svg script": "<svg><script>window.__pwned=1</script></svg>",
    "svg onload": '<svg onload="window.__pwned=1"></svg>',
    "body onload": '<body onload="window.__pwned=1">',
    "details ontoggle": '<details open ontoggle="window.__pwned=1">x</details>',
    "form action": '<form action="javascript:window.__pwned=1"><button>go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">',
    "style import": "<style>@import 'javascript:window.__pwned=1';</style>",
    "base href": '<base href="javascript:window.__pwned=1//">',
    "data html link": '<a href="data:text/html,<script>window.__pwned=1</script>">x</a>',
    "math href": '<math href="javascript:window.__pwned=1"><mi>x</mi></math>',
    "noscript breakout": '<noscript><p title="</noscript><img src=x onerror=window.__pwned=1>">',
}


class ActiveContent(HTMLParser):
    """Everything in a page that could run or load code: scripts, handlers, script URLs, frames."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[tuple[str, str]] = []  # (src, type)
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append((attributes.get("src") or "", attributes.get("type") or ""))
        if tag in ("iframe", "frame", "object", "embed", "applet", "base", "form", "svg", "math", "meta"):
            if not (tag == "meta" and set(attributes) <= {"charset", "name", "content"}):
                self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in self.URL_ATTRIBUTES and value:
                flat = "".join(value.split()).lower()
                if flat.startswith(("javascript:", "vbscript:", "data:text", "data:application")):
                    self.found.append(f"{tag} {name}={value[:40]}")
            if name == "srcdoc":
                self.found.append(f"{tag} srcdoc")


def active_content(page: str) -> tuple[list[str], list[tuple[str, str]]]:
    parser = ActiveContent()
    parser.feed(page)
    parser.close()
    return parser.found, parser.scripts


def assert_inert(page: str, allowed_scripts=((MATHJAX_SRC, ""), ("", "text/x-mathjax-config"))) -> None:
    found, scripts = active_content(page)
    assert found == [], found
    assert [s for s in scripts if s not in allowed_scripts] == [], scripts


# --------------------------------------------------------------------------- clean()


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_clean_leaves_nothing_that_runs(payload):
    cleaned = safe_html.clean(f"<p>before</p>{payload}<p>after</p>")
    assert_inert(cleaned, allowed_scripts=())
    assert "<p>before</p>" in cleaned


def test_clean_keeps_what_notebooks_show():
    table = '<table border="1" class="dataframe"><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    figure = (
        '<figure class="platform-intl-figure"><img src="data:image/png;base64,iVBORw0KGgo=" alt="Users by year" '
        'style="max-width:100%"/><figcaption style="font-size:85%">Source: <em>CLDR</em></figcaption></figure>'
    )
    code = '<div class="highlight"><pre><span class="kn">import</span> <span class="nn">pandas</span></pre></div>'
    link = '<a href="https://example.org/report">the report</a> and <a href="#Heading">a heading</a>'
    cleaned = safe_html.clean(table + figure + code + link + "<p>1 &lt; 2 &amp; 3</p>")
    for kept in (
        'class="dataframe"',
        "<th>a</th>",
        'src="data:image/png;base64,iVBORw0KGgo="',
        'alt="Users by year"',
        "<figcaption",
        'class="kn"',
        'href="https://example.org/report"',
        'href="#user-content-Heading"',
        "1 &lt; 2 &amp; 3",
    ):
        assert kept in cleaned, kept


def test_clean_keeps_students_html_from_taking_over_the_page():
    cleaned = safe_html.clean(
        '<div id="q1_value" class="navbar-fixed-top modal" style="position:fixed;top:0;z-index:9;color:red;'
        'background-image:url(https://tracker.example/x.png)">Score: 7 / 7</div><img src="https://tracker.example/p.gif">'
    )
    assert 'id="user-content-q1_value"' in cleaned
    for gone in ("navbar-fixed-top", "modal", "position", "z-index", "tracker.example"):
        assert gone not in cleaned, gone
    assert "color:red" in cleaned


def test_clean_document_keeps_the_templates_head_and_cleans_the_body():
    page = (
        "<!DOCTYPE html>\n<html>\n<head><style>body {color: black}</style>"
        f'<script src="{MATHJAX_SRC}"> </script></head>\n'
        '<body>\n<div class="panel"><a name="top"></a><img src=x onerror="alert(1)">text</div>\n</body>\n'
        "</html>\n<script>alert(2)</script>"
    )
    cleaned = safe_html.clean_document(page)
    assert cleaned.startswith("<!DOCTYPE html>\n<html>\n<head><style>body {color: black}</style>")
    assert '<div class="panel"><a name="top" rel="noopener noreferrer"></a><img>text</div>' in cleaned
    assert "alert" not in cleaned
    with pytest.raises(ValueError, match="document"):
        safe_html.clean_document("<p>no body</p>")


# ----------------------------------------------------------- the course's exporter


def payload_notebook() -> nbformat.NotebookNode:
    """A graded notebook with payloads in a written answer, a raw cell and every kind of output."""
    nb = nbformat.v4.new_notebook()
    meta = {"schema_version": 3, "locked": False, "points": 2, "score": 1.0}
    written = nbformat.v4.new_markdown_cell(
        "My written answer: **bold stays**.\n\n| metric | value |\n|---|---|\n| MAU | 446 |\n\n"
        + "".join(PAYLOADS.values())
    )
    written.metadata["nbgrader"] = {**meta, "grade_id": "written", "solution": True, "grade": True}
    notes = nbformat.v4.new_markdown_cell(
        "**Grader notes**\n\n- Submission time unknown: timestamp.txt read '<img src=x onerror=\"window.__pwned=1\">'"
    )
    notes.metadata["tags"] = ["grader-notes"]
    raw = nbformat.v4.new_raw_cell("<b>raw stays</b><script>window.__pwned=1</script>")
    code = nbformat.v4.new_code_cell("answer = 42", execution_count=1)
    code.metadata["nbgrader"] = {**meta, "grade_id": "answer", "solution": True, "grade": False, "points": 0}
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    code.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<p>HTML output stays</p>" + PAYLOADS["img onerror"]}
        ),
        nbformat.v4.new_output(
            "display_data", data={"application/javascript": "window.__pwned = 1", "text/plain": "<JS object>"}
        ),
        nbformat.v4.new_output("display_data", data={"application/javascript": "window.__pwned = 1"}),
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "abc</script><script>window.__pwned=1"},
                "text/plain": "IntSlider(value=3)",
            },
        ),
        nbformat.v4.new_output(
            "display_data",
            data={
                "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"><circle r="4"/></svg>'
            },
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png},
            metadata={"image/png": {"width": "10 onerror=window.__pwned=1", "height": 20, "alt": "a dot"}},
        ),
        nbformat.v4.new_output("display_data", data={"image/png": '" onerror="window.__pwned=1'}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "*markdown output* " + PAYLOADS["script"]}),
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": "<b>isolated</b><script>window.__pwned=1</script>"},
            metadata={"text/html": {"isolated": True}},
            execution_count=1,
        ),
        nbformat.v4.new_output("stream", name="stdout", text="<script>window.__pwned=1</script> printed\n"),
    ]
    nb.cells = [notes, written, raw, code]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "x": "</script><script>window.__pwned=1</script>"}
    }
    return nb


def course_exporter(template: str):
    """nbconvert's HTMLExporter as the Formgrader and generate_feedback set it up, with the
    course's nbgrader_config.py."""
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    config = Config(admin.Course(root=ASSIGNMENTS).config())
    config.HTMLExporter.template_name = template
    config.HTMLExporter.extra_template_basedirs = [str(NBGRADER_TEMPLATES)]
    config.HTMLExporter.extra_template_paths = [str(BOOTSTRAP_CSS)]
    return HTMLExporter(config=config)


FORMGRADE_RESOURCES = {
    "assignment_id": "ps0",
    "notebook_id": "ps0",
    "submission_id": "s1",
    "index": 0,
    "total": 1,
    "base_url": "",
    "student": "alice",
    "first_name": "A",
    "last_name": "B",
    "notebook_path": "autograded/alice/ps0/ps0.ipynb",
}


@pytest.mark.parametrize("template", ["feedback", "formgrade"])
def test_the_course_exporter_shows_students_html_inert(template):
    resources = (
        {"nbgrader": {"notebook": "ps0", "score": 1, "max_score": 2, "late_penalty": 0}}
        if template == "feedback"
        else dict(FORMGRADE_RESOURCES)
    )
    page, _ = course_exporter(template).from_notebook_node(payload_notebook(), resources=resources)
    # The notebook: everything below the page's own header and navigation (the Formgrader's
    # has its buttons and set-up scripts), up to the end.
    notebook = page[page.index('id="notebook"') :]
    assert active_content(notebook) == ([], [])
    if template == "feedback":
        assert_inert(page)
    for shown in (
        "My written answer: <strong>bold stays</strong>",
        "<td>MAU</td>",
        "<b>raw stays</b>",
        "HTML output stays",
        "&lt;JS object&gt;",
        "IntSlider(value=3)",
        'src="data:image/svg+xml;base64,',
        'alt="a dot"',
        "<em>markdown output</em>",
        "<b>isolated</b>",
        "&lt;script&gt;window.__pwned=1&lt;/script&gt; printed",
        "Submission time unknown",
        safe_html.REMOVED_OUTPUT,
    ):
        assert shown in page, shown
    assert "widget-state+json" not in page


def test_hidden_tests_are_cleared_from_test_cells_only():
    def cell(source, **nbgrader):
        c = nbformat.v4.new_code_cell(source)
        c.metadata["nbgrader"] = {"grade_id": "x", "schema_version": 3, **nbgrader}
        return c

    answer = cell("x = 1\n# BEGIN HIDDEN TESTS\n# my note\n# END HIDDEN TESTS", solution=True, grade=False)
    open_answer = cell("y = 2\n# BEGIN HIDDEN TESTS, never closed\n### BEGIN SOLUTION", solution=True, grade=False)
    test = cell("check(x)\n### BEGIN HIDDEN TESTS\nassert x == 1\n### END HIDDEN TESTS", solution=False, grade=True)
    open_test = cell("check(y)\n### BEGIN HIDDEN TESTS\nassert y == 2", solution=False, grade=True)
    written = nbformat.v4.new_markdown_cell("I wrote BEGIN HIDDEN TESTS here")
    nb = nbformat.v4.new_notebook(cells=[answer, open_answer, test, open_test, written])
    sources = [c.source for c in nb.cells]
    nb, _ = FeedbackClearHiddenTests().preprocess(nb, {})
    hidden = feedback.HIDDEN_LINE
    assert [c.source for c in nb.cells] == [
        sources[0],
        sources[1],
        f"check(x)\n{hidden}",
        f"check(y)\n{hidden}",
        sources[4],
    ]


def test_failed_tests_say_the_part_and_the_message_and_no_traceback():
    def cell(source, grade_id, **nbgrader):
        c = nbformat.v4.new_code_cell(source)
        c.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, **nbgrader}
        return c

    heading = nbformat.v4.new_markdown_cell("## 6. Registered is not active (2 points)\n\nWhat fraction...")
    answer = cell("x = 1 / 0", "q6_answer", solution=True, grade=False)
    answer.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="ValueError",
            evalue=f"bad value in {feedback._grader_paths()[0]}/lib/x.py",
            traceback=[
                "\x1b[0;31mValueError\x1b[0m   Traceback (most recent call last)",
                "Cell \x1b[0;32mIn[2], line 1\x1b[0m\n----> 1 x = data.figure()",
                f"File \x1b[0;32m{feedback._grader_paths()[0]}/src/platform_intl/data.py:12\x1b[0m, in figure()",
                "File /srv/env/lib/python3.11/site-packages/pandas/core/frame.py:3, in __getitem__()",
                "\x1b[0;31mValueError\x1b[0m: bad value",
            ],
        )
    ]
    test = cell(
        "# Hidden tests check the value.\n### BEGIN HIDDEN TESTS\n_close(x, 2, 'x')\n### END HIDDEN TESTS",
        "q6_value",
        solution=False,
        grade=True,
        points=1,
    )
    test.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="CheckFailed",
            evalue="`x` = 3.9 is not the expected value: the inverse of the expected ratio (divide the other way round).",
            traceback=[
                "Traceback (most recent call last):",
                "  Cell q6_value, line 3\n    _close(x, 2, 'x')",
                "CheckFailed: ...",
            ],
        )
    ]
    blank = cell("check_number(y, 'y')", "q7_form", solution=False, grade=True, points=1)
    blank.outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="name 'y' is not defined", traceback=[])]
    nb = nbformat.v4.new_notebook(cells=[heading, answer, test, blank])
    nb, _ = FeedbackClearHiddenTests().preprocess(nb, {})
    assert nb.cells[2].source == "# Hidden tests check the value.\n" + feedback.HIDDEN_LINE
    assert nb.cells[2].outputs[0]["traceback"] == [
        "Question 6: Registered is not active: `x` = 3.9 is not the expected value: the inverse of the expected "
        "ratio (divide the other way round)."
    ]
    assert nb.cells[3].outputs[0]["traceback"][0].startswith("Question 6: Registered is not active: `y` is not defined")
    shown = "\n".join(nb.cells[1].outputs[0]["traceback"]) + nb.cells[1].outputs[0]["evalue"]
    assert "Cell \x1b[0;32mIn[2], line 1" in shown and "2 frame(s) inside library code not shown" in shown
    assert "data.py" not in shown and "site-packages" not in shown and feedback._grader_paths()[0] not in shown


def test_the_table_of_contents_names_the_parts():
    from platform_intl.instructor.parts import part_labels

    nb = nbformat.read(
        ASSIGNMENTS / "source" / "ps1_reading_the_numbers" / "ps1_reading_the_numbers.ipynb", as_version=4
    )
    labels = part_labels(nb)
    assert labels["q2b_value"].label == "Question 2 (b): Weibo's MAU growth, hidden test"
    assert labels["q3_s3_503m"].label == "Question 3: Which metric is each figure?, hidden test (s3 503m)"
    assert labels["q8_written"].label == "Question 8: In your own words, written answer"
    page = (
        '<li><a href="#q2b_value">Test cell</a> (Score: 0.0 / 1.0)</li><li><a href="#q8_written">Written response</a>'
        '</li><span class="nbgrader-label">Grade cell: <code>q2b_value</code></span>'
    )
    named = feedback.name_parts(page, labels)
    assert "Test cell" not in named and "Written response" not in named and "<code>q2b_value</code>" not in named
    assert '<a href="#q2b_value">Question 2 (b): Weibo&#x27;s MAU growth, hidden test</a>' in named


def test_only_the_assignments_notebooks_become_feedback(tmp_path, monkeypatch):
    graded = tmp_path / "autograded" / "alice" / "ps0"
    graded.mkdir(parents=True)
    (tmp_path / "source" / "ps0").mkdir(parents=True)
    (tmp_path / "source" / "ps0" / "ps0.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    notebooks = [str(graded / n) for n in ("ps0.ipynb", "scratch.ipynb", "stolen-ps0.ipynb")]
    feedback.prepare_feedback(assignment="ps0", student="*", notebooks=notebooks)
    assert notebooks == [str(graded / "ps0.ipynb")]
    feedback._PENDING_FEEDBACK.clear()


def test_the_feedback_folder_keeps_only_the_feedback(tmp_path):
    page = "<html><head><title>ps0</title></head><body><p>Score</p><img src=x onerror=alert(1)></body></html>"
    (tmp_path / "ps0.html").write_text(page)
    (tmp_path / "ps0-Copy1.html").write_text(page)  # the copy under a renamed notebook's name
    (tmp_path / "planted.html").write_text("<script>alert(1)</script>")
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "timestamp.txt").write_text("2027-01-01 00:00:00 UTC")
    (tmp_path / "submission_secret.txt").write_text("secret")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "leak.html").write_text("x")
    removed = keep_only_feedback(tmp_path, {"ps0"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ps0-Copy1.html",
        "ps0.html",
        "submission_secret.txt",
        "timestamp.txt",
    ]
    assert sorted(p.name for p, _ in removed) == ["leak.html", "notes.txt", "planted.html"]
    for name in ("ps0.html", "ps0-Copy1.html"):
        text = (tmp_path / name).read_text()
        assert "<title>ps0</title>" in text and "<p>Score</p><img>" in text and "onerror" not in text


def test_release_only_releases_feedback_of_the_assignments_notebooks(tmp_path):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    (tmp_path / "source" / "ps0").mkdir(parents=True)
    (tmp_path / "source" / "ps0" / "ps0.ipynb").write_text("{}")
    folder = tmp_path / "feedback" / "alice" / "ps0"
    folder.mkdir(parents=True)
    (folder / "ps0.html").write_text("<html><body>feedback</body></html>")
    (folder / "ps0-Copy1.html").write_text("<html><body>feedback</body></html>")
    (folder / "planted.html").write_text("<script>alert(1)</script>")
    (folder / "timestamp.txt").write_text("2027-01-01 00:00:00 UTC")
    (folder / "submission_secret.txt").write_text("secret")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.course_id = "course"
    config.CourseDirectory.assignment_id = "ps0"
    config.Exchange.root = str(exchange)
    coursedir = CourseDirectory(config=config)
    ReleaseOnlyFeedback(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()
    released = sorted((exchange / "course" / "feedback").iterdir())
    assert [p.read_text() for p in released] == ["<html><body>feedback</body></html>"] * 2
    assert not (tmp_path / "gradebook.db").exists(), "the release must not create a gradebook"


def test_committed_config_makes_feedback_and_the_formgrader_safe():
    from traitlets.utils.importstring import import_item

    config = admin.Course(root=ASSIGNMENTS).config()
    assert config.GenerateFeedback.pre_convert_hook.endswith("feedback.prepare_feedback")
    assert config.GenerateFeedback.post_convert_hook.endswith("feedback.finish_feedback")
    assert config.ExchangeFactory.release_feedback.endswith("feedback.ReleaseOnlyFeedback")
    assert [p.rsplit(".", 1)[-1] for p in config.HTMLExporter.preprocessors] == ["SanitizeOutputs"]
    assert set(config.HTMLExporter.filters) == {"markdown2html", "clean_html"}
    assert "template_name" not in config.HTMLExporter, "the Formgrader and feedback choose their own templates"
    assert not config.HTMLExporter.get("skip_svg_encoding"), "SVG outputs must stay images, where no script runs"
    for name in [
        config.GenerateFeedback.pre_convert_hook,
        config.ExchangeFactory.release_feedback,
        *config.HTMLExporter.preprocessors,
        *config.HTMLExporter.filters.values(),
    ]:
        import_item(name)


# ------------------------------------------------------------------ the whole class


@pytest.mark.slow
def test_no_feedback_page_of_the_class_runs_anything(simulation):
    course, exchange = simulation["course"], simulation["exchange"] / "platform-intl" / "feedback"
    pages = sorted((course / "feedback").rglob("*.html")) + sorted(exchange.glob("*.html"))
    assert len(pages) >= 2 * len(simulation["summary"]["profiles"]) - 10
    problems = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found, scripts = active_content(text)
        extra = [s for s in scripts if s not in ((MATHJAX_SRC, ""), ("", "text/x-mathjax-config"))]
        if found or extra:
            problems[str(page.relative_to(simulation["root"]))] = (found + [str(s) for s in extra])[:5]
    assert problems == {}, json.dumps(problems, indent=1)[:3000]


@pytest.mark.slow
def test_feedback_folders_hold_only_feedback_of_the_assignments_notebooks(simulation):
    course = simulation["course"]
    problems = {}
    for folder in sorted((course / "feedback").glob("*/*")):
        expected = {p.stem for p in (course / "source" / folder.name).glob("*.ipynb")}
        renamed = {p.stem for p in (course / "submitted" / folder.parent.name / folder.name).glob("*.ipynb")}
        allowed = {f"{n}.html" for n in expected | renamed} | set(feedback.FEEDBACK_RECORDS)
        extra = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        extra = [n for n in extra if n not in allowed]
        if extra:
            problems[str(folder.relative_to(course))] = extra
    assert problems == {}, problems
    planted = course / "feedback" / "extra-files-in-submission" / simulation["first"]
    assert sorted(p.name for p in planted.iterdir()) == sorted(
        [f"{p.stem}.html" for p in (course / "source" / simulation["first"]).glob("*.ipynb")]
        + list(feedback.FEEDBACK_RECORDS)
    )
    released = simulation["exchange"] / "platform-intl" / "feedback"
    for page in released.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "PLANTED-HTML" not in text and "PLANTED-NOTEBOOK" not in text, page


# ------------------------------------------- what students read, through nbgrader itself

PS2 = "ps2_market_sizing"


@pytest.fixture(scope="module")
def ps2_feedback(tmp_path_factory):
    """Feedback generated by nbgrader for ps2's golden typical mistakes, and for a student
    whose ratio is upside down and whose answer fails inside the course's library."""
    from conftest import GOLDEN

    from platform_intl.instructor import harness

    sandbox = harness.CourseSandbox(tmp_path_factory.mktemp("feedback"), source_course=ASSIGNMENTS)
    (released,) = sandbox.generate(PS2)
    release_nb = harness.load_notebook(released)
    spec = harness.read_golden(GOLDEN / PS2 / "typical-mistakes.json")
    solution = harness.solution_answers(harness.load_notebook(sandbox.notebook_paths(PS2)[0]))
    inverted = next(m["answer"] for m in spec["more_mistakes"] if m["kind"] == "inverse")
    library_error = 'users_per_verifier = data.figure("weibo", "MAU", "1999-01-01") / 1000'
    students = {
        "typical": spec["answers"],
        "inverted": dict(solution, q6_answer=inverted, q7_answer=library_error),
    }
    for student, answers in students.items():
        sandbox.submit(PS2, student, {released.name: harness.with_answers(release_nb, answers)})
    sandbox.autograde(PS2)
    sandbox.nbgrader("generate_feedback", PS2, "--force")
    pages = {s: (sandbox.root / "feedback" / s / PS2 / f"{PS2}.html").read_text(encoding="utf-8") for s in students}
    return {"pages": pages, "sources": harness.load_notebook(sandbox.notebook_paths(PS2)[0])}


def page_text(page: str) -> str:
    import html as html_module
    import re

    body = page[page.index("<body") :]
    return html_module.unescape(re.sub(r"<[^>]+>", "", body))


@pytest.mark.slow
def test_feedback_names_each_part_and_the_kind_of_each_mistake(ps2_feedback):
    typical, inverted = (page_text(ps2_feedback["pages"][s]) for s in ("typical", "inverted"))
    for text in (typical, inverted):
        assert "Test cell" not in text and "Grade cell:" not in text
        assert "Question 6: Registered is not active, hidden test (Score:" in text
        assert "Question 11: Speakers against diaspora counts, written answer (Score:" in text
    for message in (
        "Question 2: How many of them are online?: `online_share` should be a fraction between 0 and 1, but it is "
        "91.5023. It looks like a percentage: divide by 100.",
        "Question 8: The RedNote inflow: `rednote_inflow_share` = 0.233333 is not the expected value: off by a "
        "factor of 100 (percent vs share)",
        "Question 5: A decade of growth: `weibo_mau_cagr` = 0.0158517 is not the expected value: registered "
        "accounts (2012) taken for MAU",
        "Question 4: A diaspora SAM for Weibo: `diaspora_sam` = 7.89293e+06 is not the expected value: right order "
        "of magnitude",
    ):
        assert message in typical, message
    assert (
        "Question 6: Registered is not active: `registered_active_share` should be a fraction between 0 and 1, but "
        "it is 3.8962.\nHint: divide the MAU by the registered accounts, not the other way round." in inverted
    )
    assert "percentage" not in inverted[inverted.index("Question 6: Registered is not active:") :][:300]
    assert (
        "Question 6: Registered is not active: `registered_active_share` = 3.8962 is not the expected value: the "
        "inverse of the expected ratio (divide the other way round)." in inverted
    )


@pytest.mark.slow
def test_feedback_shows_no_traceback_path_or_placeholder_rows(ps2_feedback):
    import sys

    import platform_intl

    package = str(Path(platform_intl.__file__).resolve().parents[1])
    hidden_cells = sum("BEGIN HIDDEN TESTS" in c.source for c in ps2_feedback["sources"].cells)
    for student, page in ps2_feedback["pages"].items():
        text = page_text(page)
        for forbidden in (
            "Traceback (most recent call last):",  # the grader's; the student's own cells keep IPython's header
            "Cell q",
            ".py",
            "site-packages",
            "verdict_worker",
            sys.prefix,
            package,
            "[instructor-only text hidden by the grader]",
        ):
            assert forbidden not in text, (student, forbidden)
        assert text.count(feedback.HIDDEN_LINE) == hidden_cells, student
    inverted = page_text(ps2_feedback["pages"]["inverted"])
    assert "FigureNotFoundError: No Weibo MAU (global) figure for 1999-01-01." in inverted
    assert "frame(s) inside library code not shown" in inverted


@pytest.mark.slow
def test_feedback_never_shows_an_expected_value(ps2_feedback):
    from verdict_support import Assignment

    solutions = Assignment(PS2).solutions()
    wrong = ["online_share", "hk_mo_tw_share", "diaspora_sam", "weibo_mau_cagr", "rednote_inflow_share"]
    text = page_text(ps2_feedback["pages"]["typical"])
    for name in wrong:
        value = float(solutions[name])
        for shown in {f"{value:,.6g}", f"{value:.6g}", f"{value:.4f}", repr(value)}:
            assert shown not in text, (name, shown)
