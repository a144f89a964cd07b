"""The transactional outbox: a captured lead is queued for its school's destinations in the
lead's own transaction, so a lead that was stored is never left undelivered.

Kept apart from the sending code so that lead capture imports nothing of it.
"""

import secrets
from datetime import datetime

from sqlalchemy import String, bindparam, cast, insert, literal, select

from portal.extensions import db
from portal.models import Delivery, Destination

# PostgreSQL's NOTIFY channel that wakes the delivery workers.
CHANNEL = "portal_delivery"

# One statement per captured lead: a row for each of the school's enabled destinations.
# The webhook-id is a per-lead random part and the destination's id, so it is unique, fixed
# from the start, and says nothing about how many leads there are.
_QUEUE = insert(Delivery.__table__).from_select(
    [
        "lead_id",
        "destination_id",
        "webhook_id",
        "status",
        "created_at",
        "queued_at",
        "next_attempt_at",
        "attempts",
    ],
    select(
        bindparam("lead_id"),
        Destination.id,
        literal("msg_") + bindparam("nonce") + literal("_") + cast(Destination.id, String),
        literal("pending"),
        bindparam("now"),
        bindparam("now"),
        bindparam("now"),
        literal(0),
    ).where(Destination.school_id == bindparam("school_id"), Destination.is_enabled.is_(True)),
)


def queue_deliveries(lead_id: int, school_id: int, now: datetime) -> None:
    """Queue the lead for each enabled destination of its school (no commit: the caller's).

    On PostgreSQL the insert also wakes the workers (a trigger sends NOTIFY at commit).
    """
    db.session.execute(
        _QUEUE,
        {
            "lead_id": lead_id,
            "school_id": school_id,
            "now": now,
            "nonce": secrets.token_hex(10),
        },
    )
