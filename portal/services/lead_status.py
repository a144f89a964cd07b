"""What admins do with leads: set their status (one or many at once, with a reason to reject
and an optional note), add notes, and read a lead's history.

The rules, in one place:

- A lead is `new`, `exported` or `rejected`; an admin may move it between any two, and every
  change is recorded (who, when, from, to, the reason and the note). So are the changes an
  export makes when it marks its leads (see portal.services.exports).
- `billable` is true exactly for a lead that is neither rejected, nor a repeat of a billable
  lead (same email, same program, within 30 days), nor returned by its school with the
  return approved (portal.services.lead_returns). Rejecting a lead makes it not billable;
  taking it back makes it billable again, unless meanwhile another request of the same email
  for the same program was billed: then it becomes a repeat of that one.
- The lead caps count requests as they arrive: a rejected lead keeps the slot it took, and a
  lead taken back does not take another.
- Setting a lead back to `new` clears its export marks, so the next "not yet exported" export
  sends it again; setting it `exported` by hand marks it as sent without an export.
- Rejecting never recalls what a school already has: a delivered lead stays delivered. A
  delivery still waiting (retrying, or held while its destination is off) is not sent: it is
  marked failed, saying why, and can be sent again with Redeliver.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, literal, null, select, update

from portal.extensions import db
from portal.models import (
    LEAD_STATUSES,
    REJECT_REASONS,
    Delivery,
    Lead,
    LeadNote,
    LeadReturn,
    LeadStatusChange,
    UTCDateTime,
)
from portal.services.admin_leads import LeadNotFound
from portal.services.billing import enter_billing_change
from portal.services.leads import DUPLICATE_WINDOW
from portal.services.rollup import changing_leads

MAX_BULK = 500
MAX_NOTE_CHARS = 2000
NOT_SENT = "Not sent: the lead was rejected before it was delivered."
# Retention erased the lead's personal details: a note could bring some back, for good.
ERASED_NOTE = (
    "Lead {}'s personal details were erased at the end of the retention period, so it takes "
    "no notes."
)


class InvalidStatusChange(ValueError):
    """The change asked for is not possible; the message says why."""


class InvalidNote(ValueError):
    """A note that is empty or too long."""


@dataclass(frozen=True)
class Editor:
    """Who makes a change: an admin (by id), named in words kept with the record."""

    name: str
    admin_id: int | None = None


@dataclass(frozen=True)
class StatusChange:
    """The status to set, the reason (to reject, and only then) and an optional note."""

    status: str
    reason: str | None = None
    note: str | None = None

    def problems(self) -> str | None:
        """Why this change cannot be made to any lead, or None."""
        if self.status not in LEAD_STATUSES:
            return f"{self.status!r} is not a lead status."
        if self.status == "rejected" and self.reason not in REJECT_REASONS:
            return "Choose why the lead is rejected."
        if self.status != "rejected" and self.reason:
            return "A reason is only given when rejecting a lead."
        if self.note and len(self.note) > MAX_NOTE_CHARS:
            return f"Keep the note under {MAX_NOTE_CHARS:,} characters."
        return None


@dataclass
class ChangeOutcome:
    """What a status change did, lead by lead."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already so
    missing: list[int] = field(default_factory=list)  # no such lead (deleted meanwhile?)
    repeats: dict[int, int] = field(default_factory=dict)  # taken back as a repeat of another


