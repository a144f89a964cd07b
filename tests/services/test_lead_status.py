"""Lead statuses, rejections and notes: the history they leave, and how they meet billing,
duplicates, the lead caps, exports and deliveries."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery, Lead, LeadStatusChange, Sponsorship
from portal.services.admin_leads import LeadNotFound
from portal.services.destinations import add_email
from portal.services.exports import ExportOptions
from portal.services.lead_status import (
    MAX_BULK,
    NOT_SENT,
    Editor,
    InvalidNote,
    InvalidStatusChange,
    StatusChange,
    add_note,
    change_status,
    lead_history,
)
from portal.services.outbox import queue_deliveries
from tests.support.exports import read, run_export
from tests.support.factories import make_admin, make_lead, make_program

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
OPS = Editor("ops@example.com")


def reload(lead_id: int) -> Lead:
    """The lead as stored now."""
    db.session.expire_all()
    return db.session.get(Lead, lead_id)


@pytest.fixture
def lead_id(app):
    """One billable lead, new."""
    with app.app_context():
        return make_lead(make_program()).id


def test_rejecting_records_who_when_from_to_reason_and_note(app, lead_id):
    with app.app_context():
        admin = make_admin()
        editor = Editor(admin.email, admin.id)
        change = StatusChange("rejected", "test", "  Called: wrong number.  ")
        outcome = change_status([lead_id], change, editor, NOW)
        assert outcome.changed == [lead_id]
        lead = reload(lead_id)
        assert (lead.status, lead.reject_reason, lead.billable) == ("rejected", "test", False)
        [row] = db.session.scalars(select(LeadStatusChange)).all()
        assert (row.lead_id, row.admin_id, row.actor) == (lead_id, admin.id, "admin@example.com")
        assert (row.from_status, row.to_status, row.reason) == ("new", "rejected", "test")
        assert row.note == "Called: wrong number." and row.created_at == NOW


def test_taking_a_rejected_lead_back_makes_it_billable_again(app, lead_id):
    with app.app_context():
        change_status([lead_id], StatusChange("rejected", "other"), OPS, NOW)
        change_status([lead_id], StatusChange("new"), OPS, NOW + timedelta(minutes=1))
        lead = reload(lead_id)
        assert (lead.status, lead.reject_reason, lead.billable) == ("new", None, True)
        history = lead_history(lead_id)
        assert [(e.from_status, e.to_status) for e in history] == [
            ("new", "rejected"),
            ("rejected", "new"),
        ]


def test_a_rejected_lead_does_not_make_a_later_request_a_duplicate(app, lead_id):
    """The duplicate rule looks for billable leads: a rejected lead was never billed, so the
    same person asking again is billed (and delivered) as a new request."""
    from portal.services.leads import _earlier_lead_id

    with app.app_context():
        lead = reload(lead_id)
        later = lead.created_at + timedelta(days=1)
        assert _earlier_lead_id(lead.program_id, lead.email, later) == lead_id
        change_status([lead_id], StatusChange("rejected", "invalid_contact"), OPS, NOW)
        assert _earlier_lead_id(lead.program_id, lead.email, later) is None


def test_taken_back_after_the_same_request_was_billed_it_becomes_its_repeat(app, lead_id):
    with app.app_context():
        first = reload(lead_id)
        change_status([lead_id], StatusChange("rejected", "invalid_contact"), OPS, NOW)
        again = make_lead(
            first.program,
            email=first.email,
            created_at=first.created_at + timedelta(days=2),
        )
        outcome = change_status([lead_id], StatusChange("new"), OPS, NOW)
        assert outcome.repeats == {lead_id: again.id}
        lead = reload(lead_id)
        assert (lead.billable, lead.duplicate_of_id) == (False, again.id)
        assert reload(again.id).billable


def test_a_rejected_duplicate_taken_back_stays_a_duplicate(app, lead_id):
    with app.app_context():
        first = reload(lead_id)
        repeat = make_lead(
            first.program, email=first.email, billable=False, duplicate_of_id=lead_id
        )
        change_status([repeat.id], StatusChange("rejected", "duplicate"), OPS, NOW)
        change_status([repeat.id], StatusChange("exported"), OPS, NOW)
        lead = reload(repeat.id)
        assert (lead.status, lead.billable, lead.duplicate_of_id) == ("exported", False, lead_id)


def test_rejecting_keeps_the_cap_slot_and_taking_back_claims_none(app):
    with app.app_context():
        program = make_program(daily_cap=5)
        db.session.execute(
            Sponsorship.__table__.update().values(day_count=1, month_count=1, count_day=NOW.date())
        )
        db.session.commit()
        lead = make_lead(program)
        counts = lambda: db.session.execute(  # noqa: E731
            select(Sponsorship.day_count, Sponsorship.month_count)
        ).one()
        change_status([lead.id], StatusChange("rejected", "test"), OPS, NOW)
        assert tuple(counts()) == (1, 1)
        change_status([lead.id], StatusChange("new"), OPS, NOW)
        assert tuple(counts()) == (1, 1)


def test_setting_back_to_new_clears_the_export_marks_so_the_next_export_sends_it(app, lead_id):
    with app.app_context():
        first = read(run_export(ExportOptions(mark_exported=True)))
        assert len(first) == 2 and reload(lead_id).export_id is not None
        change_status([lead_id], StatusChange("new", note="The school lost it."), OPS, NOW)
        lead = reload(lead_id)
        assert (lead.status, lead.export_id, lead.exported_at) == ("new", None, None)
        again = read(run_export(ExportOptions(mark_exported=True)))
        assert [row[0] for row in again[1:]] == [str(lead_id)]


def test_marking_exported_by_hand_keeps_it_out_of_the_next_export(app, lead_id):
    with app.app_context():
        change_status([lead_id], StatusChange("exported", note="Sent by phone."), OPS, NOW)
        lead = reload(lead_id)
        assert (lead.status, lead.exported_at, lead.export_id) == ("exported", NOW, None)
        assert read(run_export(ExportOptions(mark_exported=True)))[1:] == []


def test_rejected_leads_stay_out_of_exports_unless_asked_for(app, lead_id):
    with app.app_context():
        change_status([lead_id], StatusChange("rejected", "out_of_area"), OPS, NOW)
        assert read(run_export())[1:] == []
        assert len(read(run_export(ExportOptions(include_rejected=True)))) == 2
        assert read(run_export(ExportOptions(mark_exported=True, include_rejected=True)))[1:] == []


def test_rejecting_keeps_delivered_leads_delivered_and_holds_back_waiting_ones(app):
    with app.app_context():
        program = make_program()
        add_email(program.school_id, "admissions@example.edu")
        sent, waiting = make_lead(program), make_lead(program)
        for lead in (sent, waiting):
            queue_deliveries(lead.id, program.school_id, NOW)
        db.session.commit()
        delivered = db.session.scalars(select(Delivery).where(Delivery.lead_id == sent.id)).one()
        delivered.status, delivered.delivered_at = "delivered", NOW
        db.session.commit()
        change_status([sent.id, waiting.id], StatusChange("rejected", "test"), OPS, NOW)
        db.session.expire_all()
        states = dict(db.session.execute(select(Delivery.lead_id, Delivery.status)).all())
        assert states == {sent.id: "delivered", waiting.id: "failed"}
        held = db.session.scalars(select(Delivery).where(Delivery.lead_id == waiting.id)).one()
        assert held.last_error == NOT_SENT and held.failed_at == NOW


def test_bulk_changes_report_what_each_lead_did(app):
    with app.app_context():
        program = make_program()
        fresh, rejected = make_lead(program), make_lead(program, status="rejected")
        outcome = change_status(
            [fresh.id, rejected.id, 99999], StatusChange("rejected", "test"), OPS, NOW
        )
        assert outcome.changed == [fresh.id]
        assert outcome.unchanged == [rejected.id]
        assert outcome.missing == [99999]
        # Another reason is a change of its own.
        outcome = change_status([rejected.id], StatusChange("rejected", "duplicate"), OPS, NOW)
        assert outcome.changed == [rejected.id] and reload(rejected.id).reject_reason == "duplicate"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (StatusChange("rejected"), "Choose why"),
        (StatusChange("rejected", "bored"), "Choose why"),
        (StatusChange("new", "test"), "only given when rejecting"),
        (StatusChange("lost"), "is not a lead status"),
        (StatusChange("new", note="x" * 2001), "under 2,000"),
    ],
)
def test_impossible_changes_write_nothing(app, lead_id, change, message):
    with app.app_context():
        with pytest.raises(InvalidStatusChange, match=message):
            change_status([lead_id], change, OPS, NOW)
        assert reload(lead_id).status == "new"
        assert db.session.scalars(select(LeadStatusChange)).all() == []


def test_too_many_or_no_leads_at_once(app, lead_id):
    with app.app_context():
        with pytest.raises(InvalidStatusChange, match="at most"):
            change_status(list(range(1, MAX_BULK + 2)), StatusChange("new"), OPS, NOW)
        with pytest.raises(InvalidStatusChange, match="at least one"):
            change_status([], StatusChange("new"), OPS, NOW)


def test_notes_are_kept_with_author_and_time_in_the_history(app, lead_id):
    with app.app_context():
        add_note(lead_id, "Called twice,\r\nno answer.", OPS, NOW - timedelta(minutes=5))
        change_status([lead_id], StatusChange("rejected", "invalid_contact"), OPS, NOW)
        add_note(lead_id, "Emailed the school.", Editor("b@example.com"), NOW + timedelta(1))
        history = lead_history(lead_id)
        assert [(e.kind, e.who, e.text) for e in history] == [
            ("note", "ops@example.com", "Called twice,\nno answer."),
            ("status", "ops@example.com", None),
            ("note", "b@example.com", "Emailed the school."),
        ]
        assert history[1].reason_label == "Invalid contact details"


@pytest.mark.parametrize(("body", "error"), [("  \n ", InvalidNote), ("x" * 2001, InvalidNote)])
def test_bad_notes_are_refused(app, lead_id, body, error):
    with app.app_context(), pytest.raises(error):
        add_note(lead_id, body, OPS, NOW)


def test_a_note_on_a_lead_that_is_gone(app):
    with app.app_context(), pytest.raises(LeadNotFound):
        add_note(99999, "Hello", OPS, NOW)


def test_exports_write_the_history_of_their_marks(app, lead_id):
    with app.app_context():
        run_export(ExportOptions(mark_exported=True))
        [entry] = lead_history(lead_id)
        assert (entry.from_status, entry.to_status, entry.who) == ("new", "exported", "shell:test")
        assert entry.export_id == reload(lead_id).export_id


def test_a_note_given_with_no_change_is_kept_as_a_note(app, lead_id):
    with app.app_context():
        outcome = change_status([lead_id], StatusChange("new", note="Left a voicemail."), OPS, NOW)
        assert outcome.unchanged == [lead_id]
        assert [(e.kind, e.text) for e in lead_history(lead_id)] == [("note", "Left a voicemail.")]
