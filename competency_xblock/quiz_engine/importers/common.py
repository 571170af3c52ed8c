"""What every importer shares: the result type, per-question problems, ids, safe XML, HTML."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Any, Optional

from lxml import etree

from competency_xblock.quiz_engine.model import Question
from competency_xblock.text import N_, UserFacingError

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_QUESTIONS = 2000
#: The bank schema's limit of choices per question; a longer list is skipped before any work
#: is done on it (100,000 choices in one question cost seconds per import).
MAX_CHOICES = 20
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
        text = UserFacingError(self.message, path=self.position, **params).render(gettext)
        return f"{self.question}: {text}" if self.question else text


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)  # (id, title) in first-use order

    def __iter__(self):  # allows ``questions, problems = import_x(...)``
        return iter((self.questions, self.problems))

    @property
    def skipped(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.kind == SKIPPED]

    def add_topic(self, title: str) -> str:
        tid = slugify(title) or "topic"
        if tid not in [t for t, _ in self.topics]:
            self.topics.append((tid, title))
        return tid


def slugify(text: str, limit: int = 60) -> str:
    """An id from a name: ASCII letters, digits, ``-``; Danish letters transliterated."""
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = text.replace("Æ", "Ae").replace("Ø", "Oe").replace("Å", "Aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].strip("-")


_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,59}")


class IdAllocator:
    """Unique question ids from names: ``name``, ``name-2``, ``name-3`` ..."""

    def __init__(self, taken: set[str] | None = None, prefix: str = "q") -> None:
        self.taken = set(taken or ())
        self.prefix = prefix
        self.counter = 0

    def allocate(self, name: str = "") -> str:
        self.counter += 1
        if _VALID_ID.fullmatch(name or ""):
            base = name
        else:
            base = slugify(name) or f"{self.prefix}{self.counter}"
        if not base[0].isalnum():
            base = f"{self.prefix}{base}"
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
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


def limit_questions(result: ImportResult, position: Optional[str] = None) -> None:
    if len(result.questions) > MAX_IMPORT_QUESTIONS:
        raise UserFacingError(N_("The file has more than {limit} questions."), path=position,
                              limit=MAX_IMPORT_QUESTIONS)
