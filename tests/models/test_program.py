"""The sponsorship terms' and the listing details' rules: one statement each, used by the admin
forms, the listings service and the CSV import (the database's CHECK constraints hold the
same where a constraint can)."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    DB_INT_MAX,
    MAX_BID_CENTS,
    MAX_TUITION_CENTS,
    Program,
    SponsorshipTerms,
    program_details,
)
from tests.support.factories import make_program

START = date(2026, 1, 1)
URL_MESSAGE = "Use a web address starting with http:// or https:// (at most 500 characters)."


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({}, {}),
        ({"bid_cents": 0, "daily_cap": 0, "monthly_cap": DB_INT_MAX}, {}),
        ({"bid_cents": MAX_BID_CENTS}, {}),
        ({"bid_cents": -1}, {"bid_cents": "Use an amount from 0 to 1000000."}),
        ({"bid_cents": MAX_BID_CENTS + 1}, {"bid_cents": "Use an amount from 0 to 1000000."}),
        ({"daily_cap": -3}, {"daily_cap": f"Use a whole number from 0 to {DB_INT_MAX}."}),
        (
            {"monthly_cap": DB_INT_MAX + 1},
            {"monthly_cap": f"Use a whole number from 0 to {DB_INT_MAX}."},
        ),
        ({"ends_on": START}, {}),
        (
            {"ends_on": date(2025, 12, 31)},
            {"ends_on": "The end date must not be before the start date."},
        ),
    ],
)
def test_terms_name_each_broken_rule_by_field(changes, problems):
    terms = SponsorshipTerms(**({"bid_cents": 2500, "starts_on": START} | changes))
    assert terms.problems() == problems


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ({}, {}),
        ({"tuition_min_cents": 0}, {}),
        ({"tuition_min_cents": 1_240_000, "tuition_max_cents": 1_240_000}, {}),
        ({"tuition_min_cents": MAX_TUITION_CENTS, "tuition_max_cents": MAX_TUITION_CENTS}, {}),
        ({"tuition_min_cents": -1}, {"tuition_min_cents": "Use an amount from 0 to 1,000,000."}),
        (
            {"tuition_max_cents": 500},
            {"tuition_max_cents": "Give the lowest tuition too (or only that one)."},
        ),
        (
            {"tuition_min_cents": 900, "tuition_max_cents": 800},
            {"tuition_max_cents": "Use an amount from the lowest tuition up to 1,000,000."},
        ),
        ({"schedule": ("evenings", "full_time")}, {}),
        (
            {"schedule": ("nights",)},
            {
                "schedule": "Use only full_time, part_time, evenings, weekends, self_paced "
                "(not nights)."
            },
        ),
        ({"next_start_dates": [date(2027, 1, n) for n in range(1, 7)]}, {}),
        (
            {"next_start_dates": [date(2027, 1, n) for n in range(1, 8)]},
            {"next_start_dates": "Give at most 6 start dates."},
        ),
        ({"accreditation": "A" * 201}, {"accreditation": "Use at most 200 characters."}),
        ({"program_url": "https://school.example/programs/moa?x=1"}, {}),
        ({"program_url": "HTTP://School.Example"}, {}),
        *[
            ({"program_url": url}, {"program_url": URL_MESSAGE})
            for url in (
                "school.example",
                "javascript:alert(1)",
                "https://",
                "https://localhost",
                "https://school.example/a b",
                "ftp://school.example",
                "https://school.example/" + "x" * 500,
            )
        ],
    ],
)
def test_details_name_each_broken_rule_by_field(values, problems):
    assert program_details(**values).problems() == problems


def test_details_are_kept_in_canonical_form():
    found = program_details(
        schedule=["weekends", "full_time", "weekends"],
        next_start_dates=[date(2027, 3, 1), date(2027, 1, 4), date(2027, 3, 1)],
        accreditation="  ",
        program_url=" https://school.example ",
    )
    assert found.schedule == ("full_time", "weekends")
    assert found.next_start_dates == (date(2027, 1, 4), date(2027, 3, 1))
    assert found.accreditation is None and found.program_url == "https://school.example"


@pytest.mark.parametrize(
    "values",
    [
        {"tuition_max_cents": 100},
        {"tuition_min_cents": 500, "tuition_max_cents": 400},
        {"tuition_min_cents": -1},
    ],
)
def test_the_database_refuses_tuition_that_breaks_the_rules(app, values):
    with app.app_context():
        program = make_program()
        for name, value in values.items():
            setattr(program, name, value)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_schedule_and_dates_are_stored_and_read_back(app):
    with app.app_context():
        program = make_program(schedule=("full_time", "evenings"))
        program.next_start_dates = (date(2027, 1, 4), date(2027, 3, 1))
        db.session.commit()
        program_id = program.id
        db.session.expunge_all()
        stored = db.session.get(Program, program_id)
        assert stored.schedule == ("full_time", "evenings")
        assert stored.next_start_dates == (date(2027, 1, 4), date(2027, 3, 1))
        assert stored.upcoming_starts(date(2027, 2, 1)) == (date(2027, 3, 1),)
        assert make_program().schedule == () and make_program().next_start_dates == ()
