"""Drive the real xblock-sdk workbench in-process, the way a browser does.

Pages are fetched with Django's test client with CSRF checks on; handlers are called at the
workbench's handler URLs with the ``csrftoken`` cookie and ``X-CSRFToken`` header; events the
runtime publishes (grade, completion, ours) are read from the ``workbench.runtime`` logger,
which is exactly what the demo prints to the console.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import re
from dataclasses import dataclass, field

_counter = itertools.count()


def setup_django(var_dir: str) -> None:
    """Configure Django with the demo settings and a fresh SQLite database in ``var_dir``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings"
    os.environ["WORKBENCH_VAR"] = var_dir
    os.environ["EXCLUDE_SAMPLE_XBLOCKS"] = "yes"
    # Playwright's sync API keeps an event loop running in this thread when browser tests share
    # the worker; Django would then refuse ORM calls from the (synchronous) test client.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django
    from django.conf import settings

    if not settings.configured or not getattr(setup_django, "done", False):
        django.setup()
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, verbosity=0)
        setup_django.done = True


class EventLog(logging.Handler):
    """Collects ``(event_type, data)`` pairs from the workbench runtime's two log lines."""

    HEAD = re.compile(r"XBlock event (\S+) for (\S+) \(usage_id=(\S+)\):")

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.events: list[dict] = []
        self._pending = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage() if record.args else record.msg
        if isinstance(message, str):
            match = self.HEAD.match(message)
            if match:
                self._pending = {"type": match.group(1), "block_type": match.group(2),
                                 "usage_id": match.group(3)}
                return
        if self._pending is not None:
            self._pending["data"] = record.msg
            self.events.append(self._pending)
            self._pending = None

    def of_type(self, event_type: str, usage_id: str | None = None) -> list[dict]:
        return [e["data"] for e in self.events
                if e["type"] == event_type and (usage_id is None or e["usage_id"] == usage_id)]

    def clear(self) -> None:
        self.events.clear()


@dataclass
class Rendered:
    html: str
    usage_ids: list[str] = field(default_factory=list)

    @property
    def usage_id(self) -> str:
        return self.usage_ids[0]


@dataclass
class HandlerResult:
    status: int
    body: bytes

    @property
    def data(self):
        return json.loads(self.body.decode("utf-8"))


class Workbench:
    """One browser-like client against the in-process workbench."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        self.events = EventLog()
        logger = logging.getLogger("workbench.runtime")
        logger.addHandler(self.events)
        logger.setLevel(logging.INFO)

    def close(self) -> None:
        logging.getLogger("workbench.runtime").removeHandler(self.events)

    def scenario(self, olx: str, description: str | None = None) -> str:
        """Register OLX as a new scenario and return its id."""
        from workbench.scenarios import add_xml_scenario, get_scenarios

        get_scenarios()  # load the package's own scenarios first, as the index page does
        number = next(_counter)
        scenario_id = f"test-scenario-{os.getpid()}-{number}"
        add_xml_scenario(scenario_id, description or f"Test scenario {os.getpid()} {number}", olx)
        return scenario_id

    def render(self, scenario_id: str, student: str = "student_1", view: str = "student_view",
               lang: str = "en") -> Rendered:
        url = f"/scenario/{scenario_id}/{view}/?student={student}&lang={lang}"
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode("utf-8")
        usage_ids = re.findall(r"data-usage=['\"]([^'\"]+)['\"]", html)
        return Rendered(html=html, usage_ids=usage_ids)

    def handler_url(self, usage_id: str, handler: str, student: str = "student_1",
                    lang: str = "en") -> str:
        return f"/handler/{usage_id}/{handler}/?student={student}&lang={lang}"

    def call(self, usage_id: str, handler: str, payload=None, student: str = "student_1",
             lang: str = "en", raw: bytes | None = None, method: str = "post") -> HandlerResult:
        """POST JSON to a handler like the block's JavaScript does (CSRF header included)."""
        if "csrftoken" not in self.client.cookies:
            self.client.get("/", HTTP_ACCEPT_LANGUAGE=lang)
        token = self.client.cookies["csrftoken"].value
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        url = self.handler_url(usage_id, handler, student, lang)
        send = getattr(self.client, method)
        if method == "get":
            response = send(url, HTTP_ACCEPT_LANGUAGE=lang)
        else:
            response = send(url, data=body, content_type="application/json",
                            HTTP_X_CSRFTOKEN=token, HTTP_ACCEPT_LANGUAGE=lang)
        return HandlerResult(status=response.status_code, body=response.content)

    def snapshot(self) -> dict:
        """Every stored row of every block and user, as stored (to prove nothing changed)."""
        from workbench.models import XBlockState

        return {(row.scope, row.scope_id, row.user_id): row.state
                for row in XBlockState.objects.all()}

    def state(self, usage_id: str, student: str = "student_1") -> dict:
        """Fields stored for ``student`` in the block ``usage_id`` (user_state scope)."""
        from workbench.models import XBlockState

        rows = XBlockState.objects.filter(scope="usage", scope_id=usage_id, user_id=student)
        return json.loads(rows[0].state) if rows else {}


def store_fields(usage_id: str, student: str, **values) -> None:
    """Store raw JSON values in a learner's fields, as support staff editing the LMS's
    database or an earlier version could: no type check, no coercion."""
    from workbench.runtime import WorkbenchRuntime

    block = WorkbenchRuntime(student).get_block(usage_id)
    for name, value in values.items():
        block._field_data.set(block, name, value)  # noqa: SLF001 - the raw store on purpose


def parse_olx(olx: str, student: str = "olx-author"):
    """Parse OLX with the workbench runtime and return the block (content stored in the DB)."""
    from workbench.runtime import WorkbenchRuntime

    runtime = WorkbenchRuntime(student)
    runtime.id_generator.set_scenario(f"olx-{os.getpid()}-{next(_counter)}")
    usage_id = runtime.parse_xml_string(olx)
    return runtime.get_block(usage_id)


def export_olx(block) -> str:
    """Export a block to OLX text exactly as a course export would."""
    import io

    buffer = io.BytesIO()
    block.runtime.export_to_xml(block, buffer)
    text = buffer.getvalue().decode("utf-8")
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1].lstrip()
    return text
