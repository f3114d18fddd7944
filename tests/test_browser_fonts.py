"""Chinese text renders in JupyterLab on a machine without CJK fonts.

The lectures print 万 and 亿 (lecture 05), 小红书 (lecture 00) and 微博. `python3 tasks.py
lab` serves Noto Sans CJK SC (the font of the course's figures) to the browser, through
JupyterLab's custom.css (platform_intl/lab_fonts): a fallback for the CJK blocks only,
at the end of JupyterLab's font stacks. In Chromium, after Run All:

- the page links custom.css, and JupyterLab's stacks still start with its Latin fonts
  and end with the course's CJK family;
- ``document.fonts.load`` loads that family for 万 and 微博, and ``document.fonts.check``
  then says it is ready;
- the browser draws the lecture's own Chinese (in Markdown and in outputs) with that
  font (Chromium's DevTools report the platform fonts a node is drawn with), and an
  ideograph is a full em wide, unlike the empty box a font without it draws.

Needs Debian's `chromium` (no browser download); skips without it (fails under CI=true),
as tests/test_browser.py does.
"""

from __future__ import annotations

import shutil
import subprocess

import browser_support as bs
import pytest
from conftest import COURSE, ROOT

# Chromium, and a tab that fails on uncaught JavaScript errors: tests/test_browser.py's
# (its `page` takes this module's `lab`).
from test_browser import browser, page  # noqa: F401 (fixtures)

from platform_intl.lab_fonts import FONT_FAMILY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The lectures, and the Chinese each shows in its Markdown (and, if any, in its outputs;
#: lecture 00's 微博 is in a figure, drawn by matplotlib).
LECTURES = {
    "00_orientation.ipynb": ("小红书",),
    "05_reading_across_languages.ipynb": ("万", "亿"),
}
#: JupyterLab 4's Latin stacks, as its themes define them (custom.css keeps them first).
LATIN_CONTENT = 'system-ui, -apple-system, blinkmacsystemfont, "Segoe UI", helvetica, arial, sans-serif'
LATIN_CODE = 'menlo, consolas, "DejaVu Sans Mono", monospace'


def system_has_cjk_font() -> bool | None:
    """Whether fontconfig knows a Chinese font (None: cannot tell)."""
    if not shutil.which("fc-list"):
        return None
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    return bool(found.stdout.strip()) if found.returncode == 0 else None


@pytest.fixture(scope="module")
def lab(browser):  # noqa: F811 (the imported fixture)
    """`python3 tasks.py lab` of its own (tests/test_browser.py's also sets up nbgrader's exchange)."""
    server = bs.LabServer(log_path=bs.ARTIFACTS / "jupyterlab-fonts.log")
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(f"`python3 tasks.py lab` did not start JupyterLab: {error}", pytrace=False)
    yield server
    server.stop()


STACKS_JS = """() => {
    const style = getComputedStyle(document.documentElement);
    const names = ['--jp-content-font-family', '--jp-code-font-family', '--jp-ui-font-family'];
    return {
        links: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href')),
        stacks: Object.fromEntries(names.map(n => [n, style.getPropertyValue(n).trim()])),
    };
}"""

LOAD_JS = """async ({family, texts}) => {
    const result = {};
    for (const text of texts) {
        const faces = await document.fonts.load(`16px "${family}"`, text);
        result[text] = {
            loaded: faces.map(f => [f.family, f.status]),
            check: document.fonts.check(`16px "${family}"`, text),
        };
    }
    return result;
}"""

WIDTH_JS = """({family, text, without}) => {
    // The width of an ideograph in the course's font, and in a stack without it (the box
    // of a missing glyph, on a machine without a CJK font of its own).
    const ctx = document.createElement('canvas').getContext('2d');
    const width = font => { ctx.font = font; return ctx.measureText(text).width; };
    return {ours: width(`16px "${family}"`), without: width(`16px ${without}`)};
}"""

MARK_JS = """({text, attribute}) => {
    // The innermost rendered element (Markdown, or an output) whose own text holds `text`.
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const marked = [];
    for (const [kind, selector] of [['markdown', '.jp-RenderedMarkdown'], ['output', '.jp-OutputArea-output']]) {
        const holders = [...panel.querySelectorAll(selector + ' *')].filter(el =>
            [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.includes(text)));
        if (holders.length) {
            holders[0].setAttribute(attribute, kind);
            holders[0].scrollIntoView({block: 'center'});
            marked.push(kind);
        }
    }
    return marked;
}"""


def drawn_with(tab, selector: str) -> list[dict]:
    """The platform fonts Chromium draws the node's text with (DevTools' CSS.getPlatformFontsForNode)."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lecture", sorted(LECTURES))
def test_chinese_renders_with_the_course_font(page, lab, lecture):  # noqa: F811 (the imported fixture)
    texts = LECTURES[lecture]
    relative = (COURSE / lecture).relative_to(ROOT).as_posix()
    bs.open_notebook(page, lab, relative)
    not_run = bs.run_all_cells(page)
    assert not_run == [] and bs.error_outputs(page) == [], f"{lecture} did not run cleanly: {not_run}"

    state = page.evaluate(STACKS_JS)
    assert "/custom/custom.css" in state["links"], f"JupyterLab's page does not link custom.css: {state['links']}"
    stacks = state["stacks"]
    for name, latin in (("--jp-content-font-family", LATIN_CONTENT), ("--jp-code-font-family", LATIN_CODE)):
        assert stacks[name].startswith(latin), f"{name} no longer starts with JupyterLab's Latin fonts: {stacks[name]}"
        assert stacks[name].endswith(f'"{FONT_FAMILY}"'), f"{name} lacks the CJK fallback: {stacks[name]}"

    loaded = page.evaluate(LOAD_JS, {"family": FONT_FAMILY, "texts": ["万", "微博", *texts]})
    for text, found in loaded.items():
        assert found["loaded"] == [[FONT_FAMILY, "loaded"]], f"{FONT_FAMILY} did not load for {text}: {found}"
        assert found["check"], f"document.fonts.check says {FONT_FAMILY} cannot draw {text}"

    no_cjk_font = system_has_cjk_font() is False
    for text in texts:
        attribute = f"data-cjk-probe-{texts.index(text)}"
        kinds = page.evaluate(MARK_JS, {"text": text, "attribute": attribute})
        assert "markdown" in kinds, f"{lecture} shows no rendered Markdown with {text}"
        page.wait_for_timeout(200)
        for kind in kinds:
            fonts = drawn_with(page, f"[{attribute}='{kind}']")
            ours = [f for f in fonts if f["familyName"].startswith("Noto Sans CJK SC")]
            others = {f["familyName"] for f in fonts} - {f["familyName"] for f in ours}
            assert ours, f"{lecture}: the {kind} with {text} is drawn with {fonts}, not the course's CJK font"
            if no_cjk_font:  # then it can only be the stylesheet's download
                assert all(f["isCustomFont"] for f in ours), f"{lecture}: {ours} is not the web font"
            assert others, f"{lecture}: the {kind}'s Latin text lost its own font: {fonts}"

    widths = page.evaluate(WIDTH_JS, {"family": FONT_FAMILY, "text": "万", "without": LATIN_CODE})
    assert abs(widths["ours"] - 16) < 0.5, f"万 in {FONT_FAMILY} is not a full em wide: {widths}"
    if no_cjk_font:
        assert abs(widths["ours"] - widths["without"]) > 1, f"万 measures as the missing-glyph box: {widths}"
    bs.save_screenshot(page, f"fonts-{lecture.removesuffix('.ipynb')}.png")
