"""Access control: staff-only handlers and views refuse learners; no handler lets a learner read
another learner's data, set a grade or score, or change authored content; scores are computed
on the server only.

Handlers are found generically (``_is_xblock_handler``, ``staff_only`` from :func:`json_api`),
so a handler added later is covered by the first three tests without editing them.
"""
from __future__ import annotations

import json

import pytest
from xblock.fields import Scope

from competency_xblock.atlas_lookup import AtlasLookupXBlock
from competency_xblock.quiz import DataSecurityQuizXBlock
from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock
from tests.runtime.self_assessment_helpers import EXAMPLE, ratings_for
from tests.security.conftest import stored
from tests.security.fuzzing import handler_names

BLOCKS = {
    "competency_self_assessment": (CompetencySelfAssessmentXBlock,
                                   "<competency_self_assessment/>"),
    "data_security_quiz": (DataSecurityQuizXBlock,
                           '<data_security_quiz questions_per_attempt="3" max_attempts="2"/>'),
    "atlas_lookup": (AtlasLookupXBlock, '<atlas_lookup mode="exercise"/>'),
}
CASES = [(tag, name) for tag, (cls, _) in BLOCKS.items() for name in handler_names(cls)]
#: Keys a malicious client might add to any payload to pick a user or set a result.
FORGED = {"user_id": "victim", "student": "victim", "username": "victim", "learner": "victim",
          "anonymous_student_id": "victim", "score": 100, "grade": 1.0, "earned": 10,
          "raw_earned": 10, "possible": 10, "max_score": 10, "weight": 100, "correct": True,
          "passed": True, "percent": 100, "is_staff": True, "staff": True}


def is_staff_only(cls, name: str) -> bool:
    handler = getattr(cls, name)
    return bool(getattr(handler, "staff_only", False))


def test_every_handler_goes_through_json_api():
    """A raw handler would bypass the size limit, schema, rollback and access checks."""
    for tag, (cls, _) in BLOCKS.items():
        for name in handler_names(cls):
            assert hasattr(getattr(cls, name), "json_api_schema"), f"{tag}.{name}"


def test_the_handlers_that_change_content_are_staff_only():
    changing = {"submit_studio_edits", "import_data", "import_questions", "export_data",
                "export_questions", "staff_summary", "staff_gaps"}
    for tag, (cls, _) in BLOCKS.items():
        for name in handler_names(cls):
            if name in changing:
                assert is_staff_only(cls, name), f"{tag}.{name} must be staff-only"


@pytest.fixture(scope="module")
def pages(bench):
    found = {}
    for tag, (_, olx) in BLOCKS.items():
        scenario = bench.scenario(olx, f"access {tag}")
        found[tag] = (scenario, bench.render(scenario, student="staff").usage_id)
    return found


@pytest.mark.parametrize("tag,name", CASES)
def test_staff_only_handlers_refuse_learners(bench, pages, tag, name):
    cls = BLOCKS[tag][0]
    if not is_staff_only(cls, name):
        pytest.skip("a learner handler")
    _, usage = pages[tag]
    before = stored(bench)
    bodies = [{}, {"values": {"display_name": "hacked"}}, {"kind": "setup", "format": "json"},
              {"content": "::q:: x {=a ~b}", "format": "gift"}, FORGED]
    for body in bodies:
        for method in ("post", "get"):
            result = bench.call(usage, name, body, student="learner-x", method=method)
            assert result.status in (403, 405), (name, method, result.status)
            if result.status == 403:
                assert result.data["error"] == "Only course staff may do this."
    danish = bench.call(usage, name, {}, student="learner-x", lang="da")
    assert danish.status == 403 and danish.data["error"] == "Kun kursets personale må gøre dette."
    assert stored(bench) == before


@pytest.mark.parametrize("tag,name", CASES)
def test_forged_identity_and_score_keys_are_refused(bench, pages, tag, name):
    """Extra keys never select another user or set a score: the schema refuses them, or (for
    the few handlers that take no payload) they are ignored."""
    cls = BLOCKS[tag][0]
    _, usage = pages[tag]
    student = "staff" if is_staff_only(cls, name) else "learner-f"
    takes_payload = getattr(cls, name).json_api_schema is not None
    bench.call(usage, name, {}, student=student)  # a schema-less handler's own first effect
    before = stored(bench)
    bench.events.clear()
    for key, value in FORGED.items():
        result = bench.call(usage, name, {key: value}, student=student)
        if takes_payload:
            assert 400 <= result.status < 500, (name, key, result.status, result.body[:200])
        else:
            assert result.status == 200 and "victim" not in result.body.decode("utf-8")
    assert stored(bench) == before
    assert not any(user == "victim" for (_, _, user) in stored(bench))
    assert bench.events.of_type("grade", usage) == []


