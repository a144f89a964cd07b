"""How listings read: tuition, schedule, dates and durations as words and as schema.org data."""

from datetime import date

import pytest

from portal.search.presentation import (
    dollars,
    iso_duration,
    long_date,
    schedule_text,
    tuition_text,
)


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (None, None, "Contact the school"),
        (1_240_000, None, "$12,400"),
        (1_240_000, 1_240_000, "$12,400"),
        (1_240_050, 1_620_000, "$12,400.50–$16,200"),
        (0, None, "$0"),
    ],
)
def test_tuition_reads_as_people_write_it(low, high, text):
    assert tuition_text(low, high) == text


def test_dollars_keep_cents_only_when_there_are_some():
    assert (dollars(5), dollars(100), dollars(123_456_789)) == ("$0.05", "$1", "$1,234,567.89")


@pytest.mark.parametrize(
    ("codes", "text"),
    [
        ((), ""),
        (("full_time",), "Full-time"),
        (("full_time", "evenings", "weekends"), "Full-time, evenings, weekends"),
        (("self_paced", "unknown"), "Self-paced"),
    ],
)
def test_schedule_reads_as_words(codes, text):
    assert schedule_text(codes) == text


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("9 months", "P9M"),
        ("12 weeks", "P12W"),
        ("4 years", "P4Y"),
        ("1 Year", "P1Y"),
        ("10 days", "P10D"),
        ("40 hours", "PT40H"),
        ("18-24 months", None),
        ("about a year", None),
        ("", None),
    ],
)
def test_durations_become_iso_8601_where_they_can(text, duration):
    assert iso_duration(text) == duration


def test_dates_read_in_full():
    assert long_date(date(2027, 1, 4)) == "January 4, 2027"
