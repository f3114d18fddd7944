"""An OS sandbox for the Jupyter kernels that run students' notebooks at autograde time.

The kernel and everything it starts run under bubblewrap (``bwrap``) with

* a mount namespace built from nothing: read-only system folders (``/usr`` and the
  ``/bin``-style links, a handful of files from ``/etc``), the Python environment bound
  narrowly (the venv's ``bin``, ``lib`` and ``pyvenv.cfg``, the base interpreter's prefix,
  the source folders of editable installs), a private writable scratch folder holding a copy
  of the submission (the working directory and ``$HOME``), size-limited ``/tmp`` and
  ``/dev/shm``, and the kernel's channel folder. Nothing else of the host is there: not the
  course root, the gradebook, ``source/``, ``release/``, other students, the exchange, the
  home folder, any Jupyter/IPython configuration;
* its own PID namespace with a fresh ``/proc``: when the kernel exits or is killed, the
  namespace's init exits and the kernel (Linux) kills every process left in it, daemons
  included; ``--die-with-parent`` does the same if the grader dies;
* its own network namespace (only a loopback of its own): the kernel talks to the grader over
  ZeroMQ's ``ipc`` transport, unix sockets in the channel folder;
* ``--clearenv`` and a short, fixed environment;
* resource limits set with ``prlimit`` inside the sandbox (memory, CPU time, processes,
  open files, file size, no core files).

``RLIMIT_NPROC`` is not enforced for a process whose real user is root (the fork check
exempts the init user), and a user-namespace ``--uid`` mapping does not help because the
mapped uid is still root outside. So when the grader runs as root the sandbox drops to a
dedicated unprivileged uid with ``setpriv`` (bwrap itself runs privileged, without a user
namespace, keeping only the capabilities setpriv needs); when the grader is an ordinary
user, bwrap makes a user namespace and the kernel keeps the grader's (non-root) uid.

The parts: :mod:`.limits` (where things are inside, limits, user, availability), :mod:`.pythonenv`
(what of the Python environment is bound), :mod:`.command` (the bwrap command line and its folders),
:mod:`.kernel` (the kernel manager). Public API, re-exported here: :class:`SandboxLimits`,
:func:`sandbox_available`, :class:`PythonEnv`,
:func:`build_command` (plus :func:`prepare_scratch` and :func:`prepare_channel`, which make
the folders it binds) and :class:`SandboxedKernelManager`, a jupyter_client kernel manager
that nbclient/nbgrader's ``Execute`` can use as ``kernel_manager_class``.
"""

from __future__ import annotations

from .availability import sandbox_available
from .command import build_command, prepare_channel, prepare_scratch, sandbox_environment
from .kernel import SandboxedKernelManager, SandboxProvisioner
from .limits import (
    SANDBOX_CHANNEL,
    SANDBOX_HOME,
    SandboxError,
    SandboxLimits,
    SandboxUnavailable,
    default_sandbox_user,
)
from .policy import GradingSandbox, SandboxRefused
from .pythonenv import PythonEnv

__all__ = [
    "SANDBOX_CHANNEL",
    "SANDBOX_HOME",
    "GradingSandbox",
    "PythonEnv",
    "SandboxError",
    "SandboxLimits",
    "SandboxProvisioner",
    "SandboxRefused",
    "SandboxUnavailable",
    "SandboxedKernelManager",
    "build_command",
    "default_sandbox_user",
    "prepare_channel",
    "prepare_scratch",
    "sandbox_available",
    "sandbox_environment",
]
