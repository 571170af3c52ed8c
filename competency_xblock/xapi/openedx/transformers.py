"""event-routing-backends transformers for ``competency_xblock.xapi.*`` events.

Imported from :meth:`CompetencyXapiConfig.ready` only; importing it needs the platform
(event-routing-backends, edx-tincan-py35, Django settings).
"""
from __future__ import annotations

from django.conf import settings
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry
from event_routing_backends.processors.xapi.transformer import XApiTransformer
from tincan import Statement

from competency_xblock.xapi.openedx.convert import statement_from_payload
from competency_xblock.xapi.openedx.settings.common import OUR_EVENTS


class CompetencyXapiTransformer(XApiTransformer):
    """One transformer for all five kinds: the payload says which builder applies."""

    def transform(self):
        agent = self.get_actor()
        agent = agent.as_version("1.0.3") if hasattr(agent, "as_version") else agent
        bucket = (getattr(settings, "XBLOCK_SETTINGS", {}) or {}).get("competency_xblock", {})
        statement = statement_from_payload(self.event.get("data") or {}, agent, bucket,
                                           settings.LMS_ROOT_URL)
        return Statement(statement)


for _name in OUR_EVENTS:
    XApiTransformersRegistry.register(_name)(CompetencyXapiTransformer)
