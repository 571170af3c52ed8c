"""xAPI statements as report input: from a JSON-lines file or from an LRS, page by page.

The statements are the ones :mod:`competency_xblock.xapi.statements` builds (directly or
through event-routing-backends): self-ratings (``answered``, likert, ``/competency/<id>``),
quiz answers (``/question/<id>``), atlas searches (``searched``) and referrals
(``/task/<id>``).  Other statements are counted and skipped.

Statements are events, not snapshots: a learner who reassessed has two ratings per
competence.  :class:`StatementFolder` therefore keeps, per learner and competence, only the
latest rating and the gap of the one before (for "change"), per learner and practice case a
few counters, and quiz answers of recent attempts until the attempt is complete.  That is
memory per learner, never per statement; the statements themselves stream.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit

from competency_xblock.reports import levels
from competency_xblock.reports.atlas import ScenarioOutcome, SearchGap
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.reports.gaps import Rating
from competency_xblock.reports.items import Attempt, Response
from competency_xblock.reports.lms import Sink
from competency_xblock.text import N_, pick_language
from competency_xblock.xapi import vocabulary as v

XAPI_VERSION = "1.0.3"
PAGE_SIZE = 500
MAX_PAGES = 100_000
#: Quiz attempts held open at once while their answers arrive (oldest completed first).
OPEN_ATTEMPTS = 5000
DELIMITER = "[,]"
ANSWER_VERBS = {v.VERB_ANSWERED, v.VERB_EVALUATED}
SUBMITTED = {v.VERB_PASSED, v.VERB_FAILED, v.VERB_COMPLETED}


# ---- reading -------------------------------------------------------------------------------
def read_jsonl(path: str, on_progress: Callable[[int], None] | None = None
               ) -> Iterator[dict]:
    """Statements from a file with one JSON statement per line (an LRS page per line works
    too).  Blank lines are skipped; anything else that is not a JSON object is an error."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        number = 0
        for number, raw in enumerate(handle, start=1):  # noqa: B007 - used after the loop
            text = _decode(raw, path, number).lstrip("\ufeff").strip()
            if not text:
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ReportInputError(N_("This line is not valid JSON ({detail})."), path,
                                       line=number, column=str(exc.colno),
                                       detail=exc.msg) from exc
            if isinstance(data, Mapping) and isinstance(data.get("statements"), list):
                yield from (s for s in data["statements"] if isinstance(s, Mapping))
            elif isinstance(data, Mapping):
                yield data
            else:
                raise ReportInputError(N_("This line is not an xAPI statement (a JSON "
                                          "object)."), path, line=number)
            if on_progress is not None and number % 2048 == 0:
                on_progress(handle.tell())
        if on_progress is not None:
            on_progress(size)


