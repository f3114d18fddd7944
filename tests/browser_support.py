"""Run the course's JupyterLab and drive it with Debian's Chromium through Playwright.

Used by tests/test_browser.py. JupyterLab starts exactly as students start it, through
`python3 tasks.py lab`, with a few extra arguments that the README's command also passes
on: a free port on 127.0.0.1, a random token, no browser, and a throw-away settings and
workspaces folder (so the tests neither read nor change the user's JupyterLab settings,
and notebooks opened by the tests are never autosaved over the committed ones).

No browser is downloaded: Playwright launches the system's `chromium` (Debian package),
which `.ci/run` installs on a clean machine.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
#: How students start the course (README): `python3 tasks.py lab`, extra arguments passed on.
LAB_COMMAND = [sys.executable, str(ROOT / "tasks.py"), "lab"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

#: JupyterLab settings for the test server only (a temporary user-settings folder):
#: never autosave (the committed notebooks must stay as they are), render every cell
#: (no windowing, so the DOM holds the whole notebook), and shut a notebook's kernel
#: down when its tab closes.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "kernelShutdown": True},
}


def find_chromium() -> str | None:
    """The system Chromium, or None. PLATFORM_INTL_CHROMIUM overrides the search."""
    override = os.environ.get("PLATFORM_INTL_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found and os.access(found, os.X_OK):
            return found
    return None


def jupyter_server_command(port: int, token: str, root_dir: Path | str, *extra: str) -> list[str]:
    """``jupyter server`` on loopback with a token, as the tests start it (``--allow-root`` as root)."""
    args = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        *extra,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a server's log, for a failure message ("" if there is none yet)."""
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A JupyterLab started by `python3 tasks.py lab`, on 127.0.0.1 with a random token."""

    env_overrides: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None
    log_path: Path = ARTIFACTS / "jupyterlab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> LabServer:
        self._settings = Path(tempfile.mkdtemp(prefix="lab-settings-"))
        for name, values in LAB_SETTINGS.items():
            target = self._settings / "user-settings" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        (self._settings / "workspaces").mkdir()
        command = [
            *LAB_COMMAND,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--LabApp.user_settings_dir={self._settings / 'user-settings'}",
            f"--LabApp.workspaces_dir={self._settings / 'workspaces'}",
        ]
        env = dict(os.environ, **self.env_overrides)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")
        # A session of its own, so that stop() can end the server and its kernels together.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                returncode, tail = self.process.returncode, self.log_tail()
                self.stop()
                raise RuntimeError(f"JupyterLab exited with {returncode}:\n{tail}")
            try:
                self.api("GET", "/api/status")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def page_url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}/{path.lstrip('/')}{sep}token={self.token}"

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=10)
                self.process.wait(timeout=20)
            except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        shutil.rmtree(self._settings, ignore_errors=True)
        self.process = None


# --- JupyterLab in the page -------------------------------------------------------------

RUN_ALL = "runmenu:run-all"


def wait_for_lab(page, timeout: float = 60_000) -> None:
    """JupyterLab has started and drawn its shell."""
    page.wait_for_selector("#jp-main-dock-panel", timeout=timeout)
    page.wait_for_selector(".jp-LabShell", timeout=timeout)


def menu_command(page, menu: str, command: str) -> None:
    """Click a command in a menu of the menu bar, as a person would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").first.click()


def open_notebook(page, server: LabServer, relative_path: str, timeout: float = 90_000):
    """Open a notebook of the repository in a fresh workspace, once its kernel is ready."""
    page.goto(server.page_url(f"lab/tree/{relative_path}?reset"))
    wait_for_lab(page, timeout)
    panel = page.locator(".jp-NotebookPanel:visible").first
    panel.wait_for(timeout=timeout)
    wait_kernel_idle(page, server, relative_path, timeout)
    return panel


