"""What visitors send the site's operator: contact messages, stored for the admins, and "Do
Not Sell or Share My Personal Information" requests, done the moment they are sent and recorded
for the admins. Their contents are personal data: they never reach a log (log lines name ids
only), and an opt-out keeps neither the email nor the phone, only their fingerprints on the
suppression list."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import ContactMessage, PrivacyRequest, utcnow
from portal.services.opt_outs import Suppressed, suppress_person

log = logging.getLogger(__name__)

MESSAGES_PER_PAGE = 25
# A reference: "DNS-" and ten characters that are not easily mistaken for one another (50
# random bits: not guessable, and never reused).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


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
    """A "Do Not Sell or Share" request as the form checked it (the phone in E.164)."""

    email: str
    phone_e164: str | None
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


def new_reference() -> str:
    """A new opt-out reference, e.g. DNS-7KQ2M-XW9HD."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"DNS-{code[:5]}-{code[5:]}"


def opt_out(draft: OptOutDraft, form_nonce: str, now: datetime) -> str:
    """Act on a "Do Not Sell or Share" request at once and record it as done; commit once.

    The email and phone go on the suppression list and the person's leads are opted out
    (portal.services.opt_outs.suppress_person); the request is stored closed, with what was
    done and a reference for the visitor, without the email or phone. Returns the reference;
    the same form sent again (a double click) returns the reference it got the first time.
    """
    earlier = _reference_of(form_nonce)
    if earlier is not None:
        return earlier
    try:
        request = PrivacyRequest(
            kind="opt_out",
            created_at=now,
            closed_at=now,  # done as it is stored: it never holds the address
            state=draft.state,
            form_nonce=form_nonce,
            reference=new_reference(),
        )
        db.session.add(request)
        db.session.flush()
        done = suppress_person(draft.email, draft.phone_e164, now, "do_not_sell", request.id)
        record_opt_out(request, done, now, with_phone=draft.phone_e164 is not None)
        request_id, reference = request.id, request.reference
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = _reference_of(form_nonce)  # the same form, stored a moment before
        if earlier is None:
            raise
        return earlier
    except Exception:
        db.session.rollback()
        raise
    log.info("privacy request %s stored, done at once: %s leads opted out", request_id, done.leads)
    return reference


def record_opt_out(request: PrivacyRequest, done: Suppressed, now, with_phone: bool) -> None:
    """Close a request as done by an opt-out (no admin: done when it was sent), with its
    counts and what was done in words; the address and name go (not committed)."""
    details = "email and phone" if with_phone else "email"
    request.closed_at = now
    request.closed_by_id = None
    request.email = None
    request.name = None
    request.leads_suppressed = done.leads
    request.deliveries_cancelled = done.deliveries_cancelled
    request.schools_told = done.schools_told
    request.outcome = (
        f"Done at once: the {details} went on the suppression list; "
        f"{_count(done.leads, 'request for information', 'requests for information')} opted "
        f"out, {_count(done.deliveries_cancelled, 'delivery', 'deliveries')} cancelled, "
        f"{_count(done.schools_told, 'school', 'schools')} told."
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _reference_of(form_nonce: str) -> str | None:
    """The reference of the opt-out this form already made, if any."""
    return db.session.scalar(
        select(PrivacyRequest.reference).where(PrivacyRequest.form_nonce == form_nonce)
    )


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
