"""What every importer shares: the result type, per-question problems, ids, safe XML, HTML."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, Optional

from lxml import etree

from competency_xblock.quiz_engine.model import (
    HTML,
    QUESTION_TYPES,
    SCORING_RULES,
    TEXT_FORMATS,
    Question,
)
from competency_xblock.text import N_, UserFacingError

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_QUESTIONS = 2000
#: The bank schema's limit of choices per question; a longer list is skipped before any work
#: is done on it (100,000 choices in one question cost seconds per import).
MAX_CHOICES = 20
MAX_TEXT_LENGTH = 8000  # the bank schema's limit per text
MAX_TAGS = 20
MAX_TAG_LENGTH = 60
SKIPPED = "skipped"  # the question was not imported
NOTE = "note"  # imported, but something in it was approximated or left out


@dataclass(frozen=True)
class ImportProblem:
    """One thing an author must know about one question of an import."""

    position: str  # "line 12" or "line 4, <question type=\"essay\">" or "problem/x.xml"
    message: str  # untranslated template (N_), filled with params
    params: dict = field(default_factory=dict)
    question: str = ""  # the question's name or id in the source, when known
    kind: str = SKIPPED

    def as_error(self) -> UserFacingError:
        return UserFacingError(self.message, path=self.position, **self.params)

    def render(self, gettext=lambda s: s) -> str:
        params = dict(self.params)
        if isinstance(params.get("qtype"), str):  # our names for GIFT kinds are translated
            params["qtype"] = gettext(params["qtype"])
        for key, value in params.items():  # a nested problem (bank rule), in the same language
            if isinstance(value, UserFacingError):
                params[key] = UserFacingError(value.message, **value.params).render(gettext)
        text = UserFacingError(self.message, path=self.position, **params).render(gettext)
        return f"{self.question}: {text}" if self.question else text


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)  # (id, title) in first-use order
    #: Where each imported question is in the source (question id -> "line 12", an element),
    #: for what the bank import reports about it later.
    positions: dict[str, str] = field(default_factory=dict)
    #: The choice ids the source itself gave (a ``// [choice:a]`` comment in GIFT, a CAPA
    #: ``<choice name>``), per question id; other choice ids were made up (``c1``, ``c2``).
    given_choice_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Topic ids the source gave explicitly (not made from a category name).
    given_topic_ids: set[str] = field(default_factory=set)
    #: Where each topic's category is in the source.
    topic_positions: dict[str, str] = field(default_factory=dict)

    def __iter__(self):  # allows ``questions, problems = import_x(...)``
        return iter((self.questions, self.problems))

    @property
    def skipped(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.kind == SKIPPED]

    def add_topic(self, title: str, tid: str = "", position: str = "") -> str:
        """The topic id for a category ``title``: ``tid`` when the source gave a valid one,
        else the title itself when it is a valid id (``gdpr_basics``, ``Phishing.2``), else
        a slug of it (``Phishing og svindel`` -> ``phishing-og-svindel``)."""
        given = bool(tid) and is_valid_id(tid)
        tid = tid if given else topic_id(title)
        if tid not in [t for t, _ in self.topics]:
            self.topics.append((tid, title or tid))
        if given:
            self.given_topic_ids.add(tid)
        if position:
            self.topic_positions.setdefault(tid, position)
        return tid


def category_name(path: str) -> str:
    """The topic name of a Moodle category path (``$course$/top/Datasikkerhed/Phishing`` →
    ``Phishing``); "" for the course's root (``$course$/top``), whose questions get no topic.
    Moodle writes ``//`` for a ``/`` inside a name."""
    parts = [p.replace("\x00", "/").strip()
             for p in path.replace("//", "\x00").split("/")]
    parts = [p for p in parts if p and not (p.startswith("$") and p.endswith("$"))]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return parts[-1] if parts else ""