def change_status(
    lead_ids: list[int], change: StatusChange, editor: Editor, now: datetime
) -> ChangeOutcome:
    """Set the status of the leads with these ids, recording each change; commit once. A lead
    already so keeps the note, if one was given, as a note of its own.

    Raises InvalidStatusChange for an impossible change or too many leads at once; then
    nothing is written.
    """
    problem = change.problems()
    if problem:
        raise InvalidStatusChange(problem)
    ids = sorted(set(lead_ids))
    if not ids:
        raise InvalidStatusChange("Choose at least one lead.")
    if len(ids) > MAX_BULK:
        raise InvalidStatusChange(f"Change at most {MAX_BULK} leads at once.")
    note = (change.note or "").strip() or None
    outcome = ChangeOutcome()
    try:
        # The roll-up's lock first (SQLite: the write lock), as every change of leads does.
        with changing_leads(Lead.id.in_(ids)):
            # Then the rows' (PostgreSQL: row locks), so an export marking these leads at the
            # same moment goes wholly before or after this change.
            db.session.execute(
                update(Lead)
                .where(Lead.id.in_(ids))
                .values(status=Lead.status)
                .execution_options(synchronize_session=False)
            )
            leads = {
                lead.id: lead
                for lead in db.session.scalars(
                    select(Lead).where(Lead.id.in_(ids)).execution_options(populate_existing=True)
                )
            }
            rejected = []
            for lead_id in ids:
                lead = leads.get(lead_id)
                if lead is None:
                    outcome.missing.append(lead_id)
                    continue
                if note and lead.erased_at is not None:
                    raise InvalidStatusChange(
                        ERASED_NOTE.format(lead_id) + " Change its status without one."
                    )
                if lead.status == change.status and lead.reject_reason == change.reason:
                    outcome.unchanged.append(lead_id)
                    if note:  # nothing typed is lost: the note is kept as a note
                        db.session.add(_note(lead_id, note, editor, now))
                    continue
                db.session.add(
                    LeadStatusChange(
                        lead_id=lead_id,
                        created_at=now,
                        admin_id=editor.admin_id,
                        actor=editor.name,
                        from_status=lead.status,
                        to_status=change.status,
                        reason=change.reason if change.status == "rejected" else None,
                        note=note,
                    )
                )
                was_billable = lead.billable
                _apply(lead, change, now, outcome)
                cause = "rejection" if change.status == "rejected" else "take_back"
                enter_billing_change(lead, was_billable, cause, change.reason, now)
                outcome.changed.append(lead_id)
                if change.status == "rejected":
                    rejected.append(lead_id)
            if rejected:
                _hold_back_deliveries(rejected, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _apply(lead: Lead, change: StatusChange, now: datetime, outcome: ChangeOutcome) -> None:
    """Move one lead to the new status, keeping billable and the export marks true to it."""
    was_rejected = lead.status == "rejected"
    lead.status = change.status
    if change.status == "rejected":
        lead.reject_reason = change.reason
        lead.billable = False
        return
    lead.reject_reason = None
    if change.status == "new":
        lead.exported_at = None
        lead.export_id = None
    elif lead.exported_at is None:
        lead.exported_at = now  # sent by hand, not by an export
    if was_rejected:
        _take_back(lead, outcome)


def _take_back(lead: Lead, outcome: ChangeOutcome) -> None:
    """Make a lead that was rejected billable again, unless it repeats a billable request or
    its school's return of it was approved."""
    returned = select(LeadReturn.id).where(
        LeadReturn.lead_id == lead.id, LeadReturn.status == "approved"
    )
    if lead.duplicate_of_id is not None or db.session.scalar(returned) is not None:
        lead.billable = False
        return
    # An erased lead has only its email's fingerprint left (comparing NULL would match any).
    same_person = (
        Lead.email == lead.email
        if lead.email is not None
        else Lead.email_sha256 == lead.email_sha256
    )
    if lead.email is None and lead.email_sha256 is None:
        lead.billable = True
        return
    twin = db.session.scalar(
        select(Lead.id)
        .where(
            Lead.id != lead.id,
            Lead.program_id == lead.program_id,
            same_person,
            Lead.billable.is_(True),
            Lead.created_at > lead.created_at - DUPLICATE_WINDOW,
            Lead.created_at < lead.created_at + DUPLICATE_WINDOW,
        )
        .order_by(Lead.created_at, Lead.id)
        .limit(1)
    )
    if twin is None:
        lead.billable = True
    else:
        lead.billable = False
        lead.duplicate_of_id = twin
        outcome.repeats[lead.id] = twin


def _hold_back_deliveries(lead_ids: list[int], now: datetime) -> None:
    """Deliveries of these leads still waiting to be sent are not sent: mark them failed."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.lead_id.in_(lead_ids), Delivery.status == "pending")
        .values(status="failed", failed_at=now, claimed_until=None, last_error=NOT_SENT)
        .execution_options(synchronize_session=False)
    )


def record_export_marks(
    export_id: int, editor: Editor, from_status: str, to_status: str, now: datetime, note=None
) -> None:
    """History rows for every lead export `export_id` holds, in one INSERT ... SELECT: written
    when an export marks its leads, and when one that broke off gives them back."""
    values = select(
        Lead.id,
        literal(now, UTCDateTime),
        literal(editor.admin_id) if editor.admin_id is not None else null(),
        literal(export_id),
        literal(editor.name),
        literal(from_status),
        literal(to_status),
        literal(note) if note is not None else null(),
    ).where(Lead.export_id == export_id)
    columns = ["lead_id", "created_at", "admin_id", "export_id", "actor"]
    columns += ["from_status", "to_status", "note"]
    db.session.execute(insert(LeadStatusChange).from_select(columns, values))


def add_note(lead_id: int, body: str, editor: Editor, now: datetime) -> LeadNote:
    """Add a note to a lead; commit. Raises LeadNotFound or InvalidNote."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidNote("Write the note first.")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidNote(f"Keep the note under {MAX_NOTE_CHARS:,} characters.")
    try:
        # Locked, so retention cannot erase the lead between this look and the note.
        lead = db.session.get(Lead, lead_id, with_for_update=True)
        if lead is None:
            raise LeadNotFound(lead_id)
        if lead.erased_at is not None:
            raise InvalidNote(ERASED_NOTE.format(lead_id))
        note = _note(lead_id, text, editor, now)
        db.session.add(note)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return note


def _note(lead_id: int, text: str, editor: Editor, now: datetime) -> LeadNote:
    """A new note on a lead."""
    return LeadNote(
        lead_id=lead_id, created_at=now, admin_id=editor.admin_id, author=editor.name, body=text
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a lead's history: a status change or a note."""

    at: datetime
    who: str
    kind: str  # "status" or "note"
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    text: str | None = None
    export_id: int | None = None

    @property
    def reason_label(self) -> str | None:
        """The reason in words."""
        return REJECT_REASONS.get(self.reason) if self.reason else None


def lead_history(lead_id: int) -> list[HistoryEntry]:
    """A lead's status changes and notes, oldest first."""
    changes = db.session.scalars(
        select(LeadStatusChange)
        .where(LeadStatusChange.lead_id == lead_id)
        .order_by(LeadStatusChange.created_at, LeadStatusChange.id)
    )
    entries = [
        HistoryEntry(
            at=c.created_at,
            who=c.actor,
            kind="status",
            from_status=c.from_status,
            to_status=c.to_status,
            reason=c.reason,
            text=c.note,
            export_id=c.export_id,
        )
        for c in changes
    ]
    notes = db.session.scalars(
        select(LeadNote)
        .where(LeadNote.lead_id == lead_id)
        .order_by(LeadNote.created_at, LeadNote.id)
    )
    entries += [
        HistoryEntry(at=n.created_at, who=n.author, kind="note", text=n.body) for n in notes
    ]
    # Stable: a change and a note at the same moment keep their own orders, changes first.
    return sorted(entries, key=lambda entry: entry.at)
