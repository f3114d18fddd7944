"""A second, deliberately small nbgrader course, to show two courses side by side on one hub.

`python3 tasks.py hub --course assignments --course hub/demo-course` serves both; each
has its own Formgrader, gradebook and folder in the exchange, and a student sees only the
courses whose group (nbgrader-<course id>) they are in.
"""

import os

c = get_config()

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "platform-intl-demo"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 30
