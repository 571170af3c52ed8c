"""Reading statements back from Ralph, and a fault-injecting proxy in front of it."""
from __future__ import annotations

import collections
import functools
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from competency_xblock.xapi import validation
from competency_xblock.xapi.statements import Built, canonical

#: Fields the LRS adds; everything else must come back exactly as we sent it.
LRS_FIELDS = ("stored", "authority", "version")


def as_sent(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in LRS_FIELDS}


def stored_bodies(ralph) -> dict[str, list[bytes]]:
    """Every statement Ralph returns on GET, by id, re-serialised canonically."""
    found: dict[str, list[bytes]] = collections.defaultdict(list)
    for statement in ralph.statements():
        found[statement["id"]].append(canonical(as_sent(statement)))
    return found


def assert_exactly_once(ralph, built: Iterable[Built], check_rules: bool = True) -> None:
    """Each statement is in Ralph once, byte-identical to what was built, and (by default)
    passes the three checks: vendored JSON Schema, Ralph's model, our strict rules."""
    built = list(built)
    stored = stored_bodies(ralph)
    missing, doubled, changed = [], [], []
    for b in built:
        copies = stored.get(b.statement_id, [])
        if not copies:
            missing.append(b.statement_id)
        elif len(copies) > 1:
            doubled.append(b.statement_id)
        elif copies[0] != b.body:
            changed.append(b.statement_id)
    assert (missing, doubled, changed) == ([], [], []), (
        f"{len(missing)} missing, {len(doubled)} stored twice, {len(changed)} changed")
    if check_rules:
        for b in built:  # the stored bytes equal these, so this checks what Ralph holds
            statement = json.loads(b.body)
            errors = {"schema": _schema_errors_of_shape(canonical(_shape(statement))),
                      "ralph": validation.ralph_errors(statement),
                      "strict": validation.strict_errors(statement)}
            assert not any(errors.values()), (b.statement_id, errors)


PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000"


def _shape(statement: dict) -> dict:
    """The statement with its per-learner/per-moment values replaced by fixed valid ones.

    The JSON Schema check (≈10 ms) runs once per shape; Ralph's model and our strict rules
    (which check ids, timestamps, actors and registrations too) run on every statement.
    """
    shape = json.loads(json.dumps(statement))
    shape["id"] = PLACEHOLDER_ID
    shape["timestamp"] = "2026-01-01T00:00:00.000Z"
    if "account" in shape.get("actor", {}):
        shape["actor"]["account"]["name"] = "learner"
    if "registration" in shape.get("context", {}):
        shape["context"]["registration"] = PLACEHOLDER_ID
    return shape


@functools.lru_cache(maxsize=1024)
def _schema_errors_of_shape(shape: bytes) -> tuple[str, ...]:
    return tuple(validation.schema_errors(json.loads(shape)))


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@dataclass
class Plan:
    """What the proxy does with request number ``n`` (1-based) carrying ``count`` statements.

    Return ``None`` to forward to Ralph, or ``(status, headers)`` to answer without forwarding.
    """

    rule: Callable[[int, int], tuple[int, dict] | None] = lambda n, count: None
    delay_after_forward: float = 0.0
    log: list[tuple[int, int, int]] = field(default_factory=list)  # (n, count, status)
    forwarded_ok: threading.Event = field(default_factory=threading.Event)
    forwarded_ok_count: int = 0


class FaultProxy:
    """A tiny HTTP proxy on 127.0.0.1 that can answer 500/429/413 or stall, else forwards."""

    def __init__(self, upstream_host: str, upstream_port: int, plan: Plan) -> None:
        self.plan = plan
        self.requests = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _relay(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy.lock:
                    proxy.requests += 1
                    n = proxy.requests
                count = body.count(b'"actor"') if body else 0
                decision = proxy.plan.rule(n, count) if method == "POST" else None
                if decision is not None:
                    status, headers = decision
                    payload = b'{"detail":"injected fault"}'
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    proxy.plan.log.append((n, count, status))
                    return
                conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("authorization", "content-type",
                                            "x-experience-api-version")}
                conn.request(method, self.path, body=body, headers=headers)
                res = conn.getresponse()
                data = res.read()
                conn.close()
                proxy.plan.log.append((n, count, res.status))
                if method == "POST" and res.status in (200, 204):
                    proxy.plan.forwarded_ok_count += 1
                    proxy.plan.forwarded_ok.set()
                if proxy.plan.delay_after_forward:
                    time.sleep(proxy.plan.delay_after_forward)
                self.send_response(res.status)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Content-Type", res.getheader("Content-Type") or "text/plain")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                self._relay("POST")

            def do_GET(self):  # noqa: N802
                self._relay("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
