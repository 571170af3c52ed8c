"""Rows for the LMS Problem Responses report: one row per learner and submitted attempt.

Columns are positional ("Question 1", "Question 1 answer", "Question 1 correct", ...) because
every attempt draws different questions; the question column names the question id and prompt
so a reader can group by it.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Optional

from competency_xblock.quiz_engine.importers.common import plain_text
from competency_xblock.quiz_engine.model import HTML, Bank
from competency_xblock.quiz_engine.scoring import AttemptResult
from competency_xblock.text import N_, pick_language


def _identity(text: str) -> str:
    return text


def attempt_rows(bank: Bank, state: Optional[Mapping[str, Any]], lang: Optional[str] = None,
                 gettext: Callable[[str], str] = _identity) -> Iterator[OrderedDict]:
    """One ordered row per submitted attempt in ``state`` (see ``attempts``)."""
    _ = gettext
    yes, no = _(N_("yes")), _(N_("no"))
    for record in (state or {}).get("attempts", []):
        result = AttemptResult.from_dict(record["result"])
        row: OrderedDict[str, Any] = OrderedDict()
        row[_(N_("Attempt"))] = record["number"]
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