def wait_kernel_idle(page, server: LabServer, relative_path: str, timeout: float = 90_000) -> None:
    """The notebook's kernel is connected to the page and idle, as the server and the page see it."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        sessions = [s for s in server.api("GET", "/api/sessions") if s["path"] == relative_path]
        kernel = sessions[0]["kernel"] if sessions else {}
        if (
            kernel.get("execution_state") == "idle"
            and kernel.get("connections", 0) >= 1
            and page.evaluate(
                """() => {
                    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
                        .find(p => !p.classList.contains('lm-mod-hidden'));
                    const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
                    return !!indicator && indicator.getAttribute('data-status') === 'idle';
                }"""
            )
        ):
            return
        page.wait_for_timeout(200)
    raise TimeoutError(f"the kernel of {relative_path} was not ready within {timeout / 1000:.0f} s")


NOTEBOOK_STATE_JS = """() => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')];
    const state = cells.map(cell => {
        const prompt = cell.querySelector('.jp-InputArea-prompt');
        const editor = cell.querySelector('.jp-InputArea-editor .cm-content');
        return {prompt: prompt ? prompt.textContent.trim() : '',
                empty: editor ? editor.textContent.trim() === '' : true};
    });
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return {cells: state, status: indicator ? indicator.getAttribute('data-status') : null};
}"""


def run_all_cells(page, timeout: float = 180_000) -> list[str]:
    """Run All from the Run menu; wait until the kernel is done. Returns the cells left unrun.

    Every non-empty code cell numbered means done. A cell that raises stops Run All, and
    the cells after it are left unnumbered: the kernel idle with no cell pending (for a
    second) means done as well, and the caller reports the error and the cells not run.
    """
    menu_command(page, "Run", RUN_ALL)
    deadline = time.monotonic() + timeout / 1000
    state, quiet_since = None, None
    while time.monotonic() < deadline:
        state = page.evaluate(NOTEBOOK_STATE_JS)
        to_run = [i for i, c in enumerate(state["cells"]) if not c["empty"]]
        unrun = [i for i in to_run if not re.fullmatch(r"\[\d+\]:", state["cells"][i]["prompt"])]
        pending = any(c["prompt"] == "[*]:" for c in state["cells"])
        if state["status"] == "idle" and not pending:
            if not unrun:
                return []
            if len(unrun) < len(to_run):  # something ran, then it stopped
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 1.0:
                    return [f"code cell {i + 1} did not run" for i in unrun]
        else:
            quiet_since = None
        page.wait_for_timeout(250)
    raise TimeoutError(f"Run All did not finish in {timeout / 1000:.0f} s: {state}")


ERRORS_JS = """() => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
        .find(p => !p.classList.contains('lm-mod-hidden'));
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
    const found = [];
    cells.forEach((cell, index) => {
        cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            .forEach(out => found.push(`cell ${index}: ${out.textContent.trim().slice(0, 400)}`));
        cell.querySelectorAll('.jupyter-widgets')
            .forEach(w => { if (/Error displaying widget/.test(w.textContent))
                found.push(`cell ${index}: ${w.textContent.trim().slice(0, 200)}`); });
    });
    return found;
}"""


def error_outputs(page) -> list[str]:
    """Tracebacks and stderr text shown in the open notebook, and widgets that failed."""
    return page.evaluate(ERRORS_JS)


WIDGET_SELECTOR = ".jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output .widget-slider"


def rendered_widgets(page) -> int:
    return page.locator(f".jp-NotebookPanel:visible :is({WIDGET_SELECTOR})").count()


OUTPUT_SIGNATURE_JS = """(cell) => {
    // What an explorer shows, without its own controls: figures, tables and text.
    const parts = [];
    cell.querySelectorAll('.jp-OutputArea-output').forEach(out => {
        out.querySelectorAll('img').forEach(img => parts.push(img.getAttribute('src') || ''));
        out.querySelectorAll('svg, table').forEach(el => {
            if (!el.closest('.widget-slider, .widget-readout')) parts.push(el.outerHTML);
        });
        out.querySelectorAll('.jupyter-widgets-output-area, .widget-html-content, pre').forEach(el => {
            if (!el.closest('.widget-slider')) parts.push(el.textContent);
        });
    });
    return parts.join('\\n');
}"""


def output_signature(cell_locator) -> str:
    return cell_locator.evaluate(OUTPUT_SIGNATURE_JS)


def save_screenshot(page, name: str, *, publish: bool = False) -> Path:
    """Screenshot into artifacts/browser/; one to `publish` also into docs/images/ when
    PLATFORM_INTL_SCREENSHOTS=1.

    The committed screenshots in docs/images/ change only when asked, so that a test
    run leaves the working tree as it found it.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    page.screenshot(path=str(target))
    if publish and os.environ.get("PLATFORM_INTL_SCREENSHOTS") == "1":
        images = ROOT / "docs" / "images"
        images.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, images / name)
    return target


# --- accessibility: axe-core in the page ------------------------------------------------

