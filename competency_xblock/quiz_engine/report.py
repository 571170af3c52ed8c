"""Rows for the LMS Problem Responses report: one row per learner and submitted attempt.

Columns are positional ("Question 1", "Question 1 answer", "Question 1 correct", ...) because
every attempt draws different questions; the question column names the question id and prompt
so a reader can group by it.

Stored state that cannot be read (see ``attempts.read_state``) never fails the report: an
attempt whose result cannot be read gets a row with its number, empty score columns and why
in the column ``text.UNREADABLE_COLUMN``; a learner whose attempts cannot be read at all gets
one such row without an attempt number.  No score or answer is ever made up for them.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, Optional

from competency_xblock.quiz_engine.attempts import read_state
from competency_xblock.quiz_engine.importers.common import plain_text
from competency_xblock.quiz_engine.model import HTML, Bank
from competency_xblock.text import N_, UNREADABLE_COLUMN, pick_language

ATTEMPT_UNREADABLE = N_("The stored record of this attempt cannot be read: no score or "
                        "answers are shown for it.")
STATE_UNREADABLE = N_("This learner's stored attempts cannot be read: no score or answers "
                      "are shown. Staff can reset the learner's state.")


def _identity(text: str) -> str:
    return text


def attempt_rows(bank: Bank, state: Any, lang: Optional[str] = None,
                 gettext: Callable[[str], str] = _identity) -> Iterator[OrderedDict]:
    """One ordered row per submitted attempt in ``state`` (see ``attempts``); never raises
    on stored state that cannot be read (it is marked, see above)."""
    _ = gettext
    yes, no = _(N_("yes")), _(N_("no"))
    read = read_state(state)
    if not read.readable:
        yield _marked(_, "", STATE_UNREADABLE)
        return
    for stored in read.attempts:
        result = stored.result
        if result is None:
            yield _marked(_, stored.number, ATTEMPT_UNREADABLE)
            continue
        row: OrderedDict[str, Any] = OrderedDict()
        row[_(N_("Attempt"))] = stored.number
        row[_(N_("Score"))] = result.earned
        row[_(N_("Possible"))] = result.possible
        row[_(N_("Percent"))] = result.percent
        row[_(N_("Passed"))] = yes if result.passed else no
        for n, qres in enumerate(result.questions, start=1):
            question = bank.question(qres.question_id)
            if question is None:
                prompt, answer = _(N_("(question withdrawn)")), ""
            else:
                # A report is a spreadsheet: HTML texts (imports) are given as their plain text.
                text = plain_text if question.text_format == HTML else _identity
                prompt = text(pick_language(question.prompt, lang))
                # A choice the author removed after the submit is named, never left out.
                answer = " | ".join(
                    text(pick_language(choice.text, lang))
                    if (choice := question.choice(cid)) is not None
                    else _(N_("(removed choice {id})")).format(id=cid)
                    for cid in qres.selected)
            row[_(N_("Question {n}")).format(n=n)] = f"{qres.question_id}: {prompt}"
            row[_(N_("Question {n} answer")).format(n=n)] = answer
            row[_(N_("Question {n} correct")).format(n=n)] = yes if qres.correct else no
        yield row


def _marked(_: Callable[[str], str], number: Any, note: str) -> OrderedDict:
    """The row of a record that cannot be read: its number, no score, why."""
    return OrderedDict([(_(N_("Attempt")), number), (_(N_("Score")), ""),
                        (_(N_("Possible")), ""), (_(N_("Percent")), ""), (_(N_("Passed")), ""),
                        (_(UNREADABLE_COLUMN), _(note))])
