"""When student code may run: in the sandbox, or (only when the instructor says so) without it."""

from __future__ import annotations

from traitlets import Bool
from traitlets.config import LoggingConfigurable

from .availability import sandbox_available
from .kernel import SandboxedKernelManager

#: What an instructor reads when grading is refused.
HOW_TO_OPT_OUT = (
    "To grade without the sandbox anyway (UNSAFE: student code then runs with your account's rights and can "
    "read and change the gradebook, the hidden tests and other students' work), set "
    "c.GradingSandbox.unsafe_allow_unsandboxed = True in nbgrader_config.py, or pass "
    "--GradingSandbox.unsafe_allow_unsandboxed=True."
)


class SandboxRefused(RuntimeError):
    """Grading was refused because the sandbox cannot start and unsandboxed grading was not allowed."""


class GradingSandbox(LoggingConfigurable):
    """Whether the kernels that run submissions at autograde start in the sandbox (the default)."""

    enabled = Bool(True, help="Run every student's kernel in the sandbox (bubblewrap).").tag(config=True)
    unsafe_allow_unsandboxed = Bool(
        False,
        help="Where the sandbox cannot start (no bubblewrap, no user namespaces, macOS, Windows), run student "
        "code without it instead of refusing to grade. UNSAFE: student code then runs with the grader's rights.",
    ).tag(config=True)

    def kernel_manager_class(self, default):
        """The kernel manager to grade with; raises :class:`SandboxRefused` rather than run unsafely."""
        if not self.enabled:
            if self.unsafe_allow_unsandboxed:
                return default
            raise SandboxRefused(
                "GradingSandbox.enabled is False, but unsandboxed grading was not allowed. " + HOW_TO_OPT_OUT
            )
        ok, why = sandbox_available()
        if ok:
            return SandboxedKernelManager
        if self.unsafe_allow_unsandboxed:
            self.log.warning("Grading WITHOUT the sandbox (unsafe_allow_unsandboxed): %s", why)
            return default
        raise SandboxRefused(
            f"Autograding refused: the sandbox for student code cannot start here: {why} " + HOW_TO_OPT_OUT
        )
