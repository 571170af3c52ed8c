"""``plugin_settings`` for the LMS: whitelist our event names for event-routing-backends."""
from __future__ import annotations

from typing import Any

from competency_xblock.xapi import EVENT_PREFIX
from competency_xblock.xapi.events import EVENT_TYPES

#: The tracking-log names our blocks publish with ``xapi_transport = "openedx"``.
OUR_EVENTS = [EVENT_PREFIX + kind for kind in EVENT_TYPES]
WHITELIST_ENGINE = "eventtracking.processors.whitelist.NameWhitelistProcessor"


def plugin_settings(settings: Any) -> None:
    """Add our names to ERB's allowed xAPI events and rebuild its backend configuration.

    ERB copies the allowed list into a whitelist *set* when it builds
    ``EVENT_TRACKING_BACKENDS``, so appending to the list alone is not enough.
    """
    allowed = list(getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS", None) or [])
    allowed += [name for name in OUR_EVENTS if name not in allowed]
    settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS = allowed
    try:
        from event_routing_backends.utils.settings import event_tracking_backends_config
    except ImportError:
        return
    backends = getattr(settings, "EVENT_TRACKING_BACKENDS", None)
    if backends is None:
        backends = settings.EVENT_TRACKING_BACKENDS = {}
    caliper = list(getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_CALIPER_EVENTS", None) or [])
    backends.update(event_tracking_backends_config(settings, allowed, caliper))


def add_to_whitelists(backends: Any, names: list[str]) -> int:
    """Add ``names`` to every name whitelist of a backend that routes to ERB's xAPI processor.

    Returns how many whitelists were changed (0 when there is nothing to change).
    """
    if not isinstance(backends, dict):
        return 0
    changed = 0
    for backend in backends.values():
        if "XApiProcessor" not in repr(backend):
            continue
        for node in _walk(backend):
            if node.get("ENGINE") != WHITELIST_ENGINE:
                continue
            options = node.setdefault("OPTIONS", {})
            whitelist = options.get("whitelist")
            if isinstance(whitelist, set):
                before = len(whitelist)
                whitelist.update(names)
                changed += len(whitelist) != before
            else:
                current = list(whitelist or [])
                missing = [n for n in names if n not in current]
                if missing:
                    options["whitelist"] = current + missing
                    changed += 1
    return changed


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)
