"""Privacy: no name, username or e-mail in logs, statements or exports by default; a learner can
delete their own self-assessment data.

The workbench's user service is given what the LMS's gives a block (a full name, an e-mail, a
username and an anonymous id); every learner flow then runs with xAPI on (both transports), and
everything that leaves a block is scanned: every log record of every logger, the workbench log
file, the runtime's published events (tracking log), the xAPI outbox database, the Problem
Responses rows, the staff views and the HR reports written by ``competency-xblock report``.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from competency_xblock.competency import aggregate
from tests.runtime.self_assessment_helpers import olx, ratings_for, setup_with
from tests.security.conftest import DATA, stored

LEARNERS = ["priv-a", "priv-b", "priv-c", "priv-d", "priv-e", "priv-f"]


def identity(uid: str) -> dict:
    return {"full_name": f"Mette Testesen {uid}", "email": f"mette.{uid}@kommune.example.dk",
            "username": f"mette_{uid}"}


def secrets(uids=LEARNERS) -> list[str]:
    """Every string that identifies a person (ours and the workbench's own defaults)."""
    found = ["XBlock User (", "user@example.com", "Mette Testesen", "kommune.example.dk"]
    for uid in uids:
        found += list(identity(uid).values())
    return found


class Capture(logging.Handler):
    """Every record of every logger, formatted with its arguments and any traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + repr(record.__dict__.get("msg")))


@pytest.fixture
def identified(monkeypatch):
    """The workbench user service, but with what the LMS tells a block about a person."""
    from workbench import runtime

    original = runtime.WorkBenchUserService.__init__

    def init(self, uid):
        original(self, uid)
        user = self._user
        who = identity(str(uid))
        user.full_name = who["full_name"]
        user.emails = [who["email"]]
        user.opt_attrs["edx-platform.username"] = who["username"]
        user.opt_attrs["edx-platform.anonymous_user_id"] = hashlib.sha256(
            str(uid).encode()).hexdigest()[:32]

    monkeypatch.setattr(runtime.WorkBenchUserService, "__init__", init)


@pytest.fixture
def capture_logs():
    handler = Capture()
    root = logging.getLogger()
    loggers = [root] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
            logger.setLevel(logging.DEBUG)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
        logger.setLevel(levels[logger])


def xapi_settings(tmp_path: Path, transport: str) -> dict:
    base = {"workbench_staff_ids": ["staff"], "xapi_transport": transport,
            "xapi_lms_root_url": "https://lms.kommune.invalid"}
    if transport == "direct":
        base.update({"xapi_lrs_endpoint": "http://127.0.0.1:9/xAPI/", "xapi_sender": "external",
                     "xapi_outbox_path": str(tmp_path / "outbox.sqlite3")})
    return {"competency_xblock": base}


def run_flows(bench) -> dict:
    """A learner flow on each block for several learners, plus the staff views."""
    from competency_xblock.quiz import DataSecurityQuizXBlock  # noqa: F401 - registered

    seen = {"responses": []}
    sa = bench.scenario(olx(setup_with(reassessment={"mode": "anytime"})), "privacy sa")
    sa_usage = bench.render(sa, student="staff").usage_id
    quiz = bench.scenario('<data_security_quiz questions_per_attempt="2" show_answer="always"/>',
                          "privacy quiz")
    quiz_usage = bench.render(quiz, student="staff").usage_id
    for uid in LEARNERS:
        seen["responses"].append(bench.render(sa, student=uid).html)
        for handler, payload in (("select", {"role": "borgerservice", "unit": "borgerservice"}),
                                 ("save_draft", {"ratings": {}}),
                                 ("submit", {"role": "borgerservice", "unit": "borgerservice",
                                             "ratings": ratings_for("borgerservice")})):
            seen["responses"].append(bench.call(sa_usage, handler, payload, student=uid).body)
        bench.render(quiz, student=uid)
        attempt = bench.call(quiz_usage, "load", {}, student=uid).data["attempt"]
        answers = {q["id"]: [q["choices"][0]["key"]] for q in attempt["questions"]}
        seen["responses"].append(bench.call(quiz_usage, "submit",
                                            {"attempt": 1, "answers": answers}, student=uid).body)
        bench.call(quiz_usage, "submit", {"attempt": 9, "answers": {}}, student=uid)  # rejected
    seen["responses"].append(bench.render(sa, student="staff").html)
    seen["responses"].append(bench.call(sa_usage, "staff_summary", {}, student="staff").body)
    seen["responses"].append(bench.call(sa_usage, "export_data", {"kind": "setup",
                                                                  "format": "json"},
                                        student="staff").body)
    seen["usages"] = (sa_usage, quiz_usage)
    return seen


def report_rows(usage: str) -> list:
    """What the LMS's Problem Responses report gets from the block (besides its username)."""
    from workbench.models import XBlockState
    from workbench.runtime import WorkbenchRuntime

    block = WorkbenchRuntime("staff").get_block(usage)
    states = [SimpleNamespace(username=identity(row.user_id)["username"],
                              state=json.loads(row.state))
              for row in XBlockState.objects.filter(scope="usage", scope_id=usage)
              if row.user_id in LEARNERS]
    return [row for _, row in block.generate_report_data(iter(states))]


def assert_clean(label: str, text: str, uids=LEARNERS) -> None:
    for secret in secrets(uids):
        assert secret not in text, f"{secret!r} found in {label}"


@pytest.mark.parametrize("transport", ["openedx", "direct"])
def test_nothing_identifying_leaves_the_blocks(bench, identified, capture_logs, tmp_path,
                                               transport):
    from django.conf import settings as django_settings
    from django.test import override_settings

    bench.events.clear()
    with override_settings(XBLOCK_SETTINGS=xapi_settings(tmp_path, transport)):
        seen = run_flows(bench)
    sa_usage, quiz_usage = seen["usages"]

    events = json.dumps(bench.events.events, ensure_ascii=False, default=str)
    if transport == "openedx":
        assert "competency_xblock.xapi" in events, "xAPI events were not emitted"
    assert_clean("published events (tracking log)", events)
    assert_clean("log records", "\n".join(capture_logs.lines))
    logfile = Path(django_settings.LOGGING["handlers"]["logfile"]["filename"])
    if logfile.exists():
        assert_clean("var/workbench.log", logfile.read_text(encoding="utf-8", errors="replace"))
    if transport == "direct":
        outbox = tmp_path / "outbox.sqlite3"
        assert outbox.exists(), "the direct transport wrote no outbox"
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.sqlite3*"))
        assert b"statement" in raw or len(raw) > 8192
        assert_clean("xAPI outbox", raw.decode("utf-8", errors="replace"))
    assert_clean("handler responses and views", "\n".join(
        r if isinstance(r, str) else r.decode("utf-8") for r in seen["responses"]))
    assert_clean("stored state", json.dumps(list(stored(bench).items()), ensure_ascii=False))
    for usage in (sa_usage, quiz_usage):
        rows = report_rows(usage)
        assert rows, "no report rows"
        assert_clean("Problem Responses rows", json.dumps(rows, ensure_ascii=False, default=str))


def test_hr_reports_contain_no_usernames_or_emails_by_default(tmp_path):
    """``competency-xblock report all`` on LMS exports full of names writes none of them."""
    from click.testing import CliRunner

    from competency_xblock.cli import main

    responses = DATA / "reports" / "problem_responses_en.csv"
    grades = DATA / "reports" / "grade_report.csv"
    people = set()
    for path, columns in ((responses, ("username",)), (grades, ("Email", "Username"))):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                people.update(row[c] for c in columns if row.get(c))
    assert len(people) > 10
    out = tmp_path / "hr"
    result = CliRunner().invoke(main, ["report", "all", str(responses), str(grades), "-o",
                                       str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    written = list(out.iterdir())
    assert written
    for path in written:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                text = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        for person in people:
            assert person not in text, f"{person!r} in {path.name}"
    assert not any(person in result.output for person in people)


# --- a learner deletes their own self-assessment data ---------------------------------------


def submit(bench, usage, uid):
    return bench.call(usage, "submit", {"role": "borgerservice", "unit": "borgerservice",
                                        "ratings": ratings_for("borgerservice")}, student=uid)


def shared_responses(bench, usage) -> dict:
    rows = [json.loads(state) for (scope, scope_id, user), state in stored(bench).items()
            if scope == "usage" and scope_id == usage and user is None]
    return rows[0].get("responses", {}) if rows else {}


def counted(bench, usage) -> int:
    """Learners in the stored staff tally, which holds counts only, never a learner id."""
    tally = shared_responses(bench, usage)
    assert aggregate.is_tally(tally), tally
    text = json.dumps(tally)
    assert not any(uid in text for uid in ("clear-me", "keep-me", "staff")), text
    return sum(group.respondents for group in aggregate.groups_of(tally))


def test_a_learner_can_clear_their_own_self_assessment_data(bench):
    scenario = bench.scenario(olx(setup_with(reassessment={"mode": "never"}), graded="true"),
                              "clear my data")
    usage = bench.render(scenario, student="staff").usage_id
    for uid in ("clear-me", "keep-me"):
        bench.render(scenario, student=uid)
        assert submit(bench, usage, uid).status == 200
    assert counted(bench, usage) == 2
    page = bench.render(scenario, student="clear-me")
    assert "data-cx-clear-start" in page.html and 'data-cx-clear hidden' not in page.html

    before = stored(bench)
    for payload in ({}, {"confirm": False}, {"confirm": "yes"}, {"confirm": True, "user": "x"}):
        refused = bench.call(usage, "clear_my_data", payload, student="clear-me")
        assert refused.status == 400 and refused.data["error"]
    assert stored(bench) == before

    bench.events.clear()
    cleared = bench.call(usage, "clear_my_data", {"confirm": True}, student="clear-me", lang="da")
    assert cleared.status == 200, cleared.data
    assert cleared.data["message"] == "Dine data i selvvurderingen er slettet."
    assert cleared.data["result_html"] == "" and "data-cx-ratings" not in cleared.data["form_html"]
    state = bench.state(usage, "clear-me")
    assert not any(state.get(k) for k in ("assessment", "history", "draft", "raw_earned"))
    assert counted(bench, usage) == 1
    assert shared_responses(bench, usage) == aggregate.tally_of(
        [bench.state(usage, "keep-me")["history"][-1]])
    assert bench.events.of_type("grade", usage)[-1]["value"] == 0.0
    assert bench.events.of_type("completion", usage)[-1]["completion"] == 0.0
    prefs = [json.loads(s) for (scope, _, user), s in stored(bench).items()
             if scope == "type" and user == "clear-me"]
    assert not any(p.get("preferred_role") or p.get("preferred_unit") for p in prefs)
    page = bench.render(scenario, student="clear-me")
    assert "data-cx-clear hidden" in page.html and "data-cx-result-heading" not in page.html
    # Nothing is left to show, and the learner may start afresh.
    assert submit(bench, usage, "clear-me").status == 200
    again = bench.call(usage, "clear_my_data", {"confirm": True}, student="staff")
    assert again.status == 200  # staff clear their own (empty) data, never anyone else's
    assert counted(bench, usage) == 2
