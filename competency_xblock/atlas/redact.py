"""Personal identifiers out of the atlas search text that the blocks keep or send.

Staff practise with real cases, so a query may hold a citizen's CPR number, e-mail address
or phone number ("borger 010190-1234 flytning").  The search itself uses the query as typed
(it is not kept); every copy that outlives the request - the learner's exercise progress,
the gap log and the staff's candidate søgeord, the xAPI statement - gets :func:`redact`'s
text, where each identifier is a placeholder.  The placeholders stay in: "[cpr]" among the
staff's candidate søgeord shows that learners search by CPR number, a training need in itself.

Names cannot be recognised reliably and are left as typed (docs/privacy.rst says so).

The patterns are deliberately wide where a false match costs nothing (any ten digits count as
a CPR number: no service is searched for by one) and narrow where it would hide real search
words: a KLE number ("23.05.04", "230504", "23 05 04") never has eight or ten digits, and two
years ("2023 2024") are not a phone number.
"""
from __future__ import annotations

import re

CPR = "[cpr]"
EMAIL = "[e-mail]"
PHONE = "[telefon]"

_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Six digits (the birth date), an optional dash or space, four digits; not inside a longer
# number.  ``\d`` would also take other scripts' digits: only 0-9 are meant.
_CPR_RE = re.compile(r"(?<![0-9])[0-9]{6}[ \t]?[-\u2010\u2011\u2012\u2013\u2212]?[ \t]?"
                     r"[0-9]{4}(?![0-9])")
# A Danish number: eight digits, optionally +45/0045 first, written whole or in groups of two
# or four.
_PHONE_RE = re.compile(r"(?<![0-9+])(?:(?:\+|00)45[ \t-]?)?"
                       r"(?:[0-9]{8}|[0-9]{4}[ \t-][0-9]{4}|[0-9]{2}(?:[ \t-][0-9]{2}){3})"
                       r"(?![0-9])")
_YEARS_RE = re.compile(r"^(?:19|20)[0-9]{2}[ \t-](?:19|20)[0-9]{2}$")


def redact(text: str) -> str:
    """``text`` with CPR numbers, e-mail addresses and Danish phone numbers replaced."""
    if not text or not any(c.isdigit() or c == "@" for c in text):
        return text  # the common case: words only, nothing to look for
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _CPR_RE.sub(CPR, text)
    return _PHONE_RE.sub(_phone, text)


def _phone(match: re.Match) -> str:
    return match.group(0) if _YEARS_RE.match(match.group(0)) else PHONE


def has_identifier(text: str) -> bool:
    """Whether :func:`redact` would change ``text``."""
    return redact(text) != text
