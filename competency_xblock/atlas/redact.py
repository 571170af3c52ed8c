"""Personal identifiers out of the atlas search text that the blocks keep or send.

Staff practise with real cases, so a query may hold a citizen's CPR number, e-mail address
or phone number ("borger 010190-1234 flytning").  The search itself uses the query as typed
(it is not kept); every copy that outlives the request - the learner's exercise progress,
the gap log and the staff's candidate søgeord, the xAPI statement - gets :func:`redact`'s
text, where each identifier is a placeholder.  The placeholders stay in: "[cpr]" among the
staff's candidate søgeord shows that learners search by CPR number, a training need in itself.

Names cannot be recognised reliably and are left as typed (docs/privacy.rst says so).

The patterns are deliberately wide where a false match costs nothing (any ten digits, however
grouped, count as a CPR number: no service is searched for by one) and narrow where it would
hide real search words: a KLE number ("23.05.04", "230504", "23 05 04") never has eight or ten
digits, two years ("2023 2024") are not a phone number, and a date ("01.01.2024") is left as
it is.
"""
from __future__ import annotations

import re
import unicodedata

from .text import INVISIBLE

CPR = "[cpr]"
EMAIL = "[e-mail]"
PHONE = "[telefon]"

#: Characters that do not show and never separate anything (atlas.text.INVISIBLE): dropped
#: before looking for identifiers, so none hides a number from the patterns below.
_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE))

_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: What people put between the groups of a number: a space, a dot, a slash or a dash
#: (maybe with spaces around it).  Only 0-9 count as digits (other scripts' digits are
#: folded to them first).
_SEP = r"(?:[ \t]*[-./\u2010\u2011\u2012\u2013\u2212][ \t]*|[ \t]+)"
_D = "[0-9]"
# A CPR number: ten digits, whole or as people group them - 6+4 ("010190-1234"), 2+2+2+4
# ("01.01.90-1234", "01 01 90 1234"), 4+2+4 ("0101 90 1234"), five pairs.  Not inside a
# longer number.
_CPR_RE = re.compile(
    rf"(?<![0-9])(?:{_D}{{6}}{_SEP}?{_D}{{4}}"
    rf"|{_D}{{2}}{_SEP}{_D}{{2}}{_SEP}{_D}{{2}}{_SEP}?{_D}{{4}}"
    rf"|{_D}{{4}}{_SEP}{_D}{{2}}{_SEP}?{_D}{{4}}"
    rf"|{_D}{{2}}(?:{_SEP}{_D}{{2}}){{4}})(?![0-9])")
# A Danish number: eight digits, whole, in fours or in pairs; maybe +45/0045 first (tried
# before the CPR pattern, so "+4512345678" is a phone number, not ten digits).
_PHONE_DIGITS = rf"(?:{_D}{{8}}|{_D}{{4}}{_SEP}{_D}{{4}}|{_D}{{2}}(?:{_SEP}{_D}{{2}}){{3}})"
_PREFIXED_PHONE_RE = re.compile(rf"(?<![0-9+])(?:\+|00)45[ \t-]?{_PHONE_DIGITS}(?![0-9])")
_PHONE_RE = re.compile(rf"(?<![0-9+]){_PHONE_DIGITS}(?![0-9])")
_YEARS_RE = re.compile(rf"^(?:19|20){_D}{{2}}{_SEP}(?:19|20){_D}{{2}}$")


def redact(text: str) -> str:
    """``text`` with CPR numbers, e-mail addresses and Danish phone numbers replaced."""
    if not text or not any(c.isdigit() or c == "@" or c == "\uff20" for c in text):
        return text  # the common case: words only, nothing to look for
    if not text.isascii():
        # "０１０１９０－１２３４", a no-break space between the groups, or an invisible
        # character inside the number (text copied from web pages and chat tools)
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE_TABLE)
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _PREFIXED_PHONE_RE.sub(PHONE, text)
    text = _CPR_RE.sub(CPR, text)
    return _PHONE_RE.sub(_phone, text)


def _phone(match: re.Match) -> str:
    return match.group(0) if _YEARS_RE.match(match.group(0)) else PHONE


def has_identifier(text: str) -> bool:
    """Whether :func:`redact` would change ``text``."""
    return redact(text) != text
