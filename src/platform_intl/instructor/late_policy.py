"""The late policy: points off per started day after the due date."""

from __future__ import annotations

import math
from typing import ClassVar

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Enum, Float

# ------------------------------------------------------------------ late policy


class SubMarks(LateSubmissionPlugin):
    """Late policy: subtract ``penalty_per_unit`` points for every started ``unit``
    late (the "SubMarks" example of nbgrader's documentation, made configurable).

    nbgrader applies it per notebook and never takes more than the notebook's score.
    """

    penalty_per_unit = Float(1.0, help="Points subtracted per started unit of lateness.").tag(config=True)
    unit = Enum(["minutes", "hours", "days"], "days", help="The unit of lateness.").tag(config=True)
    grace_minutes = Float(0.0, help="Lateness up to this many minutes costs nothing.").tag(config=True)

    SECONDS: ClassVar[dict[str, int]] = {"minutes": 60, "hours": 3600, "days": 86400}

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= self.grace_minutes * 60:
            return 0.0
        units = math.ceil(total_seconds_late / self.SECONDS[self.unit])
        penalty = min(float(score or 0.0), units * self.penalty_per_unit)
        self.log.warning("%s is %d %s late: %g point(s) subtracted", student_id, units, self.unit, penalty)
        return penalty
