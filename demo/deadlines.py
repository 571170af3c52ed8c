"""The LMS's deadline fields in the workbench, so ``due`` closes a block there as in the LMS.

In the LMS and Studio every block class is mixed with edx-platform's ``InheritanceMixin``
(xmodule/modulestore/inheritance.py).  The xblock-sdk workbench mixes in nothing, so without
this a quiz never closes in the demo and ``due="..."`` in OLX is dropped as an unknown
attribute.  :class:`LmsDeadlineMixin` gives every block the same three settings with the
same types, scope and defaults (``due``: Date, ``graceperiod``: Timedelta, ``self_paced``:
Boolean, default False) and the same API: the property ``close_date`` (``due`` plus
``graceperiod``, or ``due`` alone), ``is_past_due()`` (a close date, and now after it) and
``has_deadline_passed()`` (False in a self-paced course or without a close date, else
``is_past_due()``).  Unlike the LMS, a value is not inherited from a parent element: in the
workbench put ``due`` on the block's own element.

:func:`install` makes every ``WorkbenchRuntime`` mix it in (it is called when Django starts
with ``demo.settings``: the demo, the runtime tests and the browser tests' server).  Two
workarounds for the sdk, both in :func:`install`:

- the workbench's runtime takes no ``mixins`` argument; this sets the one attribute
  (``Runtime.mixologist``) that the argument would have set;
- before every view and handler the sdk "patches" the block for the LTI consumer XBlock
  (``WorkbenchRuntime._patch_xblock``), among other things with ``block.due =
  datetime.utcnow()`` and ``block.graceperiod = timedelta(0)``.  On a block without these
  fields that only leaves two plain attributes (and our blocks, seeing no
  ``has_deadline_passed``, stay open); with the fields it would overwrite, and save, the
  author's due date with "now".  The patch still runs, minus those two assignments.
"""
from __future__ import annotations

import functools
from datetime import UTC, datetime

from xblock.core import XBlockMixin
from xblock.fields import Boolean, Date, Scope, Timedelta


def now() -> datetime:
    """The current time (UTC); tests replace it to move the clock."""
    return datetime.now(UTC)


class LmsDeadlineMixin(XBlockMixin):
    """``due``, ``graceperiod``, ``self_paced`` and the deadline methods of the LMS."""

    due = Date(
        display_name="Due date",
        help="When graded work is due (in the LMS usually inherited from the subsection).",
        scope=Scope.settings,
    )
    graceperiod = Timedelta(
        help="How long after the due date submissions are still accepted.",
        scope=Scope.settings,
    )
    self_paced = Boolean(
        display_name="Self-paced",
        help="True in a self-paced course, where due dates never close anything.",
        default=False,
        scope=Scope.settings,
    )

    @property
    def close_date(self):
        """When submissions close: the due date plus the grace period (None: no due date)."""
        due = self.due
        if due and self.graceperiod is not None:
            return due + self.graceperiod
        return due

    def is_past_due(self) -> bool:
        closes = self.close_date
        return closes is not None and now() > closes

    def has_deadline_passed(self) -> bool:
        # the LMS's rule; the close date first, so that a block without a due date reads
        # one field (each read is a database query in the workbench)
        return self.is_past_due() and not self.self_paced


#: What the workbench runtime mixes into every block class.
RUNTIME_MIXINS = (LmsDeadlineMixin,)
#: What the sdk's ``_patch_xblock`` may not assign: they are fields now.
KEPT_FIELDS = ("due", "graceperiod")


class _KeepDeadlineFields:
    """The block as the sdk's ``_patch_xblock`` sees it: every attribute read and written
    through to the block, except assignments to :data:`KEPT_FIELDS` of a block that has them
    as fields."""

    def __init__(self, block) -> None:
        object.__setattr__(self, "_block", block)

    def __getattr__(self, name):
        return getattr(self._block, name)

    def __setattr__(self, name, value) -> None:
        if name in KEPT_FIELDS and name in getattr(self._block, "fields", {}):
            return
        setattr(self._block, name, value)


def install() -> None:
    """Make every ``WorkbenchRuntime`` created from now on mix :data:`RUNTIME_MIXINS` into the
    block classes it builds, and keep the sdk's LTI patch off their deadline fields (see the
    module docstring; idempotent)."""
    from workbench.runtime import WorkbenchRuntime
    from xblock.runtime import Mixologist

    if getattr(WorkbenchRuntime.__init__, "cx_mixins", None) == RUNTIME_MIXINS:
        return
    original_init = WorkbenchRuntime.__init__
    original_patch = WorkbenchRuntime._patch_xblock  # noqa: SLF001 - see the module docstring

    @functools.wraps(original_init)
    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.mixologist = Mixologist(RUNTIME_MIXINS)

    @functools.wraps(original_patch)
    def _patch_xblock(self, block):
        original_patch(self, _KeepDeadlineFields(block))

    init.cx_mixins = RUNTIME_MIXINS
    WorkbenchRuntime.__init__ = init
    WorkbenchRuntime._patch_xblock = _patch_xblock  # noqa: SLF001
