"""xAPI statements from the three blocks: one entry point, :func:`emit`.

The XBlock layer builds a domain event (:mod:`.events`) and calls::

    from competency_xblock import xapi
    xapi.emit(self.block_settings(), event,
              publish=lambda name, data: self.runtime.publish(self, name, data))

and :func:`emit` does what the operator chose in ``XBLOCK_SETTINGS["competency_xblock"]``
(``xapi_transport``):

* ``off`` (default): nothing.
* ``openedx``: publish ``competency_xblock.xapi.<kind>`` with the event as plain data; the
  Django app plugin :mod:`competency_xblock.xapi.openedx` turns it into a statement inside
  event-routing-backends, which delivers it.
* ``direct``: build the statement, store its bytes in the SQLite outbox (one INSERT), wake the
  background sender.  The LRS is never contacted on the learner's request.

:func:`emit` never raises: a problem is logged (with the statement, so nothing is lost
silently) and the learner's request carries on.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from competency_xblock.xapi.config import XapiConfig, from_settings
from competency_xblock.xapi.events import (
    AtlasAnswered,
    AtlasSearched,
    ChoiceOption,
    Event,
    Learner,
    QuizAnswered,
    QuizCompleted,
    ScaleLevel,
    SelfRated,
    now,
    to_payload,
)
from competency_xblock.xapi.statements import Built, build, statement_id_of

__all__ = [
    "AtlasAnswered", "AtlasSearched", "Built", "ChoiceOption", "Event", "EVENT_PREFIX",
    "Learner", "QuizAnswered", "QuizCompleted", "ScaleLevel", "SelfRated", "XapiConfig",
    "build", "emit", "event_name", "from_settings", "now", "shutdown",
]

log = logging.getLogger(__name__)

#: Tracking-log event names for the ``openedx`` transport: ``competency_xblock.xapi.<kind>``.
EVENT_PREFIX = "competency_xblock.xapi."

Publish = Callable[[str, dict], Any]

_reported: set[tuple[str, ...]] = set()
_senders: dict[tuple, Any] = {}
_senders_lock = threading.Lock()


def event_name(event: Event) -> str:
    return EVENT_PREFIX + event.kind


def emit(settings: Mapping[str, Any] | None, event: Event,
         publish: Publish | None = None) -> Built | None:
    """Hand ``event`` to the configured transport; returns what was built (None if nothing).

    ``openedx``: only the id is fixed here (``Built`` with an empty statement and body).
    """
    built: Built | None = None
    try:
        config = from_settings(settings)
        if config.transport == "off":
            return None
        problems = config.problems()
        if problems:
            _report_once(tuple(problems))
            return None
        if config.transport == "openedx":
            if publish is None:
                _report_once(("xapi_transport is 'openedx' but the block passed no publish",))
                return None
            # The statement itself is built inside event-routing-backends (with the
            # platform's actor and LMS_ROOT_URL); the block only fixes its id.
            payload = to_payload(event)
            payload["statement_id"] = statement_id_of(event)
            publish(event_name(event), payload)
            return Built(payload["statement_id"], {}, b"")
        built = build(event, config)
        box = _outbox(config)
        box.enqueue(built.statement_id, built.body)
        if config.sender == "thread":
            _sender_for(box, config).wake.set()
        return built
    except Exception:  # noqa: BLE001 - a learner's request never fails because of xAPI
        log.exception("xAPI: could not hand over a %s statement; statement: %s",
                      getattr(event, "kind", "?"),
                      built.body.decode("utf-8") if built else "(not built)")
        return None


def _report_once(problems: tuple[str, ...]) -> None:
    if problems not in _reported:
        _reported.add(problems)
        log.error("xAPI settings cannot work, nothing is emitted: %s", "; ".join(problems))


def _outbox(config: XapiConfig):
    from competency_xblock.xapi.outbox import shared

    return shared(config.outbox_path, config.outbox_synchronous)


def _sender_for(box, config: XapiConfig):
    """The background sender thread of this process for this outbox and LRS."""
    key = (os.getpid(), box.path, config.statements_url, config.lrs_username)
    thread = _senders.get(key)
    if thread is None or not thread.is_alive():
        with _senders_lock:
            thread = _senders.get(key)
            if thread is None or not thread.is_alive():
                from competency_xblock.xapi.sender import SenderThread

                thread = _senders[key] = SenderThread(box, config)
                thread.start()
    return thread


def shutdown(timeout: float = 5.0) -> None:
    """Stop this process's sender threads (tests; a web process can simply exit)."""
    with _senders_lock:
        threads = [t for (pid, *_), t in _senders.items() if pid == os.getpid()]
        _senders.clear()
    for thread in threads:
        thread.stop(timeout)
