"""The operator's xAPI settings, read from ``XBLOCK_SETTINGS["competency_xblock"]``.

All keys start with ``xapi_``; docs/dev/xapi.md lists them.  Exactly one transport is active:
``off`` (default: nothing is emitted), ``openedx`` (publish for event-routing-backends) or
``direct`` (durable outbox + our sender).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.text import N_
from competency_xblock.xapi import vocabulary as v

TRANSPORTS = ("off", "openedx", "direct")
ACTOR_IFIS = ("anonymous", "username", "email")
DEFAULT_OUTBOX = os.path.join("var", "xapi-outbox.sqlite3")

#: Every setting with its default (also the documentation table's source).
DEFAULTS: dict[str, Any] = {
    "xapi_transport": "off",
    "xapi_lms_root_url": "",            # actor homePage and activity IRIs, e.g. https://lms.x.dk
    "xapi_answer_verb": "answered",     # or "evaluated" (Open edX Aspects dashboards)
    "xapi_version": v.XAPI_VERSION,     # X-Experience-API-Version header
    "xapi_actor": "anonymous",          # "username" or "email" only if the operator opts in
    "xapi_actor_name": False,           # add the learner's full name to the actor (opt-in)
    "xapi_platform": "Open edX",
    "xapi_outbox_path": DEFAULT_OUTBOX,
    "xapi_outbox_synchronous": "NORMAL",  # SQLite synchronous: NORMAL (crash-safe) or FULL
    "xapi_lrs_endpoint": "",            # e.g. https://lrs.x.dk/xAPI/ (".../statements" added)
    "xapi_lrs_username": "",
    "xapi_lrs_password": "",
    "xapi_sender": "thread",            # "thread": drain in the web process; "external": CLI
    "xapi_batch_size": 50,
    "xapi_connect_timeout": 3.05,
    "xapi_read_timeout": 15.0,
    "xapi_backoff_base": 0.5,
    "xapi_backoff_max": 60.0,
}


class ConfigError(ValueError):
    """The operator's xAPI settings cannot work (reported by ``xapi status`` and the log)."""


@dataclass(frozen=True)
class XapiConfig:
    transport: str = "off"
    lms_root_url: str = ""
    answer_verb: str = v.VERB_ANSWERED
    version: str = v.XAPI_VERSION
    actor: str = "anonymous"
    actor_name: bool = False
    platform: str = "Open edX"
    outbox_path: str = DEFAULT_OUTBOX
    outbox_synchronous: str = "NORMAL"
    lrs_endpoint: str = ""
    lrs_username: str = field(default="", repr=False)
    lrs_password: str = field(default="", repr=False)
    sender: str = "thread"
    batch_size: int = 50
    connect_timeout: float = 3.05
    read_timeout: float = 15.0
    backoff_base: float = 0.5
    backoff_max: float = 60.0

    @property
    def statements_url(self) -> str:
        base = self.lrs_endpoint
        if not base.endswith("/"):
            base += "/"
        return base + "statements"

    def problems(self) -> list[str]:
        """What is wrong with these settings (empty when usable), in English (``N_``)."""
        found = []
        if self.transport not in TRANSPORTS:
            found.append(N_("xapi_transport must be one of: off, openedx, direct."))
        if self.actor not in ACTOR_IFIS:
            found.append(N_("xapi_actor must be one of: anonymous, username, email."))
        if self.transport == "direct":
            if not self.lms_root_url.startswith(("http://", "https://")):
                found.append(N_("xapi_lms_root_url must be the LMS root URL (https://...)."))
            if not self.lrs_endpoint.startswith(("http://", "https://")):
                found.append(N_("xapi_lrs_endpoint must be the LRS xAPI endpoint (https://...)."))
            if self.sender not in ("thread", "external"):
                found.append(N_("xapi_sender must be thread or external."))
        if self.outbox_synchronous not in ("NORMAL", "FULL"):
            found.append(N_("xapi_outbox_synchronous must be NORMAL or FULL."))
        if not 1 <= self.batch_size <= 1000:
            found.append(N_("xapi_batch_size must be between 1 and 1000."))
        return found


_cache: dict[tuple, XapiConfig] = {}


def from_settings(settings: Mapping[str, Any] | None) -> XapiConfig:
    """Parse the ``xapi_*`` keys of the block settings bucket (cached; cheap per event)."""
    settings = settings or {}
    key = tuple(sorted((k, repr(val)) for k, val in settings.items() if k.startswith("xapi_")))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    merged = dict(DEFAULTS)
    merged.update({k: val for k, val in settings.items() if k in DEFAULTS})
    verb = str(merged["xapi_answer_verb"])
    config = XapiConfig(
        transport=str(merged["xapi_transport"]).lower(),
        lms_root_url=str(merged["xapi_lms_root_url"]).rstrip("/"),
        answer_verb=v.ANSWER_VERBS.get(verb, verb),
        version=str(merged["xapi_version"]),
        actor=str(merged["xapi_actor"]),
        actor_name=bool(merged["xapi_actor_name"]),
        platform=str(merged["xapi_platform"]),
        outbox_path=str(merged["xapi_outbox_path"]),
        outbox_synchronous=str(merged["xapi_outbox_synchronous"]).upper(),
        lrs_endpoint=str(merged["xapi_lrs_endpoint"]),
        lrs_username=str(merged["xapi_lrs_username"]),
        lrs_password=str(merged["xapi_lrs_password"]),
        sender=str(merged["xapi_sender"]),
        batch_size=int(merged["xapi_batch_size"]),
        connect_timeout=float(merged["xapi_connect_timeout"]),
        read_timeout=float(merged["xapi_read_timeout"]),
        backoff_base=float(merged["xapi_backoff_base"]),
        backoff_max=float(merged["xapi_backoff_max"]),
    )
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = config
    return config
