"""Accessibility audit in a real browser: axe-core on every lecture and on nbgrader's pages.

Each lecture of course/ is opened in JupyterLab (`python3 tasks.py lab`, the fixtures of
tests/test_browser.py), run top to bottom so that its widgets, tables and figures are on the
page, and audited with axe-core (the copy the `axe-playwright-python` package ships,
requirements-dev.lock). So are nbgrader's Assignment List and Formgrader.

Only serious and critical violations count. Where a node sits decides whose it is:

- inside the course's own content (`browser_support.OWN_CONTENT`: the rendered Markdown of
  a cell, every output area: tables, figures, the HTML our widgets generate), it is ours and
  fails the test, with no allow-list;
- anywhere else (JupyterLab's menus, toolbars, editors and cells; nbgrader's lists and the
  Formgrader) it must match an entry of `KNOWN` below, a (rule, selector) pair with its owner
  and reason, each documented in docs/accessibility.md. A violation no entry matches fails
  the test (document it or fix it), and so does an entry that no audit of the run needed any
  more (remove it), so the list can neither grow nor go stale silently.

The one kind of entry allowed to match inside our outputs is a third-party control's own
markup (ipywidgets' slider handle), and only by a selector naming that control.

`test_probe_notebook_violations_are_ours` shows the audit can fail: a notebook with an <img>
without alt text, in a Markdown cell, in an HTML output and as a PNG output, is reported as
ours. JupyterLab gives such images the alt text "Image", which axe accepts: in our content the
audit counts that placeholder as no alt text (`course-image-alt`, browser_support.AXE_RUN_JS).

Without axe-core (or Chromium) the tests skip, except under CI=true, where they fail.
"""

# ruff: noqa: F811 (the fixtures imported from test_browser are used by name, as arguments)
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import browser_support as bs
import pytest
from conftest import ROOT, course_notebooks
from test_browser import (  # noqa: F401 (fixtures, used by name)
    STUDENT_ASSIGNMENT,
    browser,
    goto,
    lab,
    open_and_run,
    page,
    relative,
    released,
    uses_widgets,
)

DOC = ROOT / "docs" / "accessibility.md"
PROBE_DIR = ROOT / "artifacts" / "a11y-probe"


@dataclass(frozen=True)
class Known:
    """A violation of JupyterLab's, nbgrader's or ipywidgets' own markup, not ours."""

    rule: str  # axe's rule id
    selector: str  # the node or one of its ancestors matches it
    scope: str  # "lab": the JupyterLab page; "formgrader": inside the Formgrader's frame
    owner: str
    inside_outputs: bool = False  # a third-party control's markup inside our output areas


KNOWN = (
    Known("aria-allowed-attr", ".jp-FileBrowser jp-button[aria-pressed]", "lab", "JupyterLab"),
    Known("aria-allowed-attr", ".jp-NotebookPanel-toolbar jp-button.jp-DebuggerBugButton", "lab", "JupyterLab"),
    Known("aria-allowed-attr", ".jp-NotebookPanel-toolbar jp-button.validate-button", "lab", "nbgrader"),
    Known("aria-input-field-name", ".jp-InputArea-editor .cm-content", "lab", "JupyterLab"),
    Known("scrollable-region-focusable", ".jp-InputArea-editor .cm-scroller", "lab", "JupyterLab"),
    Known("aria-required-children", ".jp-Notebook [role='feed']", "lab", "JupyterLab"),
    Known("button-name", ".jp-MarkdownCell .jp-collapseHeadingButton", "lab", "JupyterLab"),
    Known("aria-input-field-name", ".widget-slider .noUi-handle", "lab", "ipywidgets", inside_outputs=True),
    Known("aria-required-children", ".list_container[role='tablist']", "lab", "nbgrader"),
    Known("frame-title", "iframe[src*='formgrader']", "lab", "nbgrader"),
    Known("html-has-lang", "html", "formgrader", "nbgrader"),
    Known("color-contrast", ".breadcrumb > li.active", "formgrader", "nbgrader"),
    Known("color-contrast", "td.status .label", "formgrader", "nbgrader"),
    Known("link-name", "td.assign > a, td.edit > a", "formgrader", "nbgrader"),
    Known("list", "ul.nav.nav-pills", "formgrader", "nbgrader"),
    Known("nested-interactive", ".panel-heading[role='tab']", "formgrader", "nbgrader"),
)

LECTURES = course_notebooks()
#: Every page the module audits; the allow-list is checked for stale entries once all were.
PAGES = {*(p.name for p in LECTURES), "assignment-list", "formgrader"}
_audited: set[str] = set()
_hits: dict[Known, int] = {}