def test_learner_views_hold_no_staff_section_and_no_answer_keys(bench, pages):
    sa_scenario, _ = pages["competency_self_assessment"]
    learner = bench.render(sa_scenario, student="learner-v").html
    staff = bench.render(sa_scenario, student="staff").html
    assert "data-cx-staff-area" in staff and "data-cx-staff-area" not in learner
    quiz_scenario, quiz_usage = pages["data_security_quiz"]
    page = bench.render(quiz_scenario, student="learner-v").html
    loaded = bench.call(quiz_usage, "load", {}, student="learner-v")
    for text in (page, loaded.body.decode("utf-8")):
        for leak in ('"correct": true', '"correct": false', "correct_keys", '"credit"'):
            assert leak not in text
    atlas_scenario, _ = pages["atlas_lookup"]
    learner = bench.render(atlas_scenario, student="learner-v").html
    staff = bench.render(atlas_scenario, student="staff").html
    for marker in ("data-cx-staff-status", "data-cx-gaps", "cx-atlas__staff"):
        assert marker in staff and marker not in learner, marker


# --- one learner's data is never another's --------------------------------------------------


def test_no_learner_reads_another_learners_data(bench):
    scenario = bench.scenario('<vertical_demo><competency_self_assessment/>'
                              '<data_security_quiz questions_per_attempt="4" show_answer="always"/>'
                              '<atlas_lookup mode="exercise"/></vertical_demo>', "two learners")
    usages = bench.render(scenario, student="alice").usage_ids
    sa, quiz, atlas = (next(u for u in usages if tag in u) for tag in
                       ("competency_self_assessment", "data_security_quiz", "atlas_lookup"))
    # Alice leaves traces everywhere.
    assert bench.call(sa, "submit", {"role": "leder", "unit": "jobcenter",
                                     "ratings": ratings_for("leder", "advanced")},
                      student="alice").status == 200
    attempt = bench.call(quiz, "load", {}, student="alice").data["attempt"]
    alice_questions = {q["id"] for q in attempt["questions"]}
    bench.call(quiz, "submit", {"attempt": 1, "answers": {}}, student="alice")
    secret_query = "alicesHemmeligeSoegning"
    bench.call(atlas, "search", {"query": secret_query, "scenario": "flytning"}, student="alice")
    # Bob sees none of it, through any page or learner handler.
    seen = [bench.render(scenario, student="bob").html]
    seen.append(bench.call(quiz, "load", {}, student="bob").body.decode("utf-8"))
    seen.append(bench.call(sa, "select", {"role": "borgerservice"}, student="bob")
                .body.decode("utf-8"))
    seen.append(bench.call(atlas, "search", {"query": "flytning", "scenario": "flytning"},
                           student="bob").body.decode("utf-8"))
    text = "\n".join(seen)
    assert secret_query not in text and "alice" not in text
    assert not bench.state(sa, "bob").get("history")
    bob_attempt = bench.call(quiz, "load", {}, student="bob").data["attempt"]
    assert bob_attempt["attempt"] == 1  # Bob's own first attempt, not Alice's result
    assert alice_questions  # (the draws are seeded per learner; they may overlap)
    # The workbench's ?student= is its stand-in for the LMS session; a handler URL for Alice
    # called with Bob's identity acts on Bob: the block never takes a user from the payload.
    forged = bench.call(quiz, "submit", {"attempt": 1, "answers": {}, "user_id": "alice"},
                        student="bob")
    assert forged.status == 400


# --- scores only from the server ------------------------------------------------------------


def test_quiz_grade_is_computed_on_the_server(bench):
    from tests.runtime.test_quiz import quiz_olx, small_bank

    scenario = bench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=3,
                                       show_answer="always"), "server grade")
    usage = bench.render(scenario, student="grader").usage_id
    attempt = bench.call(usage, "load", {}, student="grader").data["attempt"]
    bench.events.clear()
    # Every choice of every multiple-response question ticked (and the first of the others):
    # never full marks, whatever the client claims.
    everything = {q["id"]: [c["key"] for c in q["choices"]] if q["type"] == "multiple"
                  else [q["choices"][0]["key"]] for q in attempt["questions"]}
    result = bench.call(usage, "submit", {"attempt": 1, "answers": everything}, student="grader")
    assert result.status == 200
    grades = bench.events.of_type("grade", usage)
    assert len(grades) == 1 and grades[0]["value"] < grades[0]["max_value"]
    for forged in ({"attempt": 2, "answers": {}, "score": 4},
                   {"attempt": 2, "answers": {"x": ["0"]}, "earned": 4, "possible": 4},
                   {"attempt": 2, "answers": {q: ["0", "0", "0"] for q in everything}}):
        bench.call(usage, "retry", {"attempt": 2}, student="grader")
        bench.call(usage, "submit", forged, student="grader")
    assert all(g["value"] <= g["max_value"] for g in bench.events.of_type("grade", usage))
    earned, possible = bench.state(usage, "grader")["quiz_state"]["score"]
    assert earned <= possible


