"""Deleting a person's data on request, and closing their privacy requests.

A deletion first opts the person out (portal.services.opt_outs: their email and their leads'
phones go on the suppression list, which outlives the deletion; deliveries not yet made are
cancelled; schools that had a lead are told), then removes every lead and contact message of
the email address (in any case), closes that address's open privacy requests, and is recorded
as when, by whom and how many rows; never whose. The statements of ended months holding
those leads are closed first, so they keep them (portal.services.statements). "Do Not Sell or
Share" requests are done the moment they are sent (portal.services.inbox); one left open from
before that is closed by an admin, with a deletion or with a note, and is opted out either
way. Closing a request erases the address and name it held.
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import ContactMessage, DataDeletion, Lead, PrivacyRequest, utcnow
from portal.services.opt_outs import Suppressed, suppress_person
from portal.services.rollup import changing_leads
from portal.services.statements import close_months_of

NOTE_MAX = 500


class PrivacyRequestNotFound(LookupError):
    """No open privacy request has this id (it may have been closed already)."""


class NoteRequired(ValueError):
    """A request closed without a deletion must say what was done."""


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed: its record, how many leads and contact messages, and what its
    opt-out did."""

    record: DataDeletion
    leads: int
    messages: int
    suppressed: Suppressed


def delete_person_data(email: str, admin_id: int) -> Deleted:
    """Opt the person out, delete every lead and contact message of this email address (any
    case), close its open privacy requests, and record how many rows; commit once."""
    try:
        deleted = _delete(email, admin_id)
        _close_requests_of(email, admin_id, deleted)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return deleted


def close_privacy_request(
    request_id: int, admin_id: int, delete_data: bool, note: str = ""
) -> PrivacyRequest:
    """Close an open privacy request: with `delete_data`, delete the person's data (and close
    their other open requests); otherwise `note` must say what was done. Either way the
    request keeps its dates, state, what was asked and what was done, but no longer the
    address or name. Raises PrivacyRequestNotFound, NoteRequired."""
    note = note.strip()[:NOTE_MAX]
    try:
        found = db.session.scalar(
            select(PrivacyRequest)
            .where(PrivacyRequest.id == request_id, PrivacyRequest.closed_at.is_(None))
            .with_for_update()
        )
        if found is None:
            raise PrivacyRequestNotFound(request_id)
        if delete_data:
            _close_requests_of(found.email, admin_id, _delete(found.email, admin_id), note)
        elif not note:
            raise NoteRequired("Say what was done, or delete the person's data.")
        else:
            now = utcnow()
            done = suppress_person(found.email, None, now, "do_not_sell", found.id)
            _close(found, admin_id, f"Closed without deleting data: {note}")
            _record_suppressed(found, done)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return found


def _delete(email: str, admin_id: int) -> Deleted:
    """Opt the address out, delete its leads and contact messages, and record it (not
    committed). The opt-out comes first, so the notices to schools outlive the leads."""
    now = utcnow()
    record = DataDeletion(created_at=now, admin_id=admin_id, rows_deleted=0)
    db.session.add(record)
    db.session.flush()
    address = email.strip().lower()
    lead_email = func.lower(func.trim(Lead.email)) == address
    ids = select(Lead.id).where(lead_email).scalar_subquery()
    # The roll-up's lock first, as every change of leads takes it, then the leads' own.
    with changing_leads(or_(lead_email, Lead.duplicate_of_id.in_(ids))):
        done = suppress_person(email, None, now, "deletion", data_deletion_id=record.id)
        # A month that has ended keeps these leads as they stood: its statement is closed
        # first.
        close_months_of(select(Lead.id).where(lead_email), now)
        # Another person's lead never points at these, but unlink any reference before deleting.
        db.session.execute(
            update(Lead).where(Lead.duplicate_of_id.in_(ids)).values(duplicate_of_id=None)
        )
        leads = db.session.execute(delete(Lead).where(lead_email)).rowcount
    message_email = func.lower(func.trim(ContactMessage.email)) == address
    messages = db.session.execute(delete(ContactMessage).where(message_email)).rowcount
    record.rows_deleted = leads
    record.messages_deleted = messages
    record.deliveries_cancelled = done.deliveries_cancelled
    record.schools_told = done.schools_told
    db.session.flush()
    return Deleted(record, leads, messages, done)


def _close_requests_of(email: str, admin_id: int, deleted: Deleted, note: str = "") -> None:
    """Close every open privacy request of the address as done by `deleted`."""
    outcome = (
        f"Data deleted (deletion {deleted.record.id}): {deleted.leads} request(s) for "
        f"information and {deleted.messages} contact message(s); the email went on the "
        f"suppression list, {deleted.suppressed.deliveries_cancelled} delivery(ies) were "
        f"cancelled and {deleted.suppressed.schools_told} school(s) told."
    )
    if note:
        outcome += f" Note: {note}"
    address = func.lower(func.trim(PrivacyRequest.email)) == email.strip().lower()
    for found in db.session.scalars(
        select(PrivacyRequest).where(address, PrivacyRequest.closed_at.is_(None))
    ):
        _close(found, admin_id, outcome)
        found.data_deletion_id = deleted.record.id
        found.leads_deleted = deleted.leads
        _record_suppressed(found, deleted.suppressed)


def _record_suppressed(found: PrivacyRequest, done: Suppressed) -> None:
    """Note on a request what its opt-out did."""
    found.leads_suppressed = done.leads
    found.deliveries_cancelled = done.deliveries_cancelled
    found.schools_told = done.schools_told


def _close(found: PrivacyRequest, admin_id: int, outcome: str) -> None:
    """Mark a request closed by the admin with its outcome, and erase who sent it."""
    found.closed_at = utcnow()
    found.closed_by_id = admin_id
    found.outcome = outcome
    found.email = None
    found.name = None


def recent_deletions(limit: int = 20) -> list[DataDeletion]:
    """The latest data deletions, newest first."""
    query = (
        select(DataDeletion)
        .options(joinedload(DataDeletion.admin))
        .order_by(DataDeletion.created_at.desc(), DataDeletion.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
