"""Grading refuses to run student code unsafely, unless the instructor opts in by name."""

from __future__ import annotations

import pytest
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Config

from platform_intl.instructor.sandbox import GradingSandbox, SandboxedKernelManager, SandboxRefused, policy


def test_where_the_sandbox_cannot_start_grading_is_refused_with_the_reason_and_the_fix(monkeypatch):
    monkeypatch.setattr(
        policy, "sandbox_available", lambda: (False, "bwrap is not installed: apt-get install bubblewrap")
    )
    with pytest.raises(SandboxRefused) as refusal:
        GradingSandbox().kernel_manager_class(AsyncKernelManager)
    message = str(refusal.value)
    assert "apt-get install bubblewrap" in message  # why, and how to enable it
    assert "unsafe_allow_unsandboxed" in message and "UNSAFE" in message  # the explicit way out


def test_the_unsafe_switch_runs_without_the_sandbox_only_when_set(monkeypatch):
    monkeypatch.setattr(policy, "sandbox_available", lambda: (False, "no user namespaces"))
    config = Config()
    config.GradingSandbox.unsafe_allow_unsandboxed = True
    assert GradingSandbox(config=config).kernel_manager_class(AsyncKernelManager) is AsyncKernelManager


def test_switching_the_sandbox_off_without_the_unsafe_switch_is_refused():
    config = Config()
    config.GradingSandbox.enabled = False
    with pytest.raises(SandboxRefused, match="unsafe_allow_unsandboxed"):
        GradingSandbox(config=config).kernel_manager_class(AsyncKernelManager)


def test_where_the_sandbox_works_kernels_start_in_it(monkeypatch):
    monkeypatch.setattr(policy, "sandbox_available", lambda: (True, "bubblewrap works"))
    assert GradingSandbox().kernel_manager_class(AsyncKernelManager) is SandboxedKernelManager


def test_the_course_configuration_grades_in_the_sandbox():
    from conftest import ASSIGNMENTS

    from platform_intl.instructor.course import Course

    config = Course(root=ASSIGNMENTS).config()
    assert config.GradingSandbox.enabled is True
    assert not config.GradingSandbox.get("unsafe_allow_unsandboxed", False)
    assert any(p.endswith("verdicts.VerdictExecute") for p in config.Autograde.autograde_preprocessors)
    limits = config.SandboxedKernelManager.limits
    assert limits["memory"] <= 4 * 1024**3 and limits["processes"] <= 128 and limits["cpu_seconds"] <= 600