def axe_or_fail() -> None:
    """axe-core must be there under CI; elsewhere its absence skips."""
    if bs.axe_script() is not None:
        return
    reason = "axe-core is not installed: the axe-playwright-python package is pinned in requirements-dev.lock"
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; `python3 tasks.py setup --dev` installs it. CI=true, so this fails.", pytrace=False)
    pytest.skip(reason)


def judge(nodes: list[dict], entries: tuple[Known, ...]) -> tuple[list[dict], list[dict], list[Known]]:
    """(ours, unlisted, entries hit) of an audit's serious and critical nodes.

    A node is excused by the entry it matched (``node["entry"]``, an index into ``entries``)
    when it is outside our own content, or inside it and the entry is a third-party control's
    (``inside_outputs``). Otherwise a node inside our content is ours, and one outside is an
    unlisted third-party violation.
    """
    ours, unlisted, hit = [], [], []
    for node in nodes:
        entry = entries[node["entry"]] if node.get("entry") is not None else None
        if entry is not None and (entry.inside_outputs or not node["ours"]):
            hit.append(entry)
        elif node["ours"]:
            ours.append(node)
        else:
            unlisted.append(node)
    return ours, unlisted, hit


def audit(frame, name: str, scope: str) -> dict:
    """Audit ``frame``; fail on any node of ours or any third-party node not in ``KNOWN``."""
    entries = tuple(k for k in KNOWN if k.scope == scope)
    result = bs.axe_audit(frame, allowed=[(k.rule, k.selector) for k in entries])
    ours, unlisted, hit = judge(result["nodes"], entries)
    for entry in hit:
        _hits[entry] = _hits.get(entry, 0) + 1
    _audited.add(name)  # audited, whatever it found: the stale-entry check counts it
    bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (bs.ARTIFACTS / f"axe-{Path(name).stem}-{scope}.json").write_text(json.dumps(result, indent=1))
    assert ours == [], (
        f"{name}: serious or critical accessibility violations in the course's own content "
        f"(axe {result['version']}):\n{bs.describe_axe_nodes(ours)}"
    )
    assert unlisted == [], (
        f"{name}: serious or critical violations outside the course's content that KNOWN does not list "
        f"(if they are JupyterLab's or nbgrader's, add them to KNOWN and docs/accessibility.md):\n"
        f"{bs.describe_axe_nodes(unlisted)}"
    )
    return result


# --------------------------------------------------------------------------- no browser


def test_judge_separates_ours_from_theirs():
    entries = (
        Known("aria-input-field-name", ".jp-InputArea-editor .cm-content", "lab", "JupyterLab"),
        Known("aria-input-field-name", ".widget-slider .noUi-handle", "lab", "ipywidgets", inside_outputs=True),
    )
    editor = {"rule": "aria-input-field-name", "ours": False, "entry": 0}
    handle = {"rule": "aria-input-field-name", "ours": True, "entry": 1}
    image = {"rule": "image-alt", "ours": True, "entry": None}
    # An entry for JupyterLab's markup does not excuse the same rule inside our outputs.
    own_slider = {"rule": "aria-input-field-name", "ours": True, "entry": 0}
    menu = {"rule": "button-name", "ours": False, "entry": None}
    ours, unlisted, hit = judge([editor, handle, image, own_slider, menu], entries)
    assert ours == [image, own_slider]
    assert unlisted == [menu]
    assert hit == list(entries)


def test_known_entries_never_cover_the_course_content():
    """Only a third-party control's selector may excuse a node inside our outputs."""
    own_markers = ("platform-intl", "jp-OutputArea", "jp-RenderedMarkdown", "jp-RenderedHTML", "jp-Cell-output")
    for entry in KNOWN:
        assert not any(marker in entry.selector for marker in own_markers), entry
        assert entry.scope in ("lab", "formgrader"), entry
        if entry.inside_outputs:
            assert entry.owner == "ipywidgets" and ".widget-" in entry.selector, entry
    assert len(set(KNOWN)) == len(KNOWN)


def test_every_known_violation_is_documented():
    """docs/accessibility.md has one table row per entry of KNOWN (rule and selector), and no others."""
    text = DOC.read_text(encoding="utf-8")
    rows = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 3 and re.fullmatch(r"`[a-z-]+`", cells[0]) and cells[1].startswith("`"):
            rows.add((cells[0].strip("`"), cells[1].strip("`").replace("\\|", "|"), cells[2]))
    documented = {(rule, selector) for rule, selector, _ in rows}
    listed = {(k.rule, k.selector) for k in KNOWN}
    assert documented - listed == set(), "docs/accessibility.md documents entries that KNOWN no longer has"
    assert listed - documented == set(), "entries of KNOWN missing from docs/accessibility.md"
    owners = {(rule, selector): owner for rule, selector, owner in rows}
    assert {(k.rule, k.selector): k.owner for k in KNOWN} == owners


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="session")
def axe():
    """axe-core's script; asked for first, so that its absence is known before JupyterLab starts."""
    axe_or_fail()
    return bs.axe_script()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("notebook", LECTURES, ids=lambda p: p.name)
