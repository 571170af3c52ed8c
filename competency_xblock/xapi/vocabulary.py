"""The IRIs our statements use, in one place (see docs/dev/xapi.md for why each was chosen)."""
from __future__ import annotations

import uuid

#: Namespace for every uuid5 we derive (statement ids, registrations). Never change it: ids
#: already sent to an LRS would no longer match what a retry computes.
NAMESPACE = uuid.UUID("5b0e7c1e-2f0c-5d7e-9a51-c0b1e7c0a0e1")

XAPI_VERSION = "1.0.3"

# ---- verbs ---------------------------------------------------------------------------
VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_EVALUATED = "https://w3id.org/xapi/acrossx/verbs/evaluated"  # what Open edX Aspects reads
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_SEARCHED = "https://w3id.org/xapi/acrossx/verbs/searched"

VERB_DISPLAY = {
    VERB_ANSWERED: "answered",
    VERB_EVALUATED: "evaluated",
    VERB_PASSED: "passed",
    VERB_FAILED: "failed",
    VERB_COMPLETED: "completed",
    VERB_SEARCHED: "searched",
}

#: Operator choices for ``xapi_answer_verb``.
ANSWER_VERBS = {"answered": VERB_ANSWERED, "evaluated": VERB_EVALUATED}

# ---- activity types ------------------------------------------------------------------
TYPE_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
TYPE_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
TYPE_COURSE = "http://adlnet.gov/expapi/activities/course"
TYPE_MODULE = "http://adlnet.gov/expapi/activities/module"
TYPE_COMPETENCY = "https://w3id.org/xapi/tla/activity-types/competency"
TYPE_SURVEY = "http://id.tincanapi.com/activitytype/survey"
TYPE_SEARCH_ENGINE = "https://w3id.org/xapi/acrossx/activities/search-engine"

# ---- extensions ----------------------------------------------------------------------
EXT_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
EXT_ATTEMPT_ID = "http://id.tincanapi.com/extension/attempt-id"

#: Our own extension IRIs. The space must be one we control and publish as an xAPI Profile
#: (see docs/dev/xapi.md, "Vocabulary"); changing it changes statement content, not ids.
EXT_BASE = "https://w3id.org/xapi/competency-xblock/extensions/"
EXT_SELF_LEVEL_RANK = EXT_BASE + "self-level-rank"
EXT_EXPECTED_LEVEL = EXT_BASE + "expected-level"
EXT_EXPECTED_LEVEL_RANK = EXT_BASE + "expected-level-rank"
EXT_LEVEL_GAP = EXT_BASE + "level-gap"
EXT_LEVEL_UNKNOWN = EXT_BASE + "level-unknown"
EXT_SUBMISSION_ID = EXT_BASE + "submission-id"
EXT_ROLE = EXT_BASE + "role"
EXT_RESULT_COUNT = EXT_BASE + "result-count"
EXT_SEARCHES_USED = EXT_BASE + "searches-used"
EXT_QUESTION_COUNT = EXT_BASE + "question-count"
