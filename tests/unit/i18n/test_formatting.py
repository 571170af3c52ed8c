"""Dates and numbers in the learner's language (core.formatting)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from competency_xblock.core.formatting import format_date, format_datetime, format_number


@pytest.mark.parametrize(("value", "lang", "expected"), [
    ("2026-12-03T10:15:00Z", "da", "3. december 2026"),
    ("2026-12-03T10:15:00Z", "en", "3 December 2026"),
    ("2026-05-01", "da-dk", "1. maj 2026"),
    (date(2026, 3, 9), "en-us", "9 March 2026"),
    (datetime(2026, 10, 31, 23, 0), "da", "31. oktober 2026"),
    ("2026-02-01", "fr", "1 February 2026"),
])
def test_dates(value, lang, expected):
    assert format_date(value, lang) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    ("2026-12-03T23:59:00Z", "en", "3 December 2026, 23:59 UTC"),
    ("2026-12-03T23:59:00Z", "da", "3. december 2026 kl. 23.59 UTC"),
    (datetime(2026, 5, 1, 7, 5), "da-dk", "1. maj 2026 kl. 07.05 UTC"),          # naive: UTC
    (datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "en",
     "31 December 2025, 23:30 UTC"),                                             # shown in UTC
    (date(2026, 3, 9), "en", "9 March 2026"),                                    # a day only
])
def test_moments_with_their_utc_time(value, lang, expected):
    assert format_datetime(value, lang) == expected


def test_unreadable_moments_come_back_as_text():
    assert format_datetime("soon", "da") == "soon"
    assert format_datetime(None, "da") == ""


def test_unreadable_dates_come_back_as_text():
    assert format_date("soon", "da") == "soon"
    assert format_date(None, "da") == ""
    assert format_date("2026-13-45", "en") == "2026-13-45"


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (80.0, "da", "80"),
    (80.0, "en", "80"),
    (2.5, "da", "2,5"),
    (2.5, "en", "2.5"),
    (83.3333, "da", "83,33"),
    (1234.567, "en", "1,234.57"),
    (1234.567, "da", "1.234,57"),
    (1234567, "da", "1.234.567"),
    (-0.5, "da", "-0,5"),
    (-0.001, "da", "0"),
    (0, "en", "0"),
])
def test_numbers(value, lang, expected):
    assert format_number(value, lang) == expected


def test_number_options():
    assert format_number(2.25, "da", max_decimals=1) == "2,2"
    assert format_number(2.75, "en", max_decimals=0) == "3"
    assert format_number("–", "da") == "–"
    assert format_number(None, "da") == ""
    assert format_number(True, "da") == "True"
