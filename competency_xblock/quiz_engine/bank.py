"""Load, validate and serialise question banks (``schemas/quiz-bank.schema.json``).

Validation returns *all* problems, each a :class:`UserFacingError` with a JSON-pointer path, so
Studio and the import CLI can list everything an author must fix in one go.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from competency_xblock.core import schemas
from competency_xblock.quiz_engine.model import (
    FALSE_ID,
    MULTIPLE,
    PER_CHOICE,
    PLAIN,
    SINGLE,
    TRUE_ID,
    TRUEFALSE,
    Bank,
    Choice,
    Question,
    Topic,
)
from competency_xblock.text import N_, LocalizedText, UserFacingError

SCHEMA = "quiz-bank"
DEFAULT_BANK_RESOURCE = "data/quiz/default-bank.json"


def _text(value: Any) -> LocalizedText | None:
    if value is None or isinstance(value, str):
        return value
    return dict(value)


def bank_from_dict(data: Mapping[str, Any]) -> Bank:
    """Build a :class:`Bank` from already validated data (see :func:`load_bank`)."""
    default_format = data.get("text_format", PLAIN)
    questions = []
    for q in data["questions"]:
        choices = tuple(
            Choice(id=c["id"], text=_text(c["text"]), correct=bool(c.get("correct", False)),
                   feedback=_text(c.get("feedback")))
            for c in q["choices"])
        questions.append(Question(
            id=q["id"], type=q["type"], prompt=_text(q["prompt"]), choices=choices,
            topic=q.get("topic", ""), tags=tuple(q.get("tags", ())),
            scenario=_text(q.get("scenario")), explanation=_text(q.get("explanation")),
            scoring=q.get("scoring"), text_format=q.get("text_format", default_format)))
    extra = {k: data[k] for k in ("description", "version", "sources") if k in data}
    return Bank(
        questions=tuple(questions), id=data.get("id", "bank"), title=_text(data.get("title", "")),
        topics=tuple(Topic(t["id"], _text(t.get("title", ""))) for t in data.get("topics", ())),
        scoring=data.get("scoring", PER_CHOICE), languages=tuple(data.get("languages", ())),
        extra=extra)


def question_to_dict(q: Question) -> dict:
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    if q.topic:
        out["topic"] = q.topic
    if q.tags:
        out["tags"] = list(q.tags)
    if q.scenario:
        out["scenario"] = q.scenario
    out["prompt"] = q.prompt
    choices = []
    for c in q.choices:
        choice: dict[str, Any] = {"id": c.id, "text": c.text, "correct": c.correct}
        if c.feedback:
            choice["feedback"] = c.feedback
        choices.append(choice)
    out["choices"] = choices
    if q.explanation:
        out["explanation"] = q.explanation
    if q.scoring:
        out["scoring"] = q.scoring
    if q.text_format != PLAIN:
        out["text_format"] = q.text_format
    return out


def bank_to_dict(bank: Bank) -> dict:
    """Serialise to the schema's JSON shape (round-trips through :func:`bank_from_dict`)."""
    out: dict[str, Any] = {"id": bank.id}
    if bank.title:
        out["title"] = bank.title
    for key in ("description", "version"):
        if key in bank.extra:
            out[key] = bank.extra[key]
    if bank.languages:
        out["languages"] = list(bank.languages)
    out["scoring"] = bank.scoring
    if bank.topics:
        out["topics"] = [{"id": t.id, **({"title": t.title} if t.title else {})}
                         for t in bank.topics]
    out["questions"] = [question_to_dict(q) for q in bank.questions]
    if "sources" in bank.extra:
        out["sources"] = bank.extra["sources"]
    return out


def _texts_of(q: Mapping[str, Any], base: str) -> Iterable[tuple[str, Any]]:
    for key in ("prompt", "scenario", "explanation"):
        if q.get(key) is not None:
            yield f"{base}/{key}", q[key]
    for j, c in enumerate(q.get("choices", ())):
        yield f"{base}/choices/{j}/text", c.get("text")
        if c.get("feedback") is not None:
            yield f"{base}/choices/{j}/feedback", c["feedback"]


