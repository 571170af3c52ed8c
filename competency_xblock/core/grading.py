"""Grade semantics shared by the graded blocks, following the LMS: the block publishes raw
earned/possible; the LMS applies ``weight``; ``max_score()`` is computed from content alone
because the LMS calls it on an unbound block (no learner state)."""
from __future__ import annotations

from xblock.fields import Float, Scope


class WeightedMixin:
    """``weight`` and ``icon_class`` as Open edX problems have them."""

    icon_class = "problem"

    weight = Float(
        display_name="Problem weight",
        help="How many points this block is worth in the course grade (0 makes it ungraded).",
        scope=Scope.settings,
        default=1.0,
        values={"min": 0, "step": 0.1},
    )
