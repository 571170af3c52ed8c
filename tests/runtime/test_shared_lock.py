"""A submit that cannot get the block-wide lock (another LMS worker holds it) is refused with
nothing stored: not the learner's own state without the shared figures that belong to it."""
from __future__ import annotations

import hashlib

from tests.runtime.self_assessment_helpers import olx, submit


def _other_worker_holds(key: tuple):
    """Hold the lock ``key`` the way another LMS process does: in the shared cache."""
    from django.core.cache import cache

    cache_key = "competency_xblock:lock:" + hashlib.sha256(repr(key).encode()).hexdigest()
    assert cache.add(cache_key, "another-worker", 60)
    return lambda: cache.delete(cache_key)


def test_busy_block_lock_refuses_the_submit_before_anything_is_saved(workbench, monkeypatch):
    from competency_xblock.core import handlers

    usage = workbench.render(workbench.scenario(olx()), student="staff").usage_id
    assert submit(workbench, usage, "first").status == 200
    # (the workbench stores an empty row the first time it reads a new learner's fields)
    assert submit(workbench, usage, "second", **{"1.1": "nonsense"}).status == 400
    monkeypatch.setattr(handlers, "LOCK_WAIT_SECONDS", 0.3)
    before = workbench.snapshot()
    release = _other_worker_holds((usage, "shared"))
    try:
        refused = submit(workbench, usage, "second", level="advanced")
    finally:
        release()
    assert refused.status == 409 and refused.data["error"]
    assert workbench.snapshot() == before           # neither "second"'s state nor the tally
    assert submit(workbench, usage, "second", level="advanced").status == 200
    assert workbench.state(usage, "second")
