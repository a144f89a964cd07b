"""The sponsorship terms' rules: one statement, used by the admin form, the listings service and
the CSV import (the database's CHECK constraints hold the same)."""

from datetime import date

import pytest

from portal.models import DB_INT_MAX, MAX_BID_CENTS, SponsorshipTerms

START = date(2026, 1, 1)


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
