"""Opt-outs that act at once: the suppression list, and what an opt-out does to the person's
leads, in the transaction of the request that asks for it (the visitor's "Do Not Sell or
Share" form, or an admin's deletion of their data).

suppress_person() puts the fingerprints of the email and the phone on the list (with the
phones of the leads that email gave), marks every lead matching one of them opted out (every
reader leaves such leads out), cancels their deliveries not yet made, and writes for each lead
a notice to its school: listed by GET /api/v1/opt-outs, and sent as a `lead.opted_out` event
to each destination that may have received the lead. A later request-info form from a person
on the list is their own explicit request to that one school (portal.services.leads).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import Delivery, Lead, LeadOptOut, School, Suppression
from portal.services.contact_hashes import email_sha256, phone_sha256

OPTED_OUT_EVENT = "lead.opted_out"
# Why a delivery was cancelled, by the reason of the opt-out (the delivery log shows it).
CANCEL_REASONS = {
    "do_not_sell": "Not sent: the person opted out (Do Not Sell or Share) first.",
    "deletion": "Not sent: the person's data was deleted on request first.",
}

# Checked by every capture, so built once (see portal.services.leads).
_ON_LIST = (
    select(Suppression.id)
    .where(or_(Suppression.sha256 == bindparam("email"), Suppression.sha256 == bindparam("phone")))
    .limit(1)
)


@dataclass(frozen=True)
class Suppressed:
    """What an opt-out did: leads marked opted out, deliveries cancelled, schools told (with
    how many `lead.opted_out` notices were queued to their destinations)."""

    leads: int = 0
    deliveries_cancelled: int = 0
    schools_told: int = 0
    notices_queued: int = 0


def on_suppression_list(email_hash: str, phone_hash: str) -> bool:
    """Whether either fingerprint is on the list (no commit; one indexed lookup)."""
    found = db.session.execute(_ON_LIST, {"email": email_hash, "phone": phone_hash}).first()
    return found is not None


def suppress_person(
    email: str | None,
    phone_e164: str | None,
    now: datetime,
    reason: str,
    privacy_request_id: int | None = None,
    data_deletion_id: int | None = None,
) -> Suppressed:
    """Put the person on the suppression list and act on their leads at once (no commit: the
    caller's transaction, so all of it happens or none).

    `reason` is an OPT_OUT_REASONS code. The phone of every lead the email gave is suppressed
    too. Leads already opted out are left as they were (a repeat request changes nothing).
    """
    emails = {email_sha256(email)} if email else set()
    phones = {phone_sha256(phone_e164)} if phone_e164 else set()
    if emails:
        phones |= set(
            db.session.scalars(
                select(Lead.phone_sha256)
                .where(Lead.email_sha256.in_(emails), Lead.phone_sha256.is_not(None))
                .distinct()
            )
        )
    source = {"privacy_request_id": privacy_request_id, "data_deletion_id": data_deletion_id}
    _add_to_list([("email", h) for h in emails] + [("phone", h) for h in phones], now, source)
    marked = db.session.execute(
        update(Lead)
        .where(leads_of(emails, phones), Lead.opted_out_at.is_(None))
        .values(opted_out_at=now)
        .returning(Lead.id, Lead.school_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not marked:
        return Suppressed()
    lead_ids = [lead_id for lead_id, _ in marked]
    cancelled = db.session.execute(
        update(Delivery)
        .where(Delivery.lead_id.in_(lead_ids), Delivery.status == "pending")
        .values(status="cancelled", cancelled_at=now, cancel_reason=CANCEL_REASONS[reason])
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    notices = _write_notices(marked, now, reason, source)
    queued = _queue_notices(notices, now)
    return Suppressed(
        leads=len(marked),
        deliveries_cancelled=len(cancelled),
        schools_told=len({school_id for _, school_id in marked}),
        notices_queued=queued,
    )


def leads_of(email_hashes: set[str], phone_hashes: set[str]):
    """The condition on Lead for the leads matching any of these fingerprints (each side read
    through its own index, so an opt-out touches a person's few leads among millions)."""
    return or_(Lead.email_sha256.in_(email_hashes), Lead.phone_sha256.in_(phone_hashes))


def _add_to_list(entries: list[tuple[str, str]], now: datetime, source: dict) -> None:
    """Insert the (kind, sha256) entries not on the list yet (one already there stays as is,
    even when another request adds it at the same moment)."""
    if not entries:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {"kind": kind, "sha256": digest, "created_at": now, **source} for kind, digest in entries
    ]
    db.session.execute(
        insert(Suppression).values(rows).on_conflict_do_nothing(index_elements=["sha256"])
    )


def _write_notices(marked, now: datetime, reason: str, source: dict) -> list[LeadOptOut]:
    """One notice per lead, numbered in its school's opt-out feed.

    Raising school.opt_out_seq holds the school's row until commit (as a capture's
    next_feed_number does), so the feed's numbers become visible in order; schools are taken
    in id order, so two opt-outs never wait on each other crosswise.
    """
    by_school: dict[int, list[int]] = {}
    for lead_id, school_id in marked:
        by_school.setdefault(school_id, []).append(lead_id)
    notices = []
    for school_id in sorted(by_school):
        lead_ids = sorted(by_school[school_id])
        last = db.session.execute(
            update(School)
            .where(School.id == school_id)
            .values(opt_out_seq=School.opt_out_seq + len(lead_ids))
            .returning(School.opt_out_seq)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        first = last - len(lead_ids) + 1
        for seq, lead_id in enumerate(lead_ids, start=first):
            notices.append(
                LeadOptOut(
                    lead_id=lead_id,
                    school_id=school_id,
                    school_seq=seq,
                    opted_out_at=now,
                    reason=reason,
                    **source,
                )
            )
    db.session.add_all(notices)
    db.session.flush()
    return notices


def _queue_notices(notices: list[LeadOptOut], now: datetime) -> int:
    """Queue a `lead.opted_out` delivery of each notice to every destination that may have
    received its lead: delivered, tried at least once, or in the middle of a try (a delivery
    cancelled before it was ever sent reached no one). Returns how many were queued."""
    by_lead = {notice.lead_id: notice.id for notice in notices}
    reached = db.session.execute(
        select(Delivery.lead_id, Delivery.destination_id).where(
            Delivery.lead_id.in_(list(by_lead)),
            or_(
                Delivery.status == "delivered",
                Delivery.attempts > 0,
                Delivery.claimed_until.is_not(None),
            ),
        )
    ).all()
    for lead_id, destination_id in reached:
        db.session.add(
            Delivery(
                event=OPTED_OUT_EVENT,
                opt_out_id=by_lead[lead_id],
                destination_id=destination_id,
                webhook_id=f"msg_{secrets.token_hex(10)}_{destination_id}",
                status="pending",
                created_at=now,
                queued_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
    db.session.flush()  # on PostgreSQL the insert trigger wakes the workers at commit
    return len(reached)