def _decode(raw: bytes, path: str, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportInputError(N_("The text is not UTF-8 (byte {byte} cannot be read)."), path,
                               line=number, column=str(exc.start + 1),
                               byte=f"0x{raw[exc.start]:02X}") from exc


def public_url(url: str) -> str:
    """``url`` without user name and password (for messages and report footers)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def statements_url(endpoint: str) -> str:
    base = endpoint.rstrip("/")
    return base if base.endswith("/statements") else base + "/statements"


def read_lrs(endpoint: str, username: str = "", password: str = "", *,
             since: str | None = None, until: str | None = None, activity: str | None = None,
             page_size: int = PAGE_SIZE, timeout: float = 30.0,
             on_progress: Callable[[int], None] | None = None,
             opener: Callable | None = None) -> Iterator[dict]:
    """Every statement the LRS returns for the query, following ``more`` links page by page
    (GET /statements, xAPI 1.0.3, HTTP Basic auth).  One page is in memory at a time."""
    credentials = urlsplit(endpoint)
    if credentials.username and not (username or password):  # https://user:pass@lrs/xAPI/
        username = unquote(credentials.username)
        password = unquote(credentials.password or "")
    url = statements_url(public_url(endpoint))
    params = {"limit": str(page_size)}
    if since:
        params["since"] = since
    if until:
        params["until"] = until
    if activity:
        params.update(activity=activity, related_activities="true")
    next_url: str | None = url + "?" + urlencode(params)
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
    if username or password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        headers["Authorization"] = "Basic " + token
    open_url = opener or urllib.request.urlopen
    shown = url
    seen: set[str] = set()
    count = pages = 0
    while next_url:
        if next_url in seen or pages >= MAX_PAGES:
            raise ReportInputError(N_("The LRS keeps sending the same page (\"more\" points "
                                      "back to {more})."), shown, more=public_url(next_url))
        seen.add(next_url)
        pages += 1
        page = _get_page(open_url, next_url, headers, timeout, shown, pages)
        statements = page.get("statements")
        if not isinstance(statements, list):
            raise ReportInputError(N_("The LRS answer has no list of statements (page "
                                      "{page})."), shown, page=pages)
        for statement in statements:
            if isinstance(statement, Mapping):
                count += 1
                yield statement
        if on_progress is not None:
            on_progress(count)
        more = page.get("more") or ""
        next_url = urljoin(url, more) if more else None


def _get_page(open_url: Callable, page_url: str, headers: dict, timeout: float, url: str,
              page: int) -> dict:
    request = urllib.request.Request(page_url, headers=headers, method="GET")
    try:
        with open_url(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            message = N_("The LRS refused the user name or password (HTTP {status}).")
        else:
            message = N_("The LRS answered HTTP {status} on page {page}.")
        raise ReportInputError(message, url, status=exc.code, page=page) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ReportInputError(N_("The LRS cannot be reached ({detail})."), url,
                               detail=str(getattr(exc, "reason", exc))) from exc
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInputError(N_("The LRS answer on page {page} is not JSON."), url,
                               page=page) from exc
    if not isinstance(data, dict):
        raise ReportInputError(N_("The LRS answer has no list of statements (page {page})."),
                               url, page=page)
    return data


# ---- folding statements into records ---------------------------------------------------------
def actor_name(actor: Mapping) -> str:
    """The actor's inverse functional identifier as one string (hashed before use)."""
    account = actor.get("account") or {}
    if isinstance(account, Mapping) and account.get("name"):
        return f"account:{account.get('homePage', '')}|{account['name']}"
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if actor.get(key):
            return f"{key}:{actor[key]}"
    return "anonymous"


def _ext(part: Mapping | None, iri: str):
    if not isinstance(part, Mapping):
        return None
    extensions = part.get("extensions")
    return extensions.get(iri) if isinstance(extensions, Mapping) else None


def _segment(object_id: str, marker: str) -> tuple[str, str]:
    """(block IRI, id) for ``<block>/<marker>/<id>``."""
    head, _sep, tail = object_id.rpartition(f"/{marker}/")
    return head, unquote(tail)


def _text(value, language: str) -> str:
    if isinstance(value, Mapping):
        return pick_language({str(k).split("-")[0]: str(t) for k, t in value.items()},
                             language)
    return str(value or "")


@dataclass(slots=True)
class _Latest:
    when: str
    submission: str
    role: str
    rating: Rating
    previous_when: str = ""
    previous_gap: int | None = None
    previous_role: str = ""


@dataclass(slots=True)
class _Case:
    prompt: str = ""
    attempts: int = 0
    searches: int = 0
    last_attempt: int = 0
    final_correct: bool | None = None
    solved: bool = False
    wrong: dict = field(default_factory=dict)


@dataclass
class FoldStats:
    statements: int = 0
    used: int = 0
    skipped: int = 0


class StatementFolder:
    """Turns statements into the records the accumulators take; call :meth:`finish` last."""

    def __init__(self, sink: Sink, hasher: Callable[[str], int], language: str = "en",
                 block_filter: str | None = None) -> None:
        self.sink = sink
        self.hasher = hasher
        self.language = language
        self.block_filter = (block_filter or "").casefold()
        self.ratings: dict[tuple[int, str, str], _Latest] = {}
        self.attempts: OrderedDict[tuple[int, str, int], Attempt] = OrderedDict()
        self.cases: dict[tuple[int, str, str], _Case] = {}
        self.stats = FoldStats()
        self._strings: dict[str, str] = {}
        self._intern = self._strings.setdefault
        self._tokens: dict[str, levels.Token] = {}
        self._anchored: set[tuple[str, str, int]] = set()

    def add(self, statement: Mapping) -> None:
        self.stats.statements += 1
        try:
            used = self._add(statement)
        except (TypeError, ValueError, AttributeError, KeyError):
            used = False  # not one of ours, or malformed: counted, not fatal
        if used:
            self.stats.used += 1
        else:
            self.stats.skipped += 1

    def _add(self, s: Mapping) -> bool:
        verb = (s.get("verb") or {}).get("id", "")
        obj = s.get("object") or {}
        object_id = str(obj.get("id", ""))
        if self.block_filter and self.block_filter not in object_id.casefold():
            return False
        definition = obj.get("definition") or {}
        learner = self.hasher(actor_name(s.get("actor") or {}))
        when = str(s.get("timestamp", ""))
        if verb == v.VERB_SEARCHED:
            return self._searched(s, learner, object_id)
        if verb not in ANSWER_VERBS:
            return False
        if "/competency/" in object_id and definition.get("interactionType") == "likert":
            return self._rated(s, learner, object_id, definition, when)
        if "/question/" in object_id:
            return self._answered(s, learner, object_id, definition)
        if "/task/" in object_id:
            return self._referred(s, learner, object_id, definition)
        return False

    # ---- self-ratings ----------------------------------------------------------------------
    def _rated(self, s: Mapping, learner: int, object_id: str, definition: Mapping,
               when: str) -> bool:
        # One small record per learner and competence is kept until the end; the texts in
        # it are shared (interned), so 100,000 statements cost a few MB, not a copy of each.
        intern = self._intern
        block, comp = _segment(object_id, "competency")
        block, comp = intern(block, block), intern(comp, comp)
        result = s.get("result") or {}
        context = s.get("context") or {}
        scale = self.sink.scale
        labels: dict[str, str] = {}
        for rank, level in enumerate(definition.get("scale") or [], start=1):
            lid = str(level.get("id", ""))
            text = _text(level.get("description"), self.language) or lid
            labels[lid] = text
            if scale is not None and lid and (lid, text, rank) not in self._anchored:
                self._anchored.add((lid, text, rank))
                scale.anchor(levels.level_id(lid), rank)
                scale.anchor(levels.label(text), rank)
        response = result.get("response")
        unknown = bool(_ext(result, v.EXT_LEVEL_UNKNOWN)) or not response
        gap = None if unknown else _ext(result, v.EXT_LEVEL_GAP)
        expected = _ext(context, v.EXT_EXPECTED_LEVEL)
        role = str(_ext(context, v.EXT_ROLE) or "")
        submission = str(_ext(context, v.EXT_SUBMISSION_ID) or when)
        if scale is not None:
            self_rank = _ext(result, v.EXT_SELF_LEVEL_RANK)
            expected_rank = _ext(context, v.EXT_EXPECTED_LEVEL_RANK)
            if response and isinstance(self_rank, int):
                scale.anchor(self._token(str(response)), self_rank)
            if expected and isinstance(expected_rank, int):
                scale.anchor(self._token(str(expected)), expected_rank)
        title = _text(definition.get("name"), self.language)
        self_label = "" if gap is None else labels.get(str(response), str(response))
        expected_label = labels.get(str(expected), str(expected or ""))
        rating = Rating(
            learner=learner, role=intern(role, role), unit="", competence_id=comp,
            competence=intern(title, title), area="",
            self_level=None if gap is None else self._token(str(response)),
            expected_level=self._token(str(expected)) if expected else None,
            gap=int(gap) if gap is not None else None,
            self_label=intern(self_label, self_label),
            expected_label=intern(expected_label, expected_label))
        when, submission = intern(when, when), intern(submission, submission)
        key = (learner, block, comp)
        latest = self.ratings.get(key)
        if latest is None:
            self.ratings[key] = _Latest(when, submission, rating.role, rating)
        elif submission == latest.submission:
            pass  # the same statement twice (an LRS may store duplicates)
        elif _later(when, latest.when):
            self.ratings[key] = _Latest(when, submission, rating.role, rating,
                                        previous_when=latest.when,
                                        previous_gap=latest.rating.gap,
                                        previous_role=latest.role)
        elif not latest.previous_when or _later(when, latest.previous_when):
            latest.previous_when, latest.previous_gap = when, rating.gap
            latest.previous_role = rating.role
        return True

    def _token(self, level: str) -> levels.Token:
        token = self._tokens.get(level)
        if token is None:
            token = self._tokens[level] = levels.level_id(level)
        return token

    # ---- quiz ------------------------------------------------------------------------------
    def _answered(self, s: Mapping, learner: int, object_id: str, definition: Mapping
                  ) -> bool:
        block, qid = _segment(object_id, "question")
        result = s.get("result") or {}
        context = s.get("context") or {}
        number = _ext(context, v.EXT_ATTEMPT_ID)
        number = int(number) if number is not None else 1
        choices = {str(c.get("id")): _text(c.get("description"), self.language) or
                   str(c.get("id")) for c in definition.get("choices") or []}
        picked = [p for p in str(result.get("response") or "").split(DELIMITER) if p]
        response = Response(qid, _text(definition.get("description"), self.language),
                            bool(result.get("success")),
                            tuple(choices.get(p, p) for p in picked))
        key = (learner, block, number)
        attempt = self.attempts.get(key)
        if attempt is None:
            parents = (context.get("contextActivities") or {}).get("parent") or []
            title = _text(((parents[0] if parents else {}).get("definition") or {})
                          .get("name"), self.language)
            criterion = (self.sink.criterion(learner) if self.sink.criterion is not None
                         else None)
            attempt = self.attempts[key] = Attempt(learner, block, title, number, [],
                                                   criterion)
            if len(self.attempts) > OPEN_ATTEMPTS:
                self._emit_attempt(self.attempts.popitem(last=False)[1])
        if all(r.question_id != qid for r in attempt.responses):
            attempt.responses.append(response)
        return True

    def _emit_attempt(self, attempt: Attempt) -> None:
        if self.sink.attempt is not None and attempt.responses:
            self.sink.attempt(attempt)

    # ---- atlas -----------------------------------------------------------------------------
    def _searched(self, s: Mapping, learner: int, object_id: str) -> bool:
        result = s.get("result") or {}
        context = s.get("context") or {}
        block = object_id.rsplit("/atlas", 1)[0]
        parents = (context.get("contextActivities") or {}).get("parent") or []
        scenario = ""
        if parents and "/task/" in str(parents[0].get("id", "")):
            scenario = _segment(str(parents[0]["id"]), "task")[1]
            self._case(learner, block, scenario).searches += 1
        hits = _ext(result, v.EXT_RESULT_COUNT)
        if hits == 0 and self.sink.gap is not None and result.get("response"):
            self.sink.gap(SearchGap(learner, "no_hits", str(result["response"]), scenario))
        return True

    def _case(self, learner: int, block: str, scenario: str) -> _Case:
        case = self.cases.get((learner, block, scenario))
        if case is None:
            case = self.cases[(learner, block, scenario)] = _Case()
        return case

    def _referred(self, s: Mapping, learner: int, object_id: str, definition: Mapping
                  ) -> bool:
        block, scenario = _segment(object_id, "task")
        result = s.get("result") or {}
        context = s.get("context") or {}
        case = self._case(learner, block, scenario)
        case.prompt = case.prompt or _text(definition.get("name"), self.language)
        number = int(_ext(context, v.EXT_ATTEMPT_ID) or case.attempts + 1)
        correct = bool(result.get("success"))
        picked = str(result.get("response") or "")
        case.attempts += 1
        if number >= case.last_attempt:
            case.last_attempt, case.final_correct = number, correct
        if correct:
            case.solved = True
        elif picked:
            labels = {str(c.get("id")): _text(c.get("description"), self.language)
                      for c in definition.get("choices") or []}
            case.wrong[picked] = labels.get(picked, "")
            if labels.get(picked):
                self.sink.pick_labels.setdefault(picked, labels[picked])
        return True

    # ---- end -------------------------------------------------------------------------------
    def finish(self) -> FoldStats:
        while self.attempts:
            self._emit_attempt(self.attempts.popitem(last=False)[1])
        if self.sink.rating is not None:
            for latest in self.ratings.values():
                rating = latest.rating
                if (latest.previous_gap is not None and rating.gap is not None
                        and latest.previous_role == latest.role):
                    rating.previous = ("gap", latest.previous_gap)
                self.sink.rating(rating)
        self.ratings.clear()
        if self.sink.outcome is not None:
            for (learner, block, scenario), case in self.cases.items():
                self.sink.outcome(ScenarioOutcome(
                    learner=learner, block=block, scenario=scenario, prompt=case.prompt,
                    attempts=case.attempts, searches=case.searches, solved=case.solved,
                    final_correct=case.final_correct if case.attempts else None,
                    wrong_picks=tuple(case.wrong)))
        self.cases.clear()
        return self.stats


def _later(a: str, b: str) -> bool:
    """Is timestamp ``a`` after ``b``?  (ISO 8601; ours always end in Z.)"""
    from datetime import datetime

    def parse(text: str):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None

    pa, pb = parse(a), parse(b)
    if pa is not None and pb is not None and pa.tzinfo is not None and pb.tzinfo is not None:
        return pa > pb
    return a > b
