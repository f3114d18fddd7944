"""Running a submission: timeouts, restarts after crashes, output caps, a scratch working folder."""

from __future__ import annotations

import ast
import copy
import json
import os
import shutil
import tempfile
from importlib import resources
from queue import Empty
from time import monotonic

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import (
    Execute,
)
from traitlets import Bool, Integer, List, Unicode

from .intake import _shorten
from .notes import add_note, cell_label, is_test_cell

# ------------------------------------------------------------------ execution


def _guard_code(protected: list[str]) -> str:
    """The kernel guard's source (a module of this package, sent as text) and its installation."""
    source = (resources.files(__package__) / "kernel_guard.py").read_text(encoding="utf-8")
    return f"{source}\n_install_grader_guard({protected!r})\ndel _install_grader_guard\n"


_RESTORE = '__import__("sys").modules["_platform_intl_grader_guard"].restore()'
_CHANGED = {"changed": '__import__("sys").modules["_platform_intl_grader_guard"].changed'}
_REMEMBER = '__import__("sys").modules["_platform_intl_grader_guard"].remember(%r)'


def _bound_helper_names(source: str) -> list[str]:
    """Names a (read-only) cell binds with import, def or class at top level."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
    return names


def _imported_modules(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module)
    return modules


def _error_output(ename: str, message: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class RobustExecute(Execute):
    """nbgrader's Execute that survives what student code does to the kernel.

    nbgrader interrupts a cell that runs past ``timeout``. When the interrupt does not
    stop it, or when the kernel dies, nbgrader gives up on the whole submission. Here
    the cell gets an error output saying what happened, the kernel is restarted, the
    cells above are run again (except ones that hung) and grading continues.
    """

    restart_failed_kernel = Bool(
        True,
        help="Restart the kernel and continue when a cell ignores the interrupt or "
        "the kernel dies (instead of failing the submission).",
    ).tag(config=True)
    max_restarts = Integer(
        3, help="Kernel restarts per notebook before the remaining cells are marked as not run."
    ).tag(config=True)
    protect_tests = Bool(
        True,
        help="Before every test cell, restore what tests rely on (see "
        "protected_modules) and run test cells without storing them in IPython's "
        "history.",
    ).tag(config=True)
    protected_modules = List(
        Unicode(),
        ["math", "cmath", "numpy", "platform_intl.checks"],
        help="Modules whose attributes are snapshotted when the kernel starts and put back before each test cell.",
    ).tag(config=True)
    protected_packages = List(
        Unicode(), ["platform_intl"], help="Modules of these packages imported by read-only cells are protected too."
    ).tag(config=True)
    isolate_working_directory = Bool(
        True,
        help="Run the kernel in a scratch copy of the submission folder without its "
        "notebooks, which hold the hidden tests while harness.",
    ).tag(config=True)
    max_output_chars = Integer(
        100_000,
        help="Text a cell may output (stream and text results); the rest is dropped "
        "while the cell runs, with a marker.",
    ).tag(config=True)
    max_output_bytes = Integer(20_000_000, help="Everything a cell may output, images included.").tag(config=True)

    # ---------------------------------------------------------------- notebook
    def preprocess(self, nb, resources=None, km=None):
        self._notes: list[tuple] = []
        self._replayable: list[int] = []
        self._restarts = 0
        self._gave_up = False
        self._protect = self._modules_to_protect(nb)
        self._tampered: list[str] = []
        path = (resources or {}).get("metadata", {}).get("path")
        scratch = None
        if self.isolate_working_directory and path and os.path.isdir(path):
            scratch = tempfile.mkdtemp(prefix="grading-")
            # As deep as autograded/<student>/<assignment>/, so that relative paths to the
            # other graded notebooks or to ../../../source/ find nothing.
            workdir = os.path.join(scratch, "work", "submission", os.path.basename(os.path.normpath(path)))
            shutil.copytree(
                path, workdir, symlinks=True, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints")
            )
            resources["metadata"]["path"] = workdir
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if scratch:
                resources["metadata"]["path"] = path
                shutil.rmtree(scratch, ignore_errors=True)
        if self._tampered:
            self._notes.append(
                (
                    "protection",
                    "The submission changed what the tests rely on ("
                    + ", ".join(f"`{name}`" for name in self._tampered[:12])
                    + (", ..." if len(self._tampered) > 12 else "")
                    + "); the grader put the originals back before every test cell.",
                    None,
                )
            )
        for note in self._notes:
            add_note(nb, *note)
        return nb, resources

    def _modules_to_protect(self, nb) -> list[str]:
        modules = list(self.protected_modules)
        for cell in nb.cells:
            if cell.cell_type == "code" and nbutils.is_locked(cell):
                for name in _imported_modules(cell.source):
                    if name.split(".")[0] in self.protected_packages and name not in modules:
                        modules.append(name)
        return modules

    # -------------------------------------------------------------------- cells
    def preprocess_cell(self, cell, resources, index):
        self._check_assign_resources(resources)
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, self.resources
        label = cell_label(cell, index)
        if self._gave_up:
            cell.outputs = [
                _error_output("NotRun", "The grader did not run this cell: the kernel kept failing in the cells above.")
            ]
            return cell, self.resources
        test = is_test_cell(cell)
        restored = not (test and self.protect_tests) or self._hidden(_RESTORE, label, _CHANGED)
        if not restored and self._gave_up:
            return self.preprocess_cell(cell, resources, index)
        self._timed_out = False
        self._output_budget = {"chars": 0, "bytes": 0, "dropped": 0, "marker": None}
        try:
            cell = self.execute_cell(cell, index, store_history=not (test and self.protect_tests))
        except CellTimeoutError:
            if not self.restart_failed_kernel:
                raise
            if not self._timed_out:
                # The cell finished (its reply came) but its output kept streaming past
                # iopub_timeout, on a busy machine: keep what arrived and go on.
                self._notes.append(
                    ("output", f"`{label}`: the end of its output arrived too late to be recorded.", label)
                )
                self._replayable.append(index)
                return cell, self.resources
            return self._kernel_failed(cell, index, label, died=False)
        except DeadKernelError:
            if not self.restart_failed_kernel:
                raise
            return self._kernel_failed(cell, index, label, died=True)
        self._finish_output_budget(cell, label)
        if self._timed_out:
            self._notes.append(("timeout", f"`{label}` ran longer than {self.timeout} s and was interrupted.", label))
        else:
            self._replayable.append(index)
        if nbutils.is_locked(cell) and self.protect_tests:
            names = _bound_helper_names(cell.source)
            if names:
                self._hidden(_REMEMBER % (names,), label)
        return cell, self.resources

    def _kernel_failed(self, cell, index, label, *, died: bool):
        """The cell ignored the interrupt or the kernel died: say so, restart, replay."""
        message = (
            "The kernel died while running this cell (for example os._exit(), a crash, or running out of memory)."
            if died
            else f"This cell ran longer than {self.timeout} s and ignored the interrupt (for "
            "example a loop that catches KeyboardInterrupt or BaseException)."
        )
        message += (
            " The grader restarted the kernel, ran the cells above again and went on with the rest of the notebook."
        )
        cell.outputs.append(_error_output("KernelDied" if died else "CellNotInterruptible", message))
        self._notes.append(("died" if died else "unresponsive", f"`{label}`: {message}", label))
        self._recover(index)
        return cell, self.resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    # ------------------------------------------------------------ kernel setup
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if self.protect_tests:
            await self._async_hidden(_guard_code(self._protect), timeout=max(30, self.timeout or 30))
        return kc

    # nbclient binds the synchronous wrappers to its own coroutines: rebind them.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_hidden(self, code: str, timeout: float | None = None, expressions=None):
        """Run code in the kernel without output or history; the reply content or None."""
        msg_id = await ensure_async(
            self.kc.execute(
                code,
                silent=True,
                store_history=False,
                user_expressions=expressions or {},
                allow_stdin=False,
                stop_on_error=False,
            )
        )
        deadline = monotonic() + (timeout or min(self.timeout or 30, 30))
        while True:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=remaining))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def _hidden(self, code: str, label: str, expressions=None) -> bool:
        """Run grader code; on failure record it and, if the kernel is stuck, recover."""
        try:
            reply = run_sync(self._async_hidden)(code, expressions=expressions)
        except Exception:
            reply = None
        if reply is not None and reply.get("status") == "ok":
            value = (reply.get("user_expressions") or {}).get("changed", {})
            try:
                changed = ast.literal_eval(value.get("data", {}).get("text/plain", "[]"))
            except (ValueError, SyntaxError):
                changed = []
            for name in changed:
                if name not in self._tampered:
                    self._tampered.append(name)
            return True
        if reply is not None:
            self._notes.append(
                (
                    "protection",
                    "Before running `{}` the grader could not restore what the "
                    "tests rely on ({}: {}): the submission interfered with the grader. Review "
                    "this submission.".format(label, reply.get("ename"), _shorten(reply.get("evalue", ""), 120)),
                    label,
                )
            )
            return False
        self._notes.append(
            (
                "unresponsive",
                f"The kernel stopped responding before `{label}`; the grader "
                "restarted it and ran the cells above again.",
                label,
            )
        )
        self._recover(None)
        return False

    def _recover(self, failed_index):
        """Replace the kernel and replay the cells that ran, up to the failed one."""
        while True:
            if self._restarts >= self.max_restarts:
                self._gave_up = True
                self._notes.append(
                    (
                        "gave-up",
                        f"The kernel failed {self._restarts + 1} times; the grader did not run the remaining cells.",
                        None,
                    )
                )
                return
            self._restarts += 1
            try:
                run_sync(self._async_replace_kernel)()
            except Exception as error:
                self.log.error("Could not restart the kernel: %s", error)
                self._gave_up = True
                return
            if self._replay(failed_index):
                return

    async def _async_replace_kernel(self):
        """Kill the kernel (it is dead or stuck) and start a fresh one with the guard."""
        mode, self.shutdown_kernel = self.shutdown_kernel, "immediate"
        try:
            await self._async_cleanup_kernel()
        except Exception as error:
            self.log.info("Cleaning up the failed kernel: %s", error)
        finally:
            self.shutdown_kernel = mode
        self.kc = None
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

    def _replay(self, failed_index) -> bool:
        """Re-run the cells that completed before; False when the kernel failed again."""
        for index in list(self._replayable):
            original = self.nb.cells[index]
            clone = copy.deepcopy(original)
            test = is_test_cell(clone)
            self._output_budget = {"chars": 0, "bytes": 0, "dropped": 0, "marker": None}
            try:
                self.execute_cell(clone, index, store_history=not (test and self.protect_tests))
            except (DeadKernelError, CellTimeoutError):
                self._replayable.remove(index)
                self._notes.append(
                    (
                        "unresponsive",
                        f"Running `{cell_label(original, index)}` again after a restart failed too; it was left out.",
                        cell_label(original, index),
                    )
                )
                return False
            finally:
                self.nb.cells[index] = original
            if nbutils.is_locked(clone) and self.protect_tests:
                names = _bound_helper_names(clone.source)
                if names:
                    run_sync(self._async_hidden)(_REMEMBER % (names,))
        return True

    # ------------------------------------------------------------ output caps
    def output(self, outs, msg, display_id, cell_index):
        budget = getattr(self, "_output_budget", None)
        msg_type = msg["msg_type"]
        if budget is None or msg_type not in ("stream", "display_data", "execute_result"):
            return super().output(outs, msg, display_id, cell_index)
        content = msg["content"]
        text_size, total_size = _message_size(content)
        chars_left = self.max_output_chars - budget["chars"]
        bytes_left = self.max_output_bytes - budget["bytes"]
        if text_size <= chars_left and total_size <= bytes_left:
            budget["chars"] += text_size
            budget["bytes"] += total_size
            return super().output(outs, msg, display_id, cell_index)
        if msg_type == "stream" and chars_left > 0:
            msg = copy.copy(msg)
            msg["content"] = dict(content, text=content["text"][:chars_left])
            budget["chars"] += chars_left
            budget["bytes"] += chars_left
            budget["dropped"] += text_size - chars_left
            out = super().output(outs, msg, display_id, cell_index)
        else:
            budget["dropped"] += max(text_size, total_size)
            out = None
        if budget["marker"] is None:
            budget["marker"] = nbformat.v4.new_output("stream", name="stdout", text="")
            outs.append(budget["marker"])
        return out

    def _finish_output_budget(self, cell, label):
        budget = getattr(self, "_output_budget", None)
        if not budget or budget["marker"] is None:
            return
        dropped = budget["dropped"]
        budget["marker"]["text"] = (
            f"\n[The grader dropped {dropped:,} more characters of output from this "
            f"cell; a cell may print at most {self.max_output_chars:,}.]\n"
        )
        if not any(output is budget["marker"] for output in cell.outputs):
            cell.outputs.append(budget["marker"])
        self._notes.append(
            (
                "output",
                f"`{label}` printed about {budget['chars'] + dropped:,} characters; the "
                f"grader kept the first {self.max_output_chars:,}.",
                label,
            )
        )


def _message_size(content) -> tuple[int, int]:
    if "text" in content:
        size = len(content["text"])
        return size, size
    text = total = 0
    for mime, value in (content.get("data") or {}).items():
        size = len(value) if isinstance(value, str) else len(json.dumps(value))
        total += size
        if mime.startswith("text/") or mime.endswith("json"):
            text += size
    return text, total
