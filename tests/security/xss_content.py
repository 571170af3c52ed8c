"""Authored content with a cross-site scripting payload in every author text field.

Each block gets scenarios in which every kind of author field (titles, descriptions, level
labels and descriptors, question prompts, choices, feedback, explanations, atlas names,
contact details, exercise prompts, hints ...) holds, across its many instances, every payload
of ``tests/data/security/xss-payloads.txt``; URL fields get payloads that pass their schema
pattern.  The same content is valid: it is accepted by each block's own validation, so the
tests exercise real pages, not error messages.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "security" / "xss-payloads.txt"
OPTION_NS = 'xmlns:option="http://code.edx.org/xblock/option"'
#: URLs an author could type that pass the http(s)/path patterns of our schemas.
URL_PAYLOADS = [
    'https://example.org/"onmouseover="alert(1)"data-cx-injected="1',
    "/'><svg/onload=alert(1)>",
    "https://x.example/<script>window.__cx_pwned=1</script>",
    '/"><img/src=x/onerror=alert(1)/data-cx-injected=1>',
    "https://example.org/?q=\"'><script>alert(1)</script>",
    "//evil.example/protocol-relative",
    "https://example.org/ok",
]
LEVELS = ["l0", "l1", "l2", "l3"]


def payloads() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ")]


def _at(items: list[str], index: int) -> str:
    return items[index % len(items)]


# --- self-assessment -----------------------------------------------------------------------


def self_assessment_setup(offset: int = 0) -> dict:
    p = payloads()
    n = len(p)
    competences = [{"id": f"c{j}", "title": _at(p, j + offset),
                    "description": _at(p, j + offset + 1),
                    "levels": {lv: _at(p, j + offset + 2 + i) for i, lv in enumerate(LEVELS)}}
                   for j in range(n)]
    half = (n + 1) // 2
    framework = {
        "schema_version": 1, "id": "xss-framework", "title": _at(p, offset),
        "description": _at(p, offset + 1),
        "levels": [{"id": lv, "label": _at(p, offset + 3 + i),
                    "description": _at(p, offset + 7 + i)} for i, lv in enumerate(LEVELS)],
        "areas": [{"id": "a0", "title": _at(p, offset + 11), "description": _at(p, offset + 12),
                   "competences": competences[:half]},
                  {"id": "a1", "title": _at(p, offset + 13), "description": _at(p, offset + 14),
                   "competences": competences[half:]}],
    }
    roles = [{"id": f"r{k}", "title": _at(p, k + offset), "description": _at(p, k + offset + 2)}
             for k in range(min(50, n))]
    units = [{"id": f"u{k}", "title": _at(p, k + offset)} for k in range(n)]
    kinds = ["course", "guide", "video", "peer", "other"]
    resources = [{"id": f"res{j}", "competence": f"c{j}", "levels": ["l1", "l2", "l3"],
                  "kind": kinds[j % len(kinds)], "title": _at(p, j + offset + 5),
                  "description": _at(p, j + offset + 6), "url": _at(URL_PAYLOADS, j)}
                 for j in range(n)]
    return {
        "schema_version": 1, "notice": _at(p, offset + 20), "framework": framework,
        "roles": roles, "units": units,
        "profiles": {role["id"]: {c["id"]: "l3" for c in competences} for role in roles},
        "resources": resources, "peer_suggestion": _at(p, offset + 30),
        "reassessment": {"mode": "anytime"},
    }


def self_assessment_olx(offset: int = 0) -> str:
    body = escape(json.dumps(self_assessment_setup(offset), ensure_ascii=False), quote=False)
    name = escape(payloads()[offset % len(payloads())])
    return (f'<competency_self_assessment {OPTION_NS} display_name="{name}">'
            f"<option:setup>{body}</option:setup></competency_self_assessment>")


# --- quiz ----------------------------------------------------------------------------------


def quiz_bank() -> dict:
    p = payloads()
    questions = []
    for i in range(len(p)):
        question = {
            "id": f"q{i}", "type": "single" if i % 3 else "multiple",
            "prompt": _at(p, i), "scenario": _at(p, i + 1), "explanation": _at(p, i + 2),
            "topic": f"t{i % 4}",
            "choices": [{"id": "a", "text": _at(p, i + 3), "correct": True,
                         "feedback": _at(p, i + 4)},
                        {"id": "b", "text": _at(p, i + 5), "feedback": _at(p, i + 6)},
                        {"id": "c", "text": _at(p, i + 7)}],
        }
        if i % 2 == 0:
            question["text_format"] = "html"  # author HTML: sanitised by nh3 (allow-list)
        questions.append(question)
    topics = [{"id": f"t{k}", "title": _at(p, k + 40)} for k in range(4)]
    return {"id": "xss-bank", "title": p[0], "description": p[1], "topics": topics,
            "questions": questions}


def quiz_olx() -> str:
    body = escape(json.dumps(quiz_bank(), ensure_ascii=False), quote=False)
    name = escape(payloads()[2])
    return (f'<data_security_quiz {OPTION_NS} display_name="{name}" questions_per_attempt="0" '
            'max_attempts="0" show_answer="always" shuffle_questions="false" '
            f'shuffle_choices="false"><option:bank>{body}</option:bank></data_security_quiz>')


# --- atlas ---------------------------------------------------------------------------------


def atlas_document() -> dict:
    p = payloads()
    units = [{"id": f"u{k}", "name": _at(p, k), "description": _at(p, k + 1),
              "contact": {"phone": _at(p, k)[:50], "email": _at(p, k + 2)[:200],
                          "secure_mail": _at(p, k + 3), "address": _at(p, k + 4),
                          "opening_hours": _at(p, k + 5),
                          "web": _at(URL_PAYLOADS, k) if _at(URL_PAYLOADS, k).startswith("http")
                          else "https://example.org/"}}
             for k in range(len(p))]
    services = [{"id": f"s{k}", "title": f"xssfind {_at(p, k)}",
                 "description": _at(p, k + 6), "keywords": ["xssfind", _at(p, k + 7)[:200]],
                 "kle": ["23.05.10"], "unit": f"u{k}", "referral_notes": _at(p, k + 8)}
                for k in range(len(p))]
    return {"id": "xss-atlas", "title": p[3], "description": p[4], "attribution": p[5],
            "units": units, "services": services}


def atlas_exercise() -> dict:
    p = payloads()
    return {"scenarios": [{"id": f"x{k}", "prompt": _at(p, k), "hint": _at(p, k + 1),
                           "explanation": _at(p, k + 2), "answer": {"units": [f"u{k}"]}}
                          for k in range(min(50, len(p)))]}


def atlas_olx(mode: str) -> str:
    atlas = escape(json.dumps(atlas_document(), ensure_ascii=False), quote=False)
    exercise = escape(json.dumps(atlas_exercise(), ensure_ascii=False), quote=False)
    name = escape(payloads()[4])
    return (f'<atlas_lookup {OPTION_NS} display_name="{name}" mode="{mode}" max_attempts="0" '
            f'results_per_page="50"><option:inline_atlas>{atlas}</option:inline_atlas>'
            f"<option:exercise>{exercise}</option:exercise></atlas_lookup>")


#: A one-service atlas no payload finds anything in: every learner search of the corpus lands
#: in the staff list of searches without hits (which shows at most 50 terms per block, so the
#: corpus is split over two blocks).
SEARCH_ATLAS = {"id": "xss-searches", "title": "Searches", "units": [{"id": "u", "name": "Kontor"}],
                "services": [{"id": "s", "title": "Pas", "kle": ["99.99.99"], "unit": "u",
                              "keywords": ["pas"]}]}
SEARCH_SCENARIOS = ("cxxss-atlas-searches-a", "cxxss-atlas-searches-b")


def search_atlas_olx() -> str:
    atlas = escape(json.dumps(SEARCH_ATLAS), quote=False)
    return (f'<atlas_lookup {OPTION_NS} display_name="Searches" mode="lookup">'
            f"<option:inline_atlas>{atlas}</option:inline_atlas></atlas_lookup>")


def scenarios() -> dict[str, tuple[str, str]]:
    """``{scenario id: (description, OLX)}`` for the XSS server."""
    return {
        "cxxss-sa-0": ("XSS: self-assessment A", self_assessment_olx(0)),
        "cxxss-sa-1": ("XSS: self-assessment B", self_assessment_olx(36)),
        "cxxss-quiz": ("XSS: quiz", quiz_olx()),
        "cxxss-atlas-lookup": ("XSS: atlas lookup", atlas_olx("lookup")),
        "cxxss-atlas-exercise": ("XSS: atlas exercise", atlas_olx("exercise")),
        SEARCH_SCENARIOS[0]: ("XSS: learners' searches A", search_atlas_olx()),
        SEARCH_SCENARIOS[1]: ("XSS: learners' searches B", search_atlas_olx()),
    }
