"""Deleting a person's data on request, and closing their privacy requests.

A deletion removes every lead and contact message of one email address (in any case), closes
that address's open privacy requests, and is recorded as when, by whom and how many rows;
never whose. A "Do Not Sell or Share" request is closed by an admin, either with a deletion or
with a note saying what was done instead; closing it erases the address and name it held.
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import ContactMessage, DataDeletion, Lead, PrivacyRequest, utcnow
from portal.services.rollup import changing_leads

NOTE_MAX = 500


class PrivacyRequestNotFound(LookupError):
    """No open privacy request has this id (it may have been closed already)."""


class NoteRequired(ValueError):
    """A request closed without a deletion must say what was done."""


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed: its record, and how many leads and contact messages."""

    record: DataDeletion
    leads: int
    messages: int


def delete_person_data(email: str, admin_id: int) -> Deleted:
    """Delete every lead and contact message of this email address (any case), close its open
    privacy requests, and record how many rows; commit."""
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
            _close(found, admin_id, f"Closed without deleting data: {note}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return found


def _delete(email: str, admin_id: int) -> Deleted:
    """Delete the address's leads and contact messages and record it (not committed)."""
    address = email.strip().lower()
    lead_email = func.lower(func.trim(Lead.email)) == address
    ids = select(Lead.id).where(lead_email).scalar_subquery()
    with changing_leads(or_(lead_email, Lead.duplicate_of_id.in_(ids))):
        # Another person's lead never points at these, but unlink any reference before deleting.
        db.session.execute(
            update(Lead).where(Lead.duplicate_of_id.in_(ids)).values(duplicate_of_id=None)
        )
        leads = db.session.execute(delete(Lead).where(lead_email)).rowcount
    message_email = func.lower(func.trim(ContactMessage.email)) == address
    messages = db.session.execute(delete(ContactMessage).where(message_email)).rowcount
    record = DataDeletion(admin_id=admin_id, rows_deleted=leads, messages_deleted=messages)
    db.session.add(record)
    db.session.flush()
    return Deleted(record, leads, messages)


def _close_requests_of(email: str, admin_id: int, deleted: Deleted, note: str = "") -> None:
    """Close every open privacy request of the address as done by `deleted`."""
    outcome = (
        f"Data deleted (deletion {deleted.record.id}): {deleted.leads} request(s) for "
        f"information and {deleted.messages} contact message(s)."
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
