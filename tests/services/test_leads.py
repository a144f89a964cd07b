"""capture_lead and consent_text: billing, caps, duplicates, and nothing half-written."""

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import Lead, Program
from portal.services import leads
from portal.services.geo import UnknownZip
from portal.services.leads import (
    Attribution,
    ConsentChanged,
    ConsentEvidence,
    NotTakingRequests,
    ProgramDoesNotServeZip,
    ProgramNotFound,
    Visitor,
    capture_lead,
    consent_sha256,
    consent_text,
    open_listing,
)
from tests.support.factories import make_program

NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def visitor(email: str = "jane@example.com", zip_code: str = "60601") -> Visitor:
    return Visitor("Jane", "Doe", email, "+13125550142", zip_code, "high_school", "immediately")


def capture(program: Program, email: str = "jane@example.com", at: datetime = NOON, **kw):
    shown = consent_sha256(consent_text(program.school.name))
    evidence = ConsentEvidence(shown, at, "192.0.2.1", "UA", "http://localhost/p")
    return capture_lead(program.id, visitor(email, **kw), evidence, Attribution(utm_source="g"))


def counts() -> tuple[int, int]:
    """(billable leads, all leads)."""
    billable = select(func.count()).select_from(Lead).where(Lead.billable.is_(True))
    return db.session.scalar(billable), db.session.scalar(select(func.count()).select_from(Lead))


def test_consent_text_names_the_school_and_what_it_may_do():
    text = consent_text("Lakeshore Medical Institute")
    assert text.count("Lakeshore Medical Institute") == 1
    for words in [
        "email",
        "phone calls",
        "text messages",
        "automated",
        "not a condition of enrolling",
    ]:
        assert words in text
    assert "Privacy Policy" in text
    assert consent_sha256(text) == hashlib.sha256(text.encode()).hexdigest()
    assert consent_text("Lakeshore Medical Institute") == text


def test_billable_lead_costs_the_bid_at_the_time(app):
    with app.app_context():
        program = make_program(bid_cents=2750)
        result = capture(program)
        program.sponsorship.bid_cents = 9900
        db.session.commit()
        lead = db.session.get(Lead, result.lead_id)
        assert not result.duplicate
        assert (lead.price_cents, lead.billable, lead.status) == (2750, True, "new")
        assert (lead.utm_source, lead.ip_address, lead.state) == ("g", "192.0.2.1", "IL")


def test_daily_cap_is_kept_and_restarts_the_next_day(app):
    with app.app_context():
        program = make_program(daily_cap=1)
        capture(program, "a@example.com")
        with pytest.raises(NotTakingRequests):
            capture(program, "b@example.com")
        capture(program, "b@example.com", at=NOON + timedelta(days=1))
        sponsorship = db.session.get(Program, program.id).sponsorship
        assert (sponsorship.count_day, sponsorship.day_count) == (date(2026, 11, 28), 1)
        assert (sponsorship.count_month, sponsorship.month_count) == (date(2026, 11, 1), 2)
        assert counts() == (2, 2)


def test_monthly_cap_is_kept_across_days_and_restarts_next_month(app):
    with app.app_context():
        program = make_program(monthly_cap=2)
        capture(program, "a@example.com", at=NOON - timedelta(days=5))
        capture(program, "b@example.com")
        with pytest.raises(NotTakingRequests):
            capture(program, "c@example.com", at=NOON + timedelta(days=1))
        capture(program, "c@example.com", at=datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
        assert counts() == (3, 3)


def test_duplicate_within_30_days_is_kept_but_not_billed_and_claims_no_slot(app):
    with app.app_context():
        program = make_program(daily_cap=2)
        first = capture(program)
        again = capture(program, at=NOON + timedelta(minutes=5))
        other = capture(program, "someone@example.com")  # the dup left this slot free
        late = capture(program, at=NOON + timedelta(days=29, hours=23))
        lead = db.session.get(Lead, again.lead_id)
        assert [r.duplicate for r in (first, again, other, late)] == [False, True, False, True]
        assert (lead.billable, lead.duplicate_of_id, lead.price_cents) == (False, first.lead_id, 0)
        assert db.session.get(Lead, late.lead_id).duplicate_of_id == first.lead_id
        assert db.session.get(Program, program.id).sponsorship.day_count == 2
        assert counts() == (2, 4)


def test_same_email_after_30_days_or_for_another_program_is_billable(app):
    with app.app_context():
        program, other = make_program(), make_program()
        capture(program)
        assert not capture(program, at=NOON + timedelta(days=30, seconds=1)).duplicate
        assert not capture(other).duplicate
        assert counts() == (3, 3)


@pytest.mark.parametrize(
    ("zip_code", "error"), [("90210", ProgramDoesNotServeZip), ("00000", UnknownZip)]
)
def test_zip_not_served_or_unknown_stores_nothing(app, zip_code, error):
    with app.app_context():
        program = make_program()
        with pytest.raises(error):
            capture(program, zip_code=zip_code)
        assert counts() == (0, 0)


def test_consent_stored_is_the_schools_disclosure_and_must_be_the_one_shown(app):
    with app.app_context():
        program = make_program()
        lead = db.session.get(Lead, capture(program).lead_id)
        assert lead.consent_text == consent_text(program.school.name)
        assert lead.consent_sha256 == consent_sha256(lead.consent_text)
        shown_before = consent_sha256(consent_text(program.school.name))
        program.school.name = "Renamed College"
        db.session.commit()
        evidence = ConsentEvidence(shown_before, NOON, "192.0.2.1", "UA", "http://localhost/p")
        with pytest.raises(ConsentChanged):
            capture_lead(program.id, visitor("b@example.com"), evidence, Attribution())
        assert counts() == (1, 1)


def test_unknown_and_inactive_programs_are_not_found(app):
    with app.app_context():
        inactive = make_program(is_active=False)
        for program_id in (inactive.id, 424242):
            with pytest.raises(ProgramNotFound):
                open_listing(program_id, NOON.date())


def test_a_failure_after_the_cap_claim_leaves_nothing_half_written(app, monkeypatch):
    with app.app_context():
        program = make_program(daily_cap=5)

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(leads, "_new_lead", broken)
        with pytest.raises(RuntimeError):
            capture(program)
        db.session.expire_all()
        assert db.session.get(Program, program.id).sponsorship.day_count == 0
        assert counts() == (0, 0)


def test_no_statement_runs_after_the_commit(app):
    """Once the lead is committed, a lost database connection must not turn the answer into
    an error: the visitor would be told it failed, though it was stored."""
    with app.app_context():
        program = make_program()
        statements, committed = [], []
        engine = db.engine

        def record(conn, cursor, statement, *args):
            statements.append((bool(committed), statement))

        def commit(conn):
            committed.append(True)

        event.listen(engine, "before_cursor_execute", record)
        event.listen(engine, "commit", commit)
        try:
            result = capture(program)
        finally:
            event.remove(engine, "before_cursor_execute", record)
            event.remove(engine, "commit", commit)
        assert result.lead_id and committed
        assert [s for after, s in statements if after] == []
