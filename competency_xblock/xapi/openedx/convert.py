"""Tracking-log payload -> statement, for the transformer (pure: no platform imports)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.events import from_payload
from competency_xblock.xapi.statements import build_statement


def statement_from_payload(payload: Mapping[str, Any] | str, agent: dict | None,
                           block_settings: Mapping[str, Any] | None,
                           lms_root_url: str) -> dict:
    """The statement for a ``competency_xblock.xapi.*`` event, with ERB's actor.

    Uses the same builders as the direct transport; only the actor (ERB's external-id
    account) differs.  The id is the one the block computed when the event happened.
    """
    data = json.loads(payload) if isinstance(payload, str) else dict(payload)
    statement_id = data.pop("statement_id", None)
    settings = dict(block_settings or {})
    settings["xapi_transport"] = "openedx"
    settings["xapi_lms_root_url"] = settings.get("xapi_lms_root_url") or lms_root_url
    statement = build_statement(from_payload(data), from_settings(settings), agent=agent)
    if statement_id:
        statement["id"] = statement_id
    return statement