def test_lecture_has_no_serious_violations_of_ours(axe, page, lab, notebook):
    open_and_run(page, lab, notebook)
    if uses_widgets(notebook):
        page.locator(f".jp-NotebookPanel:visible :is({bs.WIDGET_SELECTOR})").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # let every widget view and figure finish rendering
    audit(page, notebook.name, "lab")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_assignment_list_has_only_known_violations(axe, page, lab):
    goto(page, lab)
    bs.menu_command(page, "Nbgrader", "nbgrader:open-assignment-list")
    page.locator("#released_assignments_list .list_item", has_text=STUDENT_ASSIGNMENT).first.wait_for()
    page.wait_for_timeout(500)
    audit(page, "assignment-list", "lab")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_formgrader_has_only_known_violations(axe, page, lab):
    goto(page, lab)
    bs.menu_command(page, "Nbgrader", "nbgrader:open-formgrader")
    formgrader = page.frame_locator("iframe[src*='formgrader']").first
    formgrader.locator(f"table tbody tr td.name[data-order='{STUDENT_ASSIGNMENT}']").wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    frame = next(f for f in page.frames if "formgrader" in f.url)
    audit(page, "formgrader", "lab")
    audit(frame, "formgrader", "formgrader")


def one_pixel_png() -> str:
    """A 1x1 grey PNG, base64-encoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    png = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode("ascii")


PIXEL = one_pixel_png()
PROBE_CELLS = [
    ("markdown", f'# A probe\n\nAn image without alt text: <img src="data:image/png;base64,{PIXEL}">'),
    ("code", f"from IPython.display import HTML\nHTML('<p>An output:</p><img src=\"data:image/png;base64,{PIXEL}\">')"),
    ("code", f"import base64\nfrom IPython.display import Image\nImage(data=base64.b64decode('{PIXEL}'))"),
    (
        "code",
        "from platform_intl import plots\n"
        "fig, ax = plots.new_figure((3, 2))\n"
        "ax.plot([1, 2], [3, 4])\n"
        "ax.set_title('A line')\n"
        "ax.set_xlabel('x (units)')\n"
        "ax.set_ylabel('y (units)')\n"
        "plots.show_figure(fig, alt='A rising line from 3 to 4.', source='made up')",
    ),
]


@pytest.fixture
def probe_notebook():
    import nbformat

    PROBE_DIR.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in PROBE_CELLS:
        nb.cells.append(
            nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        )
    path = PROBE_DIR / "probe.ipynb"
    nbformat.write(nb, path)
    yield path
    shutil.rmtree(PROBE_DIR, ignore_errors=True)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_probe_notebook_violations_are_ours(axe, page, lab, probe_notebook):
    """The audit can fail: images without alt text, in Markdown and in outputs, are reported as ours.

    A figure made by ``plots.show_figure`` (alt text and a caption) is not.
    """
    open_and_run(page, lab, probe_notebook)
    page.locator(".jp-NotebookPanel:visible .platform-intl-figure img").wait_for()
    entries = tuple(k for k in KNOWN if k.scope == "lab")
    result = bs.axe_audit(page, allowed=[(k.rule, k.selector) for k in entries])
    ours, unlisted, hit = judge(result["nodes"], entries)
    found = sorted((n["rule"], n["cell"]) for n in ours)
    # The Markdown cell's and the HTML output's images get JupyterLab's placeholder alt text
    # ("Image"), which only the course's own check sees; the PNG output has none at all.
    expected = [("course-image-alt", 0), ("course-image-alt", 1), ("image-alt", 2)]
    assert found == expected, bs.describe_axe_nodes(ours)
    # JupyterLab's own (the code editors) are found, and are not ours.
    assert any(k.selector == ".jp-InputArea-editor .cm-content" for k in hit)
    assert unlisted == [], bs.describe_axe_nodes(unlisted)


@pytest.mark.browser
@pytest.mark.slow
def test_every_known_violation_is_still_found():
    """After every page was audited: each entry of KNOWN excused at least one node of the run."""
    missing = sorted(PAGES - _audited)
    if missing:
        pytest.skip(f"not every page was audited in this run (missing: {', '.join(missing)})")
    stale = [k for k in KNOWN if not _hits.get(k)]
    assert stale == [], (
        "these entries of KNOWN excused nothing in this run: remove them here and from "
        f"docs/accessibility.md (fixed upstream, or the page changed): {stale}"
    )
