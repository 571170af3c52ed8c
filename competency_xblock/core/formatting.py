"""Dates and numbers written the way the learner's language writes them (English and Danish).

Why not Babel: the blocks run inside the LMS, which need not have Babel at run time, and two
languages need only a few rules.  Danish writes "3. december 2026" and "1.234,5"; English
writes "3 December 2026" and "1,234.5".  Dates are the calendar day of the stored UTC
timestamp, the same day the learner's own records and reports show.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
}
#: (decimal mark, thousands separator) per language.
SEPARATORS = {"en": (".", ","), "da": (",", ".")}


def _language(language: str | None) -> str:
    base = (language or "en").lower().replace("_", "-").split("-")[0]
    return base if base in MONTHS else "en"


def parse_day(value) -> date | None:
    """A date from a ``date``, a ``datetime`` or an ISO text ("2026-12-03", "...T10:00:00Z")."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_date(value, language: str | None) -> str:
    """"3 December 2026" (en) or "3. december 2026" (da); unreadable input comes back as text."""
    day = parse_day(value)
    if day is None:
        return "" if value is None else str(value)
    lang = _language(language)
    month = MONTHS[lang][day.month - 1]
    if lang == "da":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def format_datetime(value, language: str | None) -> str:
    """A moment with its UTC time: "3 December 2026, 23:59 UTC" (en), "3. december 2026 kl.
    23.59 UTC" (da; Danish writes the time with a full stop).  For deadlines, whose hour
    matters; naive datetimes are UTC.  Unreadable input comes back as text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return format_date(value, language)
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    day = format_date(moment, language)
    if _language(language) == "da":
        return f"{day} kl. {moment.hour:02d}.{moment.minute:02d} UTC"
    return f"{day}, {moment.hour:02d}:{moment.minute:02d} UTC"


def format_number(value, language: str | None, max_decimals: int = 2) -> str:
    """A number with the language's decimal mark and thousands separator.

    At most ``max_decimals`` decimals, trailing zeros dropped: 80.0 -> "80", 2.5 -> "2,5" (da),
    1234.567 -> "1,234.57" (en).  Text that is not a number is returned unchanged.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    decimal_mark, thousands = SEPARATORS[_language(language)]
    text = f"{abs(value):,.{max_decimals}f}" if max_decimals > 0 else f"{abs(round(value)):,}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    whole = whole.replace(",", thousands)
    sign = "-" if value < 0 and (whole.strip("0" + thousands) or fraction) else ""
    return f"{sign}{whole}{decimal_mark}{fraction}" if fraction else f"{sign}{whole}"
