"""SQL expressions that give the same text on SQLite and PostgreSQL: the formula rule's SQL
twin (kept equal to csv_cells by the same table of cases), E.164 phones, UTC times."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import literal, select

from portal.extensions import db
from portal.services.sql import e164_or_neutralised, neutralised, utc_day, utc_iso
from tests.services.test_csv_cells import CASES, disguised_formulas


def sql_value(expression):
    """Evaluate a SQL expression on the app's database."""
    return db.session.scalar(select(expression))


@pytest.mark.parametrize(("value", "expected"), CASES)
def test_sql_neutralised_agrees_with_python(app, value, expected):
    with app.app_context():
        assert sql_value(neutralised(literal(value))) == (expected or None)


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=disguised_formulas)
def test_sql_neutralises_formulas_followed_by_marks(app, value):
    """The SQL twin judges the characters written, as Python does (PostgreSQL's COPY)."""
    with app.app_context():
        assert sql_value(neutralised(literal(value))) == "'" + value


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+13125550100", "+13125550100"),
        ("+1 312", "'+1 312"),
        ("+", "'+"),
        ("+1+2", "'+1+2"),
        ("+12a", "'+12a"),
        ("++1", "'++1"),
        ("12+", "12+"),
        ("=1", "'=1"),
        ("3125550100", "3125550100"),
        ("", None),
    ],
)
def test_sql_phone_is_kept_only_when_e164(app, phone, expected):
    with app.app_context():
        assert sql_value(e164_or_neutralised(literal(phone))) == expected


def test_sql_times_are_utc_iso(app):
    from portal.models import Lead
    from tests.support.factories import make_lead, make_program

    with app.app_context():
        moment = datetime(2026, 11, 27, 3, 20, 7, 123456, tzinfo=UTC)
        lead = make_lead(make_program(), created_at=moment)
        query = select(utc_iso(Lead.created_at), utc_day(Lead.created_at))
        assert db.session.execute(query.where(Lead.id == lead.id)).one() == (
            "2026-11-27T03:20:07Z",
            "2026-11-27",
        )
