"""The in-process xblock-sdk workbench for the render, submit and page-weight sections.

Set up exactly like the runtime tests (tests/helpers/workbench.py: demo settings, a fresh
SQLite database in a temporary WORKBENCH_VAR - on /dev/shm when there is one, so fsync stalls
do not add noise - handlers called with the CSRF cookie and
header), with two changes that a production LMS has too and that would otherwise dominate the
figures for *both* sides: ``DEBUG = False`` (Django logs and keeps every SQL statement when
DEBUG is on) and the workbench's INFO logging (one line per handler call and event, written to
the console and a log file) turned down to WARNING.  xAPI stays off (the package default; its
cost is measured by bench.xapi).

Subjects: xblock-poll's ``<poll/>`` (its default: one question, four answers) against each of
our blocks with *comparable* content (the headline) and with its first demo scenario:

==========================  ==========================================  =====================
block                       comparable content                          demo content
==========================  ==========================================  =====================
competency_self_assessment  one role, 5 competences (fixed role/unit)   shipped example, 20
data_security_quiz          5 questions from the default bank           10 questions
atlas_lookup                lookup mode, shipped atlas; submit=search   exercise; submit=pick
==========================  ==========================================  =====================
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from html import escape

from bench.common import ROOT

ENTRY_POINTS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")
POLL_OLX = "<poll/>"
POLL_VOTE = {"choice": "R"}
#: Citizen-desk queries for the atlas search handler, cycled (all with hits in the atlas).
ATLAS_QUERIES = ("flytning", "pas", "boligstøtte", "kørekort", "sygedagpenge", "affald",
                 "byggetilladelse", "folkepension", "dagtilbud", "sundhedskort", "hjemmehjælp",
                 "navneændring", "valgkort", "kontanthjælp", "ejendomsskat", "parkering")


def setup() -> None:
    """Django with the demo settings on a throwaway database; quiet, DEBUG off."""
    sys.path.insert(0, str(ROOT))
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    _remove_orphans(shm or tempfile.gettempdir())
    var = tempfile.mkdtemp(prefix=f"bench-workbench-{os.getpid()}-", dir=shm)
    from tests.helpers.workbench import setup_django

    atexit.register(shutil.rmtree, var, True)
    os.environ["CX_DEMO_XAPI"] = "0"   # xAPI transport "off" (the default): bench.xapi measures it
    # the workbench runtime as xblock-sdk ships it, without the demo's emulation of the LMS's
    # inherited deadline fields (bench.submit measures the quiz with it as well)
    os.environ["CX_DEMO_DEADLINES"] = "0"
    setup_django(var)
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    for name in ("django", "django.request", "django.db.backends", "workbench",
                 "workbench.runtime", "workbench.views", "xblock", "poll"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        logger.handlers = []
        logger.propagate = False
    logging.disable(logging.INFO)


def _remove_orphans(directory: str) -> None:
    """Delete databases left by bench processes that were killed (atexit did not run)."""
    for entry in os.listdir(directory):
        parts = entry.split("-")
        if entry.startswith("bench-workbench-") and len(parts) > 3 and parts[2].isdigit():
            try:
                os.kill(int(parts[2]), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(directory, entry), ignore_errors=True)
            except OSError:
                pass


def _sa_setup(competences: int) -> dict:
    from competency_xblock.competency.content import example_dict

    data = example_dict()
    role = data["roles"][0]["id"]
    profile = dict(list(data["profiles"][role].items())[:competences])
    data["roles"] = [data["roles"][0]]
    data["profiles"] = {role: profile}
    data["resources"] = [r for r in data.get("resources", []) if r.get("competence") in profile]
    data["fixed_role"] = role
    data["fixed_unit"] = data["units"][0]["id"]
    return data


def _option_olx(tag: str, field_name: str, value: dict, attrs: str = "") -> str:
    text = escape(json.dumps(value, ensure_ascii=False), quote=False)
    return (f'<{tag} xmlns:option="http://code.edx.org/xblock/option"{attrs}>'
            f"<option:{field_name}>{text}</option:{field_name}></{tag}>")


@dataclass
class Subject:
    """One block with its content and how to submit to it."""

    name: str
    olx: str
    handler: str
    payload: callable                      # (client, usage_id, student, round) -> dict
    prepare: callable | None = None        # untimed, before the timed submit
    info: dict = field(default_factory=dict)


def _sa_payload(setup_doc: dict | None):
    from competency_xblock.competency.content import example_dict

    doc = setup_doc or example_dict()
    role = doc.get("fixed_role") or doc["roles"][0]["id"]
    profile = doc["profiles"][role]

    def payload(_bench, _usage, _student, _round):
        body = {"ratings": dict(profile)}      # rate every competence at the expected level
        if not doc.get("fixed_role"):
            body["role"] = role
        if not doc.get("fixed_unit") and doc.get("units"):
            body["unit"] = doc["units"][0]["id"]   # as a learner picks it in the form
        return body
    return payload, len(profile)


def _quiz_prepare(bench, usage_id, student, _round):
    result = bench.call(usage_id, "load", {}, student=student)
    if result.status != 200:
        raise RuntimeError(f"quiz load failed: {result.status} {result.body[:200]!r}")
    return result.data["attempt"]


def _quiz_payload(_bench, _usage, _student, _round, attempt=None):
    answers = {q["id"]: [q["choices"][0]["key"]] for q in attempt["questions"]}
    return {"attempt": attempt["attempt"], "answers": answers}


def _atlas_search_payload(_bench, _usage, _student, number):
    return {"query": ATLAS_QUERIES[number % len(ATLAS_QUERIES)]}


def _atlas_pick_payload():
    from competency_xblock.atlas_lookup import DEFAULT_SCENARIOS, load_text

    scenarios = json.loads(load_text(DEFAULT_SCENARIOS))["scenarios"]
    first = scenarios[0]
    kind, ids = ("service", first["answer"]["services"]) if first["answer"].get("services") \
        else ("unit", first["answer"]["units"])

    def payload(_bench, _usage, _student, _round):
        return {"scenario": first["id"], "kind": kind, "id": ids[0]}
    return payload


def subjects(content: str) -> dict[str, Subject]:
    """``content``: "comparable" or "demo"."""
    from competency_xblock.atlas_lookup import AtlasLookupXBlock
    from competency_xblock.quiz import DataSecurityQuizXBlock
    from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock

    out = {"poll": Subject("poll", POLL_OLX, "vote", lambda *a: dict(POLL_VOTE),
                           info={"content": "xblock-poll default: 1 question, 4 answers"})}
    if content == "comparable":
        doc = _sa_setup(5)
        sa_payload, n = _sa_payload(doc)
        out["competency_self_assessment"] = Subject(
            "competency_self_assessment",
            _option_olx("competency_self_assessment", "setup", doc), "submit", sa_payload,
            info={"content": f"1 role, {n} competences"})
        out["data_security_quiz"] = Subject(
            "data_security_quiz", '<data_security_quiz questions_per_attempt="5"/>', "submit",
            _quiz_payload, _quiz_prepare, info={"content": "5 questions, default bank"})
        out["atlas_lookup"] = Subject(
            "atlas_lookup", "<atlas_lookup/>", "search", _atlas_search_payload,
            info={"content": "lookup mode, shipped atlas (1,910 services); submit = search"})
    else:
        sa_payload, n = _sa_payload(None)
        olx = {
            "competency_self_assessment": CompetencySelfAssessmentXBlock.workbench_scenarios(),
            "data_security_quiz": DataSecurityQuizXBlock.workbench_scenarios(),
            "atlas_lookup": AtlasLookupXBlock.workbench_scenarios(),
        }
        out["competency_self_assessment"] = Subject(
            "competency_self_assessment", olx["competency_self_assessment"][0][1], "submit",
            sa_payload, info={"content": f"demo scenario 0: {n} competences"})
        out["data_security_quiz"] = Subject(
            "data_security_quiz", olx["data_security_quiz"][0][1], "submit", _quiz_payload,
            _quiz_prepare, info={"content": "demo scenario 0: default bank"})
        out["atlas_lookup"] = Subject(
            "atlas_lookup", olx["atlas_lookup"][0][1], "pick", _atlas_pick_payload(),
            info={"content": "demo scenario 0: exercise mode; submit = pick"})
    return out


class Bench:
    """The workbench test client, as the runtime tests drive it."""

    def __init__(self) -> None:
        from tests.helpers.workbench import Workbench

        self.wb = Workbench()
        logging.getLogger("workbench.runtime").handlers = []   # the event collector too
        self.usage: dict[str, str] = {}
        self.scenarios: dict[str, str] = {}

    def register(self, subject: Subject) -> str:
        scenario = self.wb.scenario(subject.olx, f"bench {subject.name}")
        page = self.wb.render(scenario, student="bench-setup")
        self.usage[subject.name] = page.usage_id
        self.scenarios[subject.name] = scenario
        return page.usage_id

    def call(self, usage_id: str, handler: str, payload, student: str):
        return self.wb.call(usage_id, handler, payload, student=student)


def render_fragment(usage_id: str, student: str = "bench-render"):
    """What the workbench's scenario view does for the block: a fresh runtime for the
    student, the block loaded from the database, ``student_view`` rendered."""
    from django.utils import translation
    from workbench.runtime import WorkbenchRuntime

    with translation.override("en"):
        runtime = WorkbenchRuntime(student)
        block = runtime.get_block(usage_id)
        return block.render("student_view", {"activate_block_id": None})


def view_fragment(usage_id: str, student: str = "bench-render"):
    """The block's own ``student_view`` Fragment, without the runtime's wrapper (which adds
    the workbench's jQuery and runtime JS to every block alike)."""
    from django.utils import translation
    from workbench.runtime import WorkbenchRuntime

    with translation.override("en"):
        block = WorkbenchRuntime(student).get_block(usage_id)
        return block.student_view({})


class QueryCount:
    """Counts the SQL statements Django runs inside the ``with`` block."""

    def __enter__(self) -> QueryCount:
        from django.db import connection

        self.count = 0
        self._cm = connection.execute_wrapper(self._wrap)
        self._cm.__enter__()
        return self

    def _wrap(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)