def test_self_assessment_grade_is_participation_only(bench):
    scenario = bench.scenario('<competency_self_assessment graded="true"/>', "participation")
    usage = bench.render(scenario, student="rater").usage_id
    bench.events.clear()
    payload = {"role": "borgerservice", "unit": "borgerservice",
               "ratings": ratings_for("borgerservice", "highly_advanced")}
    assert bench.call(usage, "submit", payload, student="rater").status == 200
    assert bench.events.of_type("grade", usage) == [
        {"value": 1.0, "max_value": 1.0, "only_if_higher": False}]


def test_atlas_score_comes_from_the_picks_alone(bench):
    scenario = bench.scenario('<atlas_lookup mode="exercise" max_attempts="1"/>', "atlas score")
    usage = bench.render(scenario, student="picker").usage_id
    bench.events.clear()
    wrong = bench.call(usage, "pick", {"scenario": "flytning", "kind": "unit", "id": "jobcenter"},
                       student="picker")
    assert wrong.status == 200 and wrong.data["correct"] is False
    assert wrong.data["score"]["earned"] == 0
    again = bench.call(usage, "pick", {"scenario": "flytning", "kind": "unit",
                                       "id": "borgerservice-folkeregister"}, student="picker")
    assert again.status == 400  # no attempts left: a right answer now earns nothing
    grades = bench.events.of_type("grade", usage)
    assert grades and all(g["value"] == 0 for g in grades)
    assert json.loads(json.dumps(bench.state(usage, "picker")))["raw_earned"] == 0


# --- Studio: authors are who Studio says may write to the course -----------------------------
#
# Studio's component_handler calls edx-platform's load_services_for_studio(runtime, user)
# (cms/djangoapps/contentstore/utils.py), which installs ``DjangoXBlockUserService(user)``
# without ``user_is_staff`` (so every author looks like a learner to the user service) and a
# ``studio_user_permissions`` service, ``StudioPermissionsService(user)``, whose
# ``can_write(course_key)`` is Studio's own write-access check.  The runtime below installs the
# same two services the same way (``runtime._services.update``).

AUTHOR_HANDLERS = {"submit_studio_edits", "import_questions", "export_questions",
                   "import_data", "export_data"}
STAFF_VIEW_HANDLERS = {"staff_summary", "staff_gaps"}
COURSE = "course-v1:Kommune+Sikkerhed+2026"
OTHER_COURSE = "course-v1:Andet+Kursus+2026"


class _UsageKey(str):
    """A workbench usage id (a string: the workbench stores fields under it) that also carries
    the opaque-keys attribute naming its course: ``context_key``, or only ``course_key`` as
    opaque-keys had it before ``context_key`` existed."""

    def __new__(cls, usage_id: str, course: str, attribute: str = "context_key"):
        key = super().__new__(cls, usage_id)
        setattr(key, attribute, course)
        return key


class _StudioUserService:
    """``DjangoXBlockUserService(user)`` as Studio installs it: staff flag False, role student."""

    def get_current_user(self):
        from xblock.reference.user_service import XBlockUser

        user = XBlockUser(is_current_user=True, emails=["author@example.org"],
                          full_name="Course Author")
        user.opt_attrs.update({"edx-platform.user_id": 7, "edx-platform.username": "author",
                               "edx-platform.is_authenticated": True,
                               "edx-platform.anonymous_user_id": None,
                               "edx-platform.user_is_staff": False,
                               "edx-platform.user_role": "student"})
        return user


class _StudioPermissions:
    """``StudioPermissionsService``: ``can_write(course_key)`` for the courses in ``writable``;
    every question asked is kept."""

    def __init__(self, writable=(), fail: bool = False):
        self.writable, self.fail, self.asked = set(writable), fail, []

    def can_read(self, course_key):
        return self.can_write(course_key)

    def can_write(self, course_key):
        self.asked.append(course_key)
        if self.fail:
            raise RuntimeError("permission lookup failed")
        return course_key in self.writable


AUTHOR_PAYLOADS = {
    "submit_studio_edits": {"values": {"display_name": "Ny titel"}},
    "import_questions": {"content": "::q1:: Hvad er en stærk adgangskode? {=lang ~kort}",
                         "format": "gift"},
    "export_questions": {"format": "gift"},
    "import_data": {"kind": "setup", "format": "json", "text": json.dumps(EXAMPLE)},
    "export_data": {"kind": "setup", "format": "json"},
}


