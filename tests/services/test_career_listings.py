"""What a career's page says of our listings: counted in the database, as a search would show
them today (active, sponsorship running), in one statement."""

from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.services.career_listings import career_listings
from tests.support.factories import make_program

TODAY = date(2026, 11, 27)
CAREER = "phlebotomist"


def listings_for_a_career():
    """Five listings of the career a search would show, and four it would not."""
    shown = [
        make_program(
            career=CAREER,
            credential_level="certificate",
            duration="12 weeks",
            tuition_min_cents=120_000,
            tuition_max_cents=300_000,
            bid_cents=4000,
            title="Phlebotomy, Chicago",
        ),
        make_program(
            career=CAREER,
            credential_level="certificate",
            duration="6 weeks",
            modality="hybrid",
            zip_code="10001",
            tuition_min_cents=90_000,
            bid_cents=6000,
            title="Phlebotomy, New York",
        ),
        make_program(
            career=CAREER,
            credential_level="certificate",
            duration="4 months",
            zip_code="99501",
            bid_cents=1000,
            title="Phlebotomy, Anchorage",
        ),
        make_program(
            career=CAREER,
            credential_level="diploma",
            duration="9 months",
            modality="online",
            states=("IL", "WI"),
            tuition_min_cents=450_000,
            tuition_max_cents=520_000,
            bid_cents=6000,
            title="Phlebotomy Online",
        ),
        make_program(
            career=CAREER,
            credential_level="diploma",
            duration="1 year",
            zip_code="60601",
            bid_cents=500,
            title="Phlebotomy Diploma",
        ),
    ]
    make_program(career=CAREER, is_active=False, zip_code="94103", tuition_min_cents=1)
    make_program(career=CAREER, ends_on=date(2026, 11, 26), zip_code="94103")
    make_program(career=CAREER, starts_on=date(2026, 12, 1), zip_code="94103")
    make_program(career="emt", zip_code="94103", tuition_min_cents=1)
    return shown


def test_a_careers_listings_are_counted_by_level_and_format(app):
    with app.app_context():
        by_title = {p.title: p.id for p in listings_for_a_career()}
        found = career_listings(CAREER, TODAY)
    assert found.total == 5
    assert [(x.level, x.count, x.shortest, x.longest) for x in found.levels] == [
        ("certificate", 3, "6 weeks", "4 months"),
        ("diploma", 2, "9 months", "1 year"),
    ]
    assert found.modalities == (("campus", 3), ("online", 1), ("hybrid", 1))
    assert (found.tuition_low_cents, found.tuition_high_cents, found.priced) == (
        90_000,
        520_000,
        3,
    )
    assert found.campus_states == ("AK", "IL", "NY")
    # Linked as a search ranks them: highest bid first, then the oldest listing.
    assert [x.program_id for x in found.linked] == [
        by_title[t]
        for t in (
            "Phlebotomy, New York",
            "Phlebotomy Online",
            "Phlebotomy, Chicago",
            "Phlebotomy, Anchorage",
            "Phlebotomy Diploma",
        )
    ]
    online = found.linked[1]
    assert (online.modality, online.campus_city, online.campus_state) == ("online", None, None)
    assert (found.linked[0].campus_city, found.linked[0].campus_state) == ("New York", "NY")


def test_at_most_the_limit_is_linked(app):
    with app.app_context():
        listings_for_a_career()
        found = career_listings(CAREER, TODAY, limit=2)
    assert found.total == 5 and len(found.linked) == 2


def test_a_career_nobody_lists_has_nothing(app):
    with app.app_context():
        listings_for_a_career()
        found = career_listings("x-ray-technician", TODAY)
    assert (found.total, found.levels, found.modalities, found.linked) == (0, (), (), ())
    assert (found.tuition_low_cents, found.tuition_high_cents, found.priced) == (None, None, 0)


def test_one_statement_reads_it_all(app):
    with app.app_context():
        listings_for_a_career()
        if db.engine.dialect.name != "sqlite":
            pytest.skip("counted on SQLite, where reads go through the engine's events")
        sent = []

        def record(conn, cursor, statement, *args):
            sent.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            found = career_listings(CAREER, TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert found.total == 5
    assert len(sent) == 1 and "GROUP BY" in sent[0] and "UNION ALL" in sent[0]
