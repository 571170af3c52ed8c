"""Sample domain events of every kind (shared by the unit and LRS tests)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from competency_xblock.xapi import events as ev

ROOT = "https://lms.example.org"
USAGE_QUIZ = "block-v1:Org+SEC101+2026+type@data_security_quiz+block@91c4"
USAGE_SELF = "block-v1:Org+SEC101+2026+type@competency_self_assessment+block@7f3a"
USAGE_ATLAS = "block-v1:Org+SEC101+2026+type@atlas_lookup+block@c2d8"
WHEN = datetime(2026, 12, 3, 10, 15, 30, 123000, tzinfo=UTC)
LEVELS = (
    ev.ScaleLevel(id="foundation", label={"en": "Foundation", "da": "Grundlæggende"}),
    ev.ScaleLevel(id="intermediate", label={"en": "Intermediate", "da": "Øvet"}),
    ev.ScaleLevel(id="advanced", label={"en": "Advanced", "da": "Avanceret"}),
)
CHOICES = (
    ev.ChoiceOption(id="a", text={"en": "CPR number", "da": "CPR-nummer"}),
    ev.ChoiceOption(id="b", text={"en": "Full name", "da": "Fulde navn"}),
    ev.ChoiceOption(id="c", text={"en": "Today's weather", "da": "Dagens vejr"}),
)
_counter = itertools.count()


def learner(anonymous_id: str = "5f1d0c1b2a3e4f5a6b7c8d9e0f1a2b3c", **extra) -> ev.Learner:
    return ev.Learner(anonymous_id=anonymous_id, **extra)


def settings(**extra) -> dict:
    base = {"xapi_transport": "direct", "xapi_lms_root_url": ROOT,
            "xapi_lrs_endpoint": "http://127.0.0.1:9/xAPI/", "xapi_sender": "external"}
    base.update(extra)
    return base


def self_rated(who: ev.Learner | None = None, when: datetime = WHEN, **kw) -> ev.SelfRated:
    data = dict(usage_key=USAGE_SELF, learner=who or learner(), occurred_at=when, language="da",
                block_title={"en": "Self-assessment", "da": "Selvvurdering"},
                assessment_id="sub-1", competence_id="1.1",
                competence_title={"en": "Browsing and searching", "da": "Browsing og søgning"},
                levels=LEVELS, self_level="foundation", expected_level="intermediate",
                self_rank=1, expected_rank=2, gap=1, framework_id="digcomp3",
                role_id="caseworker")
    data.update(kw)
    return ev.SelfRated(**data)


def quiz_answered(who: ev.Learner | None = None, when: datetime = WHEN, **kw) -> ev.QuizAnswered:
    data = dict(usage_key=USAGE_QUIZ, learner=who or learner(), occurred_at=when,
                block_title="Data-security quiz", attempt_id="att-2", attempt=2,
                question_id="q7",
                question_text={"en": "Which are personal data?",
                               "da": "Hvilke er personoplysninger?"},
                choices=CHOICES, response_ids=("b", "a"), correct_ids=("a", "b"), success=True,
                credit=1.0)
    data.update(kw)
    return ev.QuizAnswered(**data)


def quiz_completed(who: ev.Learner | None = None, when: datetime = WHEN,
                   **kw) -> ev.QuizCompleted:
    data = dict(usage_key=USAGE_QUIZ, learner=who or learner(), occurred_at=when,
                block_title="Data-security quiz", attempt_id="att-2", attempt=2, raw=6, max=10,
                success=False, mastery=0.8, duration_seconds=252.34, question_count=10)
    data.update(kw)
    return ev.QuizCompleted(**data)


def atlas_searched(who: ev.Learner | None = None, when: datetime = WHEN,
                   **kw) -> ev.AtlasSearched:
    data = dict(usage_key=USAGE_ATLAS, learner=who or learner(), occurred_at=when,
                language="da", block_title="Ydelsesatlas", query="nulstil adgangskode",
                hit_count=3, scenario_id="task-2")
    data.update(kw)
    return ev.AtlasSearched(**data)


def atlas_answered(who: ev.Learner | None = None, when: datetime = WHEN,
                   **kw) -> ev.AtlasAnswered:
    data = dict(usage_key=USAGE_ATLAS, learner=who or learner(), occurred_at=when,
                language="da", block_title="Ydelsesatlas", scenario_id="task-2", attempt=1,
                picked_id="svc-iam-helpdesk", correct=True, correct_ids=("svc-iam-helpdesk",),
                scenario_title={"da": "Borgeren har glemt sin adgangskode"}, searches_used=2,
                duration_seconds=41.5)
    data.update(kw)
    return ev.AtlasAnswered(**data)


FACTORIES = (self_rated, quiz_answered, quiz_completed, atlas_searched, atlas_answered)


def all_kinds(who: ev.Learner | None = None, when: datetime = WHEN) -> list[ev.Event]:
    return [make(who, when) for make in FACTORIES]


def many(count: int, prefix: str = "learner") -> list[ev.Event]:
    """``count`` distinct events cycling through the kinds (distinct learners and times)."""
    found = []
    for i in range(count):
        who = learner(f"{prefix}-{next(_counter)}")
        found.append(FACTORIES[i % len(FACTORIES)](who, WHEN + timedelta(milliseconds=i)))
    return found