def _studio_block(tag: str, permissions, attribute: str = "context_key"):
    """The block as Studio's component_handler has it: parsed OLX, its usage key naming the
    course, Studio's user and permission services in the runtime."""
    from tests.helpers.workbench import parse_olx

    block = parse_olx(BLOCKS[tag][1])
    usage = _UsageKey(str(block.scope_ids.usage_id), COURSE, attribute)
    block.scope_ids = block.scope_ids._replace(usage_id=usage)
    block.runtime._services.update({"user": _StudioUserService(),  # noqa: SLF001 - as Studio
                                    "studio_user_permissions": permissions})
    return block


def _post(block, handler: str, payload) -> tuple[int, dict]:
    from webob import Request

    request = Request.blank("/", method="POST", body=json.dumps(payload).encode(),
                            content_type="application/json")
    response = block.handle(handler, request)
    return response.status_code, json.loads(response.body)


def test_editing_handlers_are_author_only_and_staff_views_are_not():
    for tag, (cls, _) in BLOCKS.items():
        for name in handler_names(cls):
            handler = getattr(cls, name)
            assert getattr(handler, "author_only", False) == (name in AUTHOR_HANDLERS), \
                f"{tag}.{name}"
            if name in STAFF_VIEW_HANDLERS:
                assert handler.staff_only and not handler.author_only


def test_the_blocks_ask_for_studios_permission_service():
    for cls, _ in BLOCKS.values():
        assert cls.service_declaration("studio_user_permissions") == "want"


@pytest.mark.parametrize("tag,name", [(tag, name) for tag, (cls, _) in BLOCKS.items()
                                      for name in handler_names(cls) if name in AUTHOR_HANDLERS])
@pytest.mark.parametrize("attribute", ["context_key", "course_key"])
def test_a_studio_author_with_write_access_can_edit(_django, tag, name, attribute):
    permissions = _StudioPermissions(writable={COURSE})
    block = _studio_block(tag, permissions, attribute)
    status, body = _post(block, name, AUTHOR_PAYLOADS[name])
    assert status == 200, (name, body)
    assert permissions.asked and set(permissions.asked) == {COURSE}
    if name == "submit_studio_edits":
        assert block.title() == "Ny titel"
    if name == "import_questions":
        assert body["saved"] and "q1" in {q["id"] for q in block.bank_data()["questions"]}
    if name == "import_data":
        assert body["saved"] and block.setup == EXAMPLE


@pytest.mark.parametrize("tag", list(BLOCKS))
def test_studio_refuses_a_user_without_write_access_and_stores_nothing(_django, tag):
    """A learner (or another course's author) reaching Studio's handler URL: Studio says no
    write access, the user service says no staff - 403 for every editing handler."""
    cls = BLOCKS[tag][0]
    for permissions in (_StudioPermissions(writable={OTHER_COURSE}),
                        _StudioPermissions(writable={COURSE}, fail=True)):
        block = _studio_block(tag, permissions)
        settings_before = {n: f.read_json(block) for n, f in cls.fields.items()
                           if f.scope in (Scope.settings, Scope.content)}
        for name in sorted(AUTHOR_HANDLERS & set(handler_names(cls))):
            status, body = _post(block, name, AUTHOR_PAYLOADS[name])
            assert status == 403 and body["error"] == "Only course staff may do this.", name
        assert {n: f.read_json(block) for n, f in cls.fields.items()
                if f.scope in (Scope.settings, Scope.content)} == settings_before
        assert permissions.asked == [COURSE] * len(AUTHOR_HANDLERS & set(handler_names(cls)))


def test_studio_without_a_course_key_refuses(_django):
    """A usage id that names no course (no ``context_key``/``course_key``): no permission."""
    from tests.helpers.workbench import parse_olx

    block = parse_olx("<competency_self_assessment/>")
    permissions = _StudioPermissions(writable={COURSE})
    block.runtime._services.update({"user": _StudioUserService(),  # noqa: SLF001
                                    "studio_user_permissions": permissions})
    status, _ = _post(block, "submit_studio_edits", AUTHOR_PAYLOADS["submit_studio_edits"])
    assert status == 403 and permissions.asked == []


def test_lms_staff_flag_does_not_override_studios_answer(_django):
    """Where Studio's permission service exists it decides, whatever the user service says."""
    block = _studio_block("data_security_quiz", _StudioPermissions(writable={OTHER_COURSE}))
    user = _StudioUserService().get_current_user()
    user.opt_attrs["edx-platform.user_is_staff"] = True
    block.runtime._services["user"] = type("U", (), {  # noqa: SLF001
        "get_current_user": lambda self: user})()
    status, _ = _post(block, "submit_studio_edits", AUTHOR_PAYLOADS["submit_studio_edits"])
    assert status == 403
