"""Lets nbgrader and the JupyterLab server started at the repository root find the course.

The course configuration lives in assignments/nbgrader_config.py.
"""

import os

load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments", "nbgrader_config.py"))
