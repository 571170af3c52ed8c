"""Pure domain of the competency self-assessment: framework, role profiles, ratings, gaps,
upskilling plans, staff aggregates and report rows.

Imports neither XBlock nor Django, so the block, the CLI and the reports share it and its
tests run in milliseconds.  Every problem a person must read is a
:class:`~competency_xblock.text.UserFacingError`; validators return *all* problems
(:class:`ProblemsError`), never only the first.
"""
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework import Area, Competence, Framework, Level

__all__ = ["Area", "Competence", "Framework", "Level", "ProblemsError"]
