"""The runtime path: a handler in the real workbench emits, the statement lands in Ralph.

Uses a probe block on the blocks' shared base (settings service, learner id, usage key), so
the path from ``XBLOCK_SETTINGS`` through ``xapi.emit`` to the LRS is proven independently of
the three blocks' own flows (those tests come once the blocks call ``xapi.emit``).
"""
from __future__ import annotations

from web_fragments.fragment import Fragment
from xblock.core import XBlock

from competency_xblock import xapi
from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.xapi.outbox import Outbox
from tests.lrs.conftest import direct_settings
from tests.lrs.helpers import assert_exactly_once, wait_for


class XapiProbeBlock(CompetencyBlockBase):
    """Emits one quiz outcome per call, the way a block's handler will."""

    def student_view(self, context=None):
        return Fragment("<p>probe</p>")

    @XBlock.json_handler
    def finish(self, data, suffix=""):
        event = xapi.QuizCompleted(
            usage_key=str(self.scope_ids.usage_id),
            learner=xapi.Learner(anonymous_id=self.learner_id()),
            language=self.language, block_title="Probe", attempt_id=str(data["attempt"]),
            attempt=data["attempt"], raw=data["raw"], max=10, success=data["raw"] >= 8,
            mastery=0.8, duration_seconds=12.5)
        built = xapi.emit(self.block_settings(), event,
                          publish=lambda name, payload: self.runtime.publish(self, name, payload))
        return {"statement_id": built.statement_id if built else None,
                "body": built.body.decode() if built else None}


@XBlock.register_temp_plugin(XapiProbeBlock, "xapi_probe")
def test_workbench_handler_to_ralph(workbench, ralph, tmp_path):
    from django.conf import settings

    bucket = settings.XBLOCK_SETTINGS.setdefault("competency_xblock", {})
    saved = dict(bucket)
    outbox = tmp_path / "o.sqlite3"
    bucket.update(direct_settings(ralph, outbox, xapi_sender="thread",
                                  xapi_lms_root_url="http://127.0.0.1:8000"))
    try:
        sid = workbench.scenario("<xapi_probe/>")
        page = workbench.render(sid, student="s1")
        answers = [workbench.call(page.usage_ids[0], "finish", {"attempt": n, "raw": raw},
                                  student="s1") for n, raw in ((1, 6), (2, 9))]
        assert [a.status for a in answers] == [200, 200]
        assert wait_for(lambda: Outbox(outbox).pending_count() == 0, timeout=30)
    finally:
        xapi.shutdown()
        bucket.clear()
        bucket.update(saved)
    built = [a.data for a in answers]
    found = {s["id"]: s for s in ralph.statements()}
    outcomes = [found[b["statement_id"]] for b in built]
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in outcomes] == ["failed", "passed"]
    assert outcomes[0]["actor"]["account"] == {"homePage": "http://127.0.0.1:8000", "name": "s1"}

    class Sent:  # the shape assert_exactly_once reads
        def __init__(self, data):
            self.statement_id, self.body = data["statement_id"], data["body"].encode()

    assert_exactly_once(ralph, [Sent(b) for b in built])

