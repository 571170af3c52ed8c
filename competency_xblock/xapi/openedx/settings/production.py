"""``plugin_settings`` after ``production.py`` read ENV_TOKENS (which may replace
``EVENT_TRACKING_BACKENDS`` wholesale): put our names back into ERB's whitelists."""
from __future__ import annotations

from typing import Any

from competency_xblock.xapi.openedx.settings.common import OUR_EVENTS, add_to_whitelists


def plugin_settings(settings: Any) -> None:
    allowed = list(getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS", None) or [])
    settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS = allowed + [
        name for name in OUR_EVENTS if name not in allowed]
    add_to_whitelists(getattr(settings, "EVENT_TRACKING_BACKENDS", None), OUR_EVENTS)