def slugify(text: str, limit: int = 60) -> str:
    """An id from a name: ASCII letters, digits, ``-``; Danish letters transliterated."""
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = text.replace("Æ", "Ae").replace("Ø", "Oe").replace("Å", "Aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].strip("-")


#: An id as the bank schema allows it (``#/$defs/id``): kept as it is when a source gives one.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}")


def is_valid_id(text: str) -> bool:
    return _VALID_ID.fullmatch(text or "") is not None


def topic_id(name: str) -> str:
    """A topic id from a category name: the name when it is a valid id, else its slug."""
    name = (name or "").strip()
    return name if is_valid_id(name) else (slugify(name) or "topic")


def choice_ids(wanted: list[Optional[str]]) -> tuple[list[str], frozenset[str], list[str]]:
    """Ids for a question's choices from the ids its source gave (None where it gave none).

    Returns (ids, the given ids that were kept, the given ids that could not be: not a valid
    id, or given twice).  A choice without a usable id gets ``c<position>``, or the next free
    ``c<n>``, never an id another choice of the question has.
    """
    kept: list[Optional[str]] = []
    refused: list[str] = []
    for cid in wanted:
        if cid is not None and is_valid_id(cid) and cid not in kept:
            kept.append(cid)
        else:
            if cid is not None:
                refused.append(cid)
            kept.append(None)
    taken = {cid for cid in kept if cid is not None}
    ids: list[str] = []
    for n, cid in enumerate(kept, start=1):
        if cid is None:
            cid, extra = f"c{n}", n
            while cid in taken:
                extra += 1
                cid = f"c{extra}"
            taken.add(cid)
        ids.append(cid)
    return ids, frozenset(c for c in kept if c is not None), refused


class IdAllocator:
    """Unique question ids from names: ``name``, ``name-2``, ``name-3`` ..."""

    def __init__(self, taken: set[str] | None = None, prefix: str = "q") -> None:
        self.taken = set(taken or ())
        self.prefix = prefix
        self.counter = 0
        self._suffix: dict[str, int] = {}  # next "-n" to try per base: no quadratic search

    def allocate(self, name: str = "") -> str:
        self.counter += 1
        if is_valid_id(name):
            base = name
        else:
            base = slugify(name) or f"{self.prefix}{self.counter}"
        if not base[0].isalnum():
            base = f"{self.prefix}{base}"
        def numbered(n: int) -> str:  # within the schema's 80 characters
            return base if n == 1 else f"{base[:79 - len(str(n))]}-{n}"

        n = self._suffix.get(base, 1)
        candidate = numbered(n)
        while candidate in self.taken:
            n += 1
            candidate = numbered(n)
        self._suffix[base] = n
        self.taken.add(candidate)
        return candidate


def check_size(data: bytes | str) -> None:
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise UserFacingError(N_("The file is too large ({size} bytes; at most {limit})."),
                              size=size, limit=MAX_IMPORT_BYTES)


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UserFacingError(N_("The file is not UTF-8 text."), path=f"line {line}") from exc


_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse untrusted XML safely: no DTDs, no entity expansion, no network, bounded size.

    A DOCTYPE or ENTITY declaration is refused outright (XXE and billion-laughs protection).
    """
    check_size(data)
    text = decode(data)
    match = _DTD.search(text)
    if match:
        line = text[:match.start()].count("\n") + 1
        raise UserFacingError(
            N_("The file contains a DOCTYPE or ENTITY declaration, which is not allowed."),
            path=f"line {line}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        # Encode so an XML declaration with an encoding attribute is accepted.
        root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8"),
                                parser)
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (exc.lineno or 0, 0))
        raise UserFacingError(N_("The XML is not well-formed: {detail}."),
                              path=f"line {line}, column {column}",
                              detail=_clean_xml_message(str(exc.msg or exc))) from exc
    if root is None:
        raise UserFacingError(N_("The file is empty."), path="line 1")
    return root


def _clean_xml_message(message: str) -> str:
    message = message.split(" (line")[0]
    return re.sub(r",? line \d+, column \d+\.?$", "", message).strip()


def where(el: etree._Element, *attrs: str) -> str:
    """``line N, <tag attr="...">`` for messages."""
    shown = " ".join(f'{a}="{el.get(a)}"' for a in attrs if el.get(a) is not None)
    tag = etree.QName(el).localname if isinstance(el.tag, str) else "?"
    return f"line {el.sourceline}, <{tag}{' ' + shown if shown else ''}>"


def inner_html(el: etree._Element, skip: tuple[str, ...] = ()) -> str:
    """The element's content as an HTML/XML string, leaving out child elements in ``skip``."""
    parts = [escape(el.text or "", quote=False)]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(escape(child.tail or "", quote=False))
            continue
        if etree.QName(child).localname in skip:
            parts.append(escape(child.tail or "", quote=False))
            continue
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def plain_text(html_or_text: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (comparisons, slugs, reports)."""
    try:
        frag = etree.fromstring(f"<div>{html_or_text}</div>",
                                etree.XMLParser(recover=True, resolve_entities=False,
                                                no_network=True, load_dtd=False))
        text = "".join(frag.itertext()) if frag is not None else html_or_text
    except etree.XMLSyntaxError:
        text = re.sub(r"<[^>]+>", " ", html_or_text)
    return re.sub(r"\s+", " ", text).strip()


def problem(position: str, message: str, question: str = "", kind: str = SKIPPED,
            **params: Any) -> ImportProblem:
    return ImportProblem(position, message, params, question, kind)


def too_many_choices(count: int, position: str, question: str, result: ImportResult) -> bool:
    """Record a skipped question with more than :data:`MAX_CHOICES` choices."""
    if count <= MAX_CHOICES:
        return False
    result.problems.append(problem(position, N_("The question has {count} choices; at most "
                                                "{limit} are allowed. Not imported."), question,
                                   count=count, limit=MAX_CHOICES))
    return True


def _texts(question: Question):
    for text in (question.prompt, question.scenario, question.explanation):
        if text:
            yield from ([text] if isinstance(text, str) else text.values())
    for choice in question.choices:
        for text in (choice.text, choice.feedback):
            if text:
                yield from ([text] if isinstance(text, str) else text.values())


def _visible(text, text_format: str) -> bool:
    """Does the text show anything (words or an image)?  A plain text shows what it says,
    "<" and "&" too."""
    text = text if isinstance(text, str) else " ".join((text or {}).values())
    if text_format != HTML or ("<" not in text and "&" not in text):
        return bool(text.strip())
    return bool(plain_text(text)) or "<img" in text


_SCHEMA_ID = _VALID_ID


def _fits_schema(question: Question) -> bool:
    """The bank schema's rules for one question, for the shapes importers build."""
    texts = (question.prompt, question.scenario, question.explanation,
             *(c.text for c in question.choices), *(c.feedback for c in question.choices))
    return (question.type in QUESTION_TYPES and question.text_format in TEXT_FORMATS
            and (question.scoring is None or question.scoring in SCORING_RULES)
            and _SCHEMA_ID.fullmatch(question.id) is not None
            and all(_SCHEMA_ID.fullmatch(c.id) for c in question.choices)
            and 2 <= len(question.choices) <= MAX_CHOICES and len(question.topic) <= 80
            and all(t is None or isinstance(t, str) for t in texts)
            and len(question.tags) == len(set(question.tags)))


def add_question(result: ImportResult, question: Question, position: str,
                 label: str = "", given_choice_ids: frozenset[str] = frozenset()) -> bool:
    """Add an imported question, or report per question why the bank cannot hold it.

    Checks the question against the bank's own rules here, where its line or element is
    known, so one over-long text or empty choice skips that question (reported) instead of
    failing the whole import later.  Tags are tidied (unique, at most 20 of 60 characters).
    """
    from competency_xblock.quiz_engine.bank import (
        question_to_dict,
        semantic_problems,
        validate_bank,
    )

    tags = []
    for tag in question.tags:
        tag = tag.strip()[:MAX_TAG_LENGTH].strip()
        if tag and tag not in tags and len(tags) < MAX_TAGS:
            tags.append(tag)
    if tuple(tags) != question.tags:
        question = replace(question, tags=tuple(tags))
    longest = max((len(text) for text in _texts(question)), default=0)
    if longest > MAX_TEXT_LENGTH:
        result.problems.append(problem(
            position, N_("A text of the question is too long ({length} characters; at most "
                         "{limit}). Not imported."), label, length=longest,
            limit=MAX_TEXT_LENGTH))
        return False
    if not _visible(question.prompt, question.text_format):
        result.problems.append(problem(position, N_("The question has no text; not imported."),
                                       label))
        return False
    if not all(_visible(choice.text, question.text_format) for choice in question.choices):
        result.problems.append(problem(position, N_("A choice has no text; not imported."),
                                       label))
        return False
    data = {"questions": [question_to_dict(question)]}
    # The full schema check costs about a millisecond per question; run it only when the
    # cheap look at the shape finds something the schema would refuse (for the message).
    found = semantic_problems(data) if _fits_schema(question) else validate_bank(data)
    if found:
        result.problems.append(problem(
            position, N_("The question does not meet the question bank's rules ({detail}); "
                         "not imported."), label, detail=found[0]))
        return False
    result.questions.append(question)
    result.positions[question.id] = position
    if given_choice_ids:
        result.given_choice_ids[question.id] = frozenset(given_choice_ids)
    limit_questions(result, position)
    return True


def limit_questions(result: ImportResult, position: Optional[str] = None) -> None:
    if len(result.questions) > MAX_IMPORT_QUESTIONS:
        raise UserFacingError(N_("The file has more than {limit} questions."), path=position,
                              limit=MAX_IMPORT_QUESTIONS)