#: The course's own content in a notebook page: rendered Markdown of its cells and every
#: output (tables, figures, the HTML its widgets generate). Everything else in the page
#: (menus, toolbars, prompts, the file browser, nbgrader's lists) is JupyterLab's or nbgrader's.
OWN_CONTENT = (".jp-Cell-inputWrapper .jp-RenderedMarkdown", ".jp-OutputArea-output")
#: axe's impacts that fail the audit (axe orders them minor < moderate < serious < critical).
FAILING_IMPACTS = ("serious", "critical")


def axe_script() -> str | None:
    """axe-core's browser script, as the ``axe-playwright-python`` package (requirements-dev) ships it."""
    try:
        from axe_playwright_python.base import AXE_FILE_PATH
    except ImportError:
        return None
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


#: The alt text JupyterLab gives an image that has none.
PLACEHOLDER_ALT = "Image"

AXE_RUN_JS = """async ({own, allowed, impacts, placeholder}) => {
    const cellIndex = el => {  // the notebook cell's index (from 0), or null
        const cell = el && el.closest('.jp-Cell');
        return cell ? [...cell.parentElement.children].filter(c => c.classList.contains('jp-Cell')).indexOf(cell) : null;
    };
    // Every violation node of the document (frames are audited on their own), with where it
    // sits: inside the course's own content, or matched by an entry of the allow-list.
    const results = await axe.run(document, {
        resultTypes: ['violations'], iframes: false, elementRef: true,
    });
    const found = [];
    for (const violation of results.violations) {
        for (const node of violation.nodes) {
            const impact = node.impact || violation.impact;
            if (!impacts.includes(impact)) continue;
            const el = node.element;
            const ours = !!(el && own.some(sel => el.closest(sel)));
            let entry = null;
            if (el) {
                entry = allowed.findIndex(([rule, sel]) => rule === violation.id && el.closest(sel));
                if (entry < 0) entry = null;
            }
            found.push({
                rule: violation.id, impact, help: violation.help,
                target: node.target.map(String).join(' '), html: (node.html || '').slice(0, 300),
                summary: (node.failureSummary || '').slice(0, 400), ours, entry,
                cell: cellIndex(el),
            });
        }
    }
    // JupyterLab gives every image without alt text (or with an empty one) the alt text
    // "Image" (handleDefaults in @jupyterlab/rendermime), which hides a missing description
    // from axe's image-alt: in the course's content that placeholder counts as no alt text.
    for (const img of document.querySelectorAll(own.map(sel => `${sel} img`).join(', '))) {
        if (img.getAttribute('alt') !== placeholder) continue;
        found.push({
            rule: 'course-image-alt', impact: 'critical',
            help: `Images must have alt text of their own (this one has JupyterLab's placeholder alt="${placeholder}")`,
            target: img.tagName.toLowerCase(), html: img.outerHTML.slice(0, 300), summary: '',
            ours: true, entry: null, cell: cellIndex(img),
        });
    }
    return {version: axe.version, nodes: found};
}"""


def axe_audit(frame, own=OWN_CONTENT, allowed=(), impacts=FAILING_IMPACTS) -> dict:
    """Run axe-core in ``frame`` (a Playwright page or frame): serious and critical nodes.

    Returns ``{"version": ..., "nodes": [...]}``; each node has its ``rule``, ``impact``,
    ``target``, ``html``, ``ours`` (inside ``own``) and ``entry`` (the index of the first
    ``(rule, selector)`` pair of ``allowed`` that it matches: the node or an ancestor
    matches the selector), and ``cell`` (the notebook cell's index, or None).

    One check is the course's own, not axe's: ``course-image-alt``, an image inside ``own``
    whose alt text is JupyterLab's placeholder (see ``AXE_RUN_JS``).
    """
    script = axe_script()
    if script is None:
        raise RuntimeError("axe-core is not installed (the axe-playwright-python package, requirements-dev.lock)")
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(script)
    arguments = {
        "own": list(own),
        "allowed": [list(pair) for pair in allowed],
        "impacts": list(impacts),
        "placeholder": PLACEHOLDER_ALT,
    }
    return frame.evaluate(AXE_RUN_JS, arguments)


def describe_axe_nodes(nodes: list[dict]) -> str:
    """Axe's nodes as lines for a failure message."""
    return "\n".join(
        f"- {n['rule']} ({n['impact']}) at {n['target']}"
        + (f" [cell {n['cell'] + 1} of the notebook]" if n.get("cell") is not None else "")
        + f": {n['help']}\n    {n['html']}\n    {n['summary']}".replace("\n    \n", "\n")
        for n in nodes
    )
