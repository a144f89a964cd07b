"""What visitors send the site's operator: contact messages and "Do Not Sell or Share My
Personal Information" requests, stored for the admins. Their contents are personal data: they
never reach a log (log lines name ids only)."""

import logging
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import ContactMessage, PrivacyRequest, utcnow

log = logging.getLogger(__name__)

MESSAGES_PER_PAGE = 25


class AlreadySent(RuntimeError):
    """Something was already stored from this form (a double click, or a replay)."""


class MessageNotFound(LookupError):
    """No contact message has this id."""


@dataclass(frozen=True)
class ContactDraft:
    """A contact message as the form checked it."""

    name: str
    email: str
    topic: str
    body: str


@dataclass(frozen=True)
class OptOutDraft:
    """A "Do Not Sell or Share" request as the form checked it."""

    email: str
    name: str | None
    state: str | None


def save_contact_message(draft: ContactDraft, form_nonce: str) -> int:
    """Store a contact message (once per form: AlreadySent for a nonce used before); its id."""
    message = ContactMessage(
        name=draft.name,
        email=draft.email,
        topic=draft.topic,
        body=draft.body,
        form_nonce=form_nonce,
    )
    message_id = _store(message, ContactMessage, form_nonce)
    log.info("contact message %s stored", message_id)
    return message_id


def save_privacy_request(draft: OptOutDraft, form_nonce: str) -> int:
    """Store an opt-out request (once per form: AlreadySent for a nonce used before); its id."""
    request = PrivacyRequest(
        kind="opt_out",
        email=draft.email,
        name=draft.name,
        state=draft.state,
        form_nonce=form_nonce,
    )
    request_id = _store(request, PrivacyRequest, form_nonce)
    log.info("privacy request %s stored", request_id)
    return request_id


def _store(row, model, form_nonce: str) -> int:
    """Insert the row and commit; AlreadySent when its form nonce is taken (even by a request
    that arrived at the same moment: the unique constraint decides)."""
    if db.session.scalar(select(exists().where(model.form_nonce == form_nonce))):
        raise AlreadySent(form_nonce)
    db.session.add(row)
    try:
        db.session.flush()
        row_id = row.id
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadySent(form_nonce) from error
    return row_id


def list_messages(page: int = 1, open_only: bool = False) -> Pagination:
    """The contact messages, newest first (optionally only those not yet handled)."""
    query = (
        select(ContactMessage)
        .options(joinedload(ContactMessage.handled_by))
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
    )
    if open_only:
        query = query.where(ContactMessage.handled_at.is_(None))
    return db.paginate(query, page=page, per_page=MESSAGES_PER_PAGE, error_out=False)


def set_message_handled(message_id: int, admin_id: int, handled: bool) -> ContactMessage:
    """Mark a message handled by this admin now, or not handled again."""
    message = db.session.get(ContactMessage, message_id)
    if message is None:
        raise MessageNotFound(message_id)
    message.handled_at = utcnow() if handled else None
    message.handled_by_id = admin_id if handled else None
    db.session.commit()
    return message


def delete_message(message_id: int) -> None:
    """Delete one contact message for good."""
    message = db.session.get(ContactMessage, message_id)
    if message is None:
        raise MessageNotFound(message_id)
    db.session.delete(message)
    db.session.commit()


def open_privacy_requests() -> list[PrivacyRequest]:
    """Every privacy request not closed yet, oldest first (the order they are due in)."""
    query = (
        select(PrivacyRequest)
        .where(PrivacyRequest.closed_at.is_(None))
        .order_by(PrivacyRequest.created_at, PrivacyRequest.id)
    )
    return list(db.session.scalars(query))


def closed_privacy_requests(limit: int = 20) -> list[PrivacyRequest]:
    """The latest closed privacy requests, newest first: what was asked and what was done."""
    query = (
        select(PrivacyRequest)
        .options(joinedload(PrivacyRequest.closed_by))
        .where(PrivacyRequest.closed_at.is_not(None))
        .order_by(PrivacyRequest.closed_at.desc(), PrivacyRequest.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