def semantic_problems(data: Mapping[str, Any]) -> list[UserFacingError]:
    """Rules the schema cannot express.  Expects schema-valid ``data``."""
    problems: list[UserFacingError] = []
    topics = [t["id"] for t in data.get("topics", ())]
    for tid, n in Counter(topics).items():
        if n > 1:
            problems.append(UserFacingError(N_("The topic id \"{id}\" is used {count} times."),
                                            path="/topics", id=tid, count=n))
    questions = data["questions"]
    for qid, n in Counter(q["id"] for q in questions).items():
        if n > 1:
            problems.append(UserFacingError(
                N_("The question id \"{id}\" is used {count} times; ids must be unique."),
                path="/questions", id=qid, count=n))
    languages = list(data.get("languages", ()))
    for i, q in enumerate(questions):
        base = f"/questions/{i}"
        qid = q["id"]
        choices = q["choices"]
        for cid, n in Counter(c["id"] for c in choices).items():
            if n > 1:
                problems.append(UserFacingError(
                    N_("Question \"{question}\": the choice id \"{id}\" is used {count} times."),
                    path=f"{base}/choices", question=qid, id=cid, count=n))
        correct = sum(1 for c in choices if c.get("correct"))
        if correct == 0:
            problems.append(UserFacingError(
                N_("Question \"{question}\" has no correct answer."),
                path=f"{base}/choices", question=qid))
        elif correct > 1 and q["type"] in (SINGLE, TRUEFALSE):
            problems.append(UserFacingError(
                N_("Question \"{question}\" is single choice but has {count} correct answers; "
                   "make it multiple response or mark one answer correct."),
                path=f"{base}/choices", question=qid, count=correct))
        if q["type"] == TRUEFALSE and sorted(c["id"] for c in choices) != [FALSE_ID, TRUE_ID]:
            problems.append(UserFacingError(
                N_("True/false question \"{question}\" must have exactly the choices "
                   "\"true\" and \"false\"."), path=f"{base}/choices", question=qid))
        if q.get("scoring") and q["type"] != MULTIPLE:
            problems.append(UserFacingError(
                N_("Question \"{question}\": a partial-credit rule applies only to multiple "
                   "response questions."), path=f"{base}/scoring", question=qid))
        if topics and q.get("topic") and q["topic"] not in topics:
            problems.append(UserFacingError(
                N_("Question \"{question}\" uses the unknown topic \"{topic}\"."),
                path=f"{base}/topic", question=qid, topic=q.get("topic", "")))
        if languages:
            # A plain string is one text for every language (e.g. imported questions); a
            # mapping must give every language the bank declares.
            for path, text in _texts_of(q, base):
                if not isinstance(text, Mapping):
                    continue
                missing = [lang for lang in languages if not str(text.get(lang, "")).strip()]
                if missing:
                    problems.append(UserFacingError(
                        N_("Question \"{question}\": the text is missing in {languages}."),
                        path=path, question=qid, languages=", ".join(missing)))
    return problems


def validate_bank(data: Any) -> list[UserFacingError]:
    """All problems with ``data`` (schema first; semantic rules only once the shape is right)."""
    found = schemas.errors(SCHEMA, data, limit=50)
    if found:
        return found
    return semantic_problems(data)


def load_bank(data: Any) -> Bank:
    """Validate and build; raises one :class:`UserFacingError` listing every problem.

    The raised error carries ``.problems`` (the full list) for callers that show a list.
    """
    problems = validate_bank(data)
    if problems:
        if len(problems) == 1:
            error = problems[0]
        else:
            error = UserFacingError(
                N_("The question bank has {count} problems; the first: {first}"),
                path=problems[0].path, count=len(problems), first=problems[0].render())
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return bank_from_dict(data)


def parse_bank_json(text: str) -> Bank:
    """Parse JSON text into a bank; JSON syntax errors name the line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserFacingError(N_("The file is not valid JSON: {detail}."),
                              path=f"line {exc.lineno}, column {exc.colno}",
                              detail=exc.msg) from exc
    return load_bank(data)


def default_bank_data() -> dict:
    """The shipped default bank as data (Danish and English)."""
    path = resources.files("competency_xblock") / DEFAULT_BANK_RESOURCE
    return json.loads(path.read_text(encoding="utf-8"))


def default_bank() -> Bank:
    return load_bank(default_bank_data())


#: A bank's own details, kept when an import adds to or replaces its questions.
BANK_DETAILS = ("$schema", "title", "description", "sources", "version", "languages")


def with_bank_details(new: dict, before: Mapping[str, Any],
                      replace: bool) -> tuple[dict, list[UserFacingError]]:
    """``new`` (a bank after an import) with the details of the bank it was imported into,
    and the problems of the result.  The details stay also when the questions are replaced
    (export, edit, import with "replace" is how authors fix a typo): the title, description,
    sources (the legal references credited) and version; the languages too, unless the
    replacing questions do not have them all (a bank replaced by one in fewer languages)."""
    data = dict(new)
    data.update((key, before[key]) for key in BANK_DETAILS if key in before)
    problems = validate_bank(data) if data.get("questions") else []
    if problems and replace and "languages" in data:
        own = {k: v for k, v in data.items() if k != "languages"}
        if not validate_bank(own):
            return own, []
    return data, problems
