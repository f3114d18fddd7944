"""nbgrader configuration for the Platform Internationalization course.

Read by the nbgrader command line (run from this folder or, through the repository
root's nbgrader_config.py, from the root) and by the Formgrader and Assignment List
in JupyterLab, which `python3 tasks.py lab` starts at the repository root.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "platform-intl"

# Where released assignments and submissions travel. tasks.py points it inside .venv/;
# on a shared server, set NBGRADER_EXCHANGE to the exchange every user can reach.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", os.path.join(COURSE_ROOT, ".exchange"))

# A cell that runs longer than this is interrupted, so one infinite loop cannot stall a
# grading run; the whole course's cells finish in well under a second each.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.ExecutePreprocessor.timeout = 60

# Restore test cells that a student deleted, not only the ones they edited.
c.OverwriteCells.add_missing_cells = True

# Answers are stubbed with a clear instruction; blank answers then fail their tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
