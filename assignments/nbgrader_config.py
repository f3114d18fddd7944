"""nbgrader configuration for the Platform Internationalization course.

Read by the nbgrader command line (run from this folder or, through the repository
root's nbgrader_config.py, from the root) and by the Formgrader and Assignment List
in JupyterLab, which `python3 tasks.py lab` starts at the repository root.
"""

import importlib.util
import os

c = get_config()

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "platform-intl"

# The course's data, for every process grading starts (the students' kernels, the grader's
# own test process): they run in scratch folders, where platform_intl.data cannot find it.
if os.path.isfile(os.path.join(os.path.dirname(COURSE_ROOT), "datasets", "datapackage.json")):
    os.environ.setdefault("PLATFORM_INTL_DATASETS", os.path.join(os.path.dirname(COURSE_ROOT), "datasets"))

# Where released assignments and submissions travel. tasks.py points it inside .venv/;
# on a shared server, set NBGRADER_EXCHANGE to the exchange every user can reach.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", os.path.join(COURSE_ROOT, ".exchange"))

# A cell that runs longer than this is interrupted, so one infinite loop cannot stall a
# grading run; the whole course's cells finish in well under a second each.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.ExecutePreprocessor.timeout = 60

# A cell's printed lines are one output however the kernel happened to flush them, so a
# notebook graded in a busy parallel run reads (and compares) the same as one graded alone.
c.Execute.coalesce_streams = True

# Restore test cells that a student deleted, not only the ones they edited.
c.OverwriteCells.add_missing_cells = True

# Answers are stubbed with a clear instruction; blank answers then fail their tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# ---------------------------------------------------------------------------------------
# Robust autograding: what happens with the submissions that break grading (infinite or
# uninterruptible loops, sys.exit/os._exit/crashes, invalid JSON, renamed notebooks,
# huge outputs, tampering with tests). The outcomes are listed in
# docs/instructor-guide.md; src/platform_intl/instructor/ holds the classes, one stage a module. They
# apply to `course-admin autograde`, `nbgrader autograde` and the Formgrader alike.
# Classes are named as strings: nbgrader imports them (from the course environment) when it
# grades, and this file still loads for commands that do not need them.
_PI = "platform_intl.instructor."

c.Autograde.exporter_class = _PI + "intake.RobustNotebookExporter"
c.Autograde.pre_convert_hook = _PI + "intake.prepare_submission"
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    _PI + "intake.RecordingDeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    _PI + "intake.RecordingOverwriteCells",
    _PI + "intake.CheckCellMetadataOnce",  # nbgrader's checks, without re-checking the schema per cell
]
c.Autograde.autograde_preprocessors = [
    _PI + "verdicts.VerdictExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    _PI + "notes.AddGraderNotes",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    _PI + "intake.CheckCellMetadataOnce",  # nbgrader's checks, without re-checking the schema per cell
]
# Restart the kernel (at most 3 times per notebook) when a cell ignores the interrupt or
# the kernel dies; a cell may print at most 100,000 characters.
c.RobustExecute.max_restarts = 3
c.RobustExecute.max_output_chars = 100_000

# The sandbox every student's kernel runs in at autograde (bubblewrap; see the instructor
# guide's threat model): it sees the Python environment, the course's datasets (read only)
# and a private copy of its own submission, nothing else; no network; a clean environment;
# and these limits, per process. A submission that hits one scores 0 on the parts it did not
# reach, with a note naming the limit; everyone else is graded as usual. Where the sandbox
# cannot start, grading stops and says why, unless
# c.GradingSandbox.unsafe_allow_unsandboxed = True (student code then runs with your rights).
# Without it, grading stops and says so (the grader's run of the set-up cells cannot load data).
_DATASETS = os.environ.get("PLATFORM_INTL_DATASETS", "")
c.GradingSandbox.enabled = True
c.SandboxedKernelManager.limits = {
    "memory": 2 * 1024**3,  # bytes of address space per process
    "cpu_seconds": 120,  # CPU time of the kernel process
    "processes": 64,  # processes and threads of the sandbox's user
    "open_files": 256,
    "file_size": 64 * 1024**2,  # the largest file it may write
}
c.SandboxedKernelManager.read_only_paths = [_DATASETS] if os.path.isdir(_DATASETS) else []
# Kernels never import the grading code (what they run of it is sent as text): hide it.
c.SandboxedKernelManager.hidden_paths = [
    os.path.dirname(importlib.util.find_spec("platform_intl.instructor").origin or "")
]
# Each kernel is forked from a warm template that has imported these libraries (and nothing of
# any student): a fresh process with its own namespaces, folders and limits, without paying
# for the imports each time. c.SandboxedKernelManager.warm_start = False starts every kernel cold.
c.SandboxedKernelManager.warm_imports.extend(
    [
        "platform_intl.checks",
        "platform_intl.data",
        "platform_intl.sizing",
        "platform_intl.localization",
        "babel.numbers",
    ]
)
c.SandboxedKernelManager.extra_env = {
    "PLATFORM_INTL_DATASETS": _DATASETS,
    # Figures stay in the graded notebook (and its feedback), as without the sandbox.
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}

# Feedback: no hidden tests, and no instructor-only line in any output or traceback
# (jupyter/nbgrader#917). Only the assignment's own notebooks become feedback, and the
# feedback folder holds nothing else (nbgrader copies every file of the submission there);
# only those pages are released.
c.GenerateFeedback.pre_convert_hook = _PI + "feedback.prepare_feedback"
c.GenerateFeedback.post_convert_hook = _PI + "feedback.finish_feedback"
c.ExchangeFactory.release_feedback = _PI + "feedback.ReleaseOnlyFeedback"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    _PI + "feedback.FeedbackClearHiddenTests",
    _PI + "feedback.RedactSecrets",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# Feedback and the Formgrader are safe to open: both render notebooks with nbconvert's
# HTMLExporter, which would paste students' HTML, scripts and widget views into the page.
# These clean every markdown answer, raw cell and output before it is shown (nh3);
# feedback pages are cleaned once more as a whole by finish_feedback above.
c.HTMLExporter.preprocessors = [_PI + "safe_html.SanitizeOutputs"]
c.HTMLExporter.filters = {
    "markdown2html": _PI + "safe_html.SafeMarkdown",
    "clean_html": _PI + "safe_html.clean",
}

# Late policy: 1 point off per started day after the due date (never below 0 per
# notebook). Due dates live in the gradebook: `course-admin release` sets them from
# CourseAdmin.due_dates below (or --duedate), the Formgrader's "Manage Assignments"
# page edits them. Format: "YYYY-MM-DD HH:MM:SS" plus a time zone, e.g. "UTC".
c.AssignLatePenalties.plugin_class = _PI + "late_policy.SubMarks"
c.SubMarks.penalty_per_unit = 1.0
c.SubMarks.unit = "days"
c.CourseAdmin.due_dates = {
    # "ps0_orientation": "2027-02-05 23:59:00 Europe/Copenhagen",
}
