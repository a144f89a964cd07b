"""The delivery outbox: queueing a lead for its school's destinations (in the lead's own
transaction), claiming what is due, recording each attempt, redelivering by hand, and what
the admin pages show of it.

A delivery is claimed by a lease (`claimed_until`): the claim is one conditional UPDATE that
only takes rows whose lease has run out, after a SELECT that on PostgreSQL skips rows another
worker is claiming at that moment (FOR UPDATE SKIP LOCKED). A worker that dies mid-attempt
leaves a lease that runs out, and the delivery is tried again with the same webhook-id.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text, union_all, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Delivery, DeliveryAttempt, Destination, Lead, LeadOptOut
from portal.services.events import EVENT_TYPE, lead_data, opt_out_data
from portal.services.outbox import CHANNEL
from portal.services.paging import CappedPagination, capped_page
from portal.services.sql import seconds_between
from portal.services.transport import Answer, Target

log = logging.getLogger(__name__)

# A retry waits base x 2^(n-1), +/- 20% jitter, but never more than an hour, so a school whose
# endpoint comes back gets its waiting leads within the hour.
MAX_RETRY_DELAY = 3600.0
JITTER = 0.2
LEASE_MARGIN_SECONDS = 5.0
EXCERPT_CHARS = 500


class DeliveryNotFound(LookupError):
    """No delivery has this id."""


class CannotRedeliver(RuntimeError):
    """The delivery cannot be sent again now; the message says why."""


def retry_delay(attempts: int, base: float) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: about doubling, with jitter."""
    delay = min(base * 2 ** max(0, attempts - 1), MAX_RETRY_DELAY)
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease of."""

    delivery_id: int
    destination_id: int


def claim_due(
    now: datetime,
    lease_seconds: float,
    capacity: dict[int, int] | None,
    limit: int,
    per_destination: int | None = None,
) -> list[Claimed]:
    """Lease up to `limit` due deliveries, oldest due first; commit.

    `capacity` maps a destination id to how many more of its deliveries this worker may take
    now (a destination not in it: `per_destination`, or `limit`); destinations with none left
    are not even looked at, so one endpoint's backlog never stands in front of another
    school's new lead.
    """
    default = per_destination or limit
    capacity = dict(capacity or {})
    full = [dest for dest, free in capacity.items() if free <= 0]
    due = (
        select(Delivery.id, Delivery.destination_id)
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            Destination.is_enabled.is_(True),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit * 4)
        .with_for_update(of=Delivery, skip_locked=True)
    )
    if full:
        due = due.where(Delivery.destination_id.not_in(full))
    try:
        wanted = []
        for delivery_id, destination_id in db.session.execute(due).all():
            if len(wanted) == limit:
                break
            if capacity.get(destination_id, default) > 0:
                capacity[destination_id] = capacity.get(destination_id, default) - 1
                wanted.append(delivery_id)
        if not wanted:
            db.session.rollback()
            return []
        until = now + timedelta(seconds=lease_seconds)
        rows = db.session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(wanted),
                Delivery.status == "pending",
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .values(claimed_until=until)
            .returning(Delivery.id, Delivery.destination_id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return [Claimed(delivery_id, destination_id) for delivery_id, destination_id in rows]


def target_of(destination: Destination, now: datetime) -> Target:
    """What a send needs of a destination (read now, so a rotation takes effect at once)."""
    return Target(
        destination_id=destination.id,
        school_id=destination.school_id,
        school_name=destination.school.name,
        kind=destination.kind,
        url=destination.url,
        email_to=[a.strip() for a in (destination.email_to or "").split(",") if a.strip()],
        secrets=destination.signing_secrets(now),
    )


@dataclass(frozen=True)
class Job:
    """A claimed delivery, ready to send: where, under which webhook-id, which event (a lead,
    or the notice that its person opted out) and its data."""

    delivery_id: int
    webhook_id: str
    target: Target
    data: dict
    event: str = EVENT_TYPE


def prepare(delivery_id: int, now: datetime) -> Job | None:
    """Read what a claimed delivery sends, then end the transaction (None: nothing to send,
    because the delivery was deleted, cancelled (its person opted out) or is no longer
    pending)."""
    try:
        delivery = db.session.get(
            Delivery,
            delivery_id,
            options=[joinedload(Delivery.destination).joinedload(Destination.school)],
        )
        if delivery is None or delivery.status != "pending":
            return None
        if delivery.event == EVENT_TYPE:
            data = lead_data(delivery.lead_id)
        else:
            data = opt_out_data(delivery.opt_out_id)
        if data is None:
            return None
        target = target_of(delivery.destination, now)
        return Job(delivery.id, delivery.webhook_id, target, data, delivery.event)
    finally:
        db.session.rollback()


def lease_seconds(timeout: float) -> float:
    """How long a claim holds: one attempt's whole deadline and a margin."""
    return timeout + LEASE_MARGIN_SECONDS


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery after an attempt."""

    status: str  # pending (a retry is due at next_attempt_at), delivered or failed
    next_attempt_at: datetime | None = None
    destination_disabled: bool = False


def record_attempt(
    delivery_id: int,
    answer: Answer,
    started_at: datetime,
    now: datetime,
    retry_base: float,
    max_age: timedelta,
) -> Outcome | None:
    """Store an attempt and move the delivery on: delivered, a retry later, or failed; commit.

    410 Gone fails the delivery at once and switches its destination off. Any other failure is
    retried until queued_at + max_age, the last try at that moment, then the delivery fails.
    A delivery no longer pending (delivered by another attempt, or deleted) only gets the
    attempt written (or nothing, when deleted); returns None then.
    """
    try:
        delivery = db.session.get(
            Delivery, delivery_id, with_for_update=True, populate_existing=True
        )
        if delivery is None:
            db.session.rollback()
            return None
        db.session.add(_attempt_row(delivery.destination_id, delivery_id, answer, started_at))
        if delivery.status != "pending":
            db.session.commit()
            return None
        delivery.attempts += 1
        delivery.claimed_until = None
        outcome = _move_on(delivery, answer, now, retry_base, max_age)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _move_on(delivery: Delivery, answer: Answer, now, retry_base, max_age) -> Outcome:
    """Set the delivery's state after this answer (the caller commits)."""
    if answer.succeeded:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.last_error = None
        return Outcome("delivered")
    delivery.last_error = describe(answer)[:500]
    if answer.status == 410:
        delivery.status = "failed"
        delivery.failed_at = now
        destination = delivery.destination
        destination.is_enabled = False
        destination.disabled_at = now
        destination.disabled_reason = (
            f"The endpoint answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC, so it was switched "
            "off. Check the URL with the school, then switch it on again."
        )
        return Outcome("failed", destination_disabled=True)
    give_up_at = delivery.queued_at + max_age
    if now >= give_up_at:
        delivery.status = "failed"
        delivery.failed_at = now
        return Outcome("failed")
    delay = timedelta(seconds=retry_delay(delivery.attempts, retry_base))
    delivery.next_attempt_at = min(now + delay, give_up_at)
    return Outcome("pending", delivery.next_attempt_at)


def describe(answer: Answer) -> str:
    """An attempt's outcome in a few words: the error, or the status and what it means."""
    if answer.error:
        return answer.error
    if answer.status is None:
        return "no answer"
    if answer.location is not None:
        return f"HTTP {answer.status}: a redirect to {answer.location[:300]}, not followed"
    return f"HTTP {answer.status}" if answer.status >= 100 else str(answer.status)


def record_test_attempt(destination_id: int, answer: Answer, started_at: datetime) -> None:
    """Store the attempt of a test event (no delivery); commit."""
    db.session.add(_attempt_row(destination_id, None, answer, started_at))
    db.session.commit()


def _attempt_row(destination_id, delivery_id, answer: Answer, started_at) -> DeliveryAttempt:
    """The DeliveryAttempt row for an answer."""
    # A bare status needs no words; an error, a redirect or an unexpected reply does.
    plain = answer.error is None and answer.location is None and answer.status is not None
    error = None if answer.succeeded or plain else describe(answer)
    return DeliveryAttempt(
        delivery_id=delivery_id,
        destination_id=destination_id,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        succeeded=answer.succeeded,
        status_code=answer.status,
        error=error[:500] if error else None,
        response_excerpt=answer.excerpt[:EXCERPT_CHARS].replace("\x00", "\ufffd"),
    )


def redeliver(delivery_id: int, now: datetime) -> Delivery:
    """Send a delivery again from now on, with the same webhook-id and a new 72-hour window."""
    delivery = db.session.get(
        Delivery,
        delivery_id,
        options=[joinedload(Delivery.destination), joinedload(Delivery.lead)],
    )
    if delivery is None:
        raise DeliveryNotFound(delivery_id)
    if delivery.status == "cancelled" or (
        delivery.lead is not None and delivery.lead.opted_out_at is not None
    ):
        raise CannotRedeliver("The person opted out: their lead is never sent again.")
    # Locked, so retention cannot erase the lead between this look and the commit.
    erased = db.session.scalar(
        select(Lead.erased_at).where(Lead.id == delivery.lead_id).with_for_update()
    )
    if erased is not None:
        raise CannotRedeliver(
            "The lead's personal details were erased at the end of the retention period; "
            "there is nothing left to send."
        )
    if not delivery.destination.is_enabled:
        raise CannotRedeliver("Switch the destination on first; it is off.")
    if delivery.status == "pending":
        raise CannotRedeliver("That delivery is still being tried.")
    delivery.status = "pending"
    delivery.queued_at = now
    delivery.next_attempt_at = now
    delivery.attempts = 0
    delivery.failed_at = None
    delivery.claimed_until = None
    notify_workers()
    db.session.commit()
    return delivery


def notify_workers() -> None:
    """Wake the PostgreSQL workers at commit (NOTIFY); SQLite's workers poll."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {CHANNEL}"))


def next_due(now: datetime) -> datetime | None:
    """When the next pending, unclaimed delivery falls due (None: none is)."""
    return db.session.scalar(
        select(func.min(Delivery.next_attempt_at))
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(
            Delivery.status == "pending",
            Destination.is_enabled.is_(True),
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
        )
    )


# What the admin pages show.


def lead_deliveries(lead_id: int) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    """A lead's deliveries (and the notices of its opt-out), each with its attempts, oldest
    first."""
    notices = select(LeadOptOut.id).where(LeadOptOut.lead_id == lead_id)
    deliveries = list(
        db.session.scalars(
            select(Delivery)
            .options(joinedload(Delivery.destination), joinedload(Delivery.opt_out))
            .where(or_(Delivery.lead_id == lead_id, Delivery.opt_out_id.in_(notices)))
            .order_by(Delivery.id)
        )
    )
    attempts: dict[int, list[DeliveryAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        for attempt in db.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
            .order_by(DeliveryAttempt.started_at, DeliveryAttempt.id)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [(delivery, attempts[delivery.id]) for delivery in deliveries]


def school_attempts(school_id: int, page: int = 1, per_page: int = 50) -> CappedPagination:
    """The delivery log of one school: every attempt, newest first (counted up to COUNT_CAP).

    Each of the school's destinations gives its newest attempts from its own index, and the
    page is taken from those (a school has a few destinations, and a long log).
    """
    destinations = list(
        db.session.scalars(select(Destination.id).where(Destination.school_id == school_id))
    )
    newest = (DeliveryAttempt.started_at.desc(), DeliveryAttempt.id.desc())

    def attempts(limit: int, offset: int) -> list[DeliveryAttempt]:
        if not destinations:
            return []
        each = [
            select(DeliveryAttempt.id, DeliveryAttempt.started_at)
            .where(DeliveryAttempt.destination_id == destination_id)
            .order_by(*newest)
            .limit(offset + limit)
            .subquery()
            .select()
            for destination_id in destinations
        ]
        merged = union_all(*each).subquery()
        ids = list(
            db.session.scalars(
                select(merged.c.id)
                .order_by(merged.c.started_at.desc(), merged.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        found = db.session.scalars(
            select(DeliveryAttempt)
            .options(
                joinedload(DeliveryAttempt.destination),
                joinedload(DeliveryAttempt.delivery).joinedload(Delivery.opt_out),
            )
            .where(DeliveryAttempt.id.in_(ids))
            .order_by(*newest)
        )
        return list(found)

    count = select(DeliveryAttempt.id).where(DeliveryAttempt.destination_id.in_(destinations))
    return capped_page(attempts, count, page, per_page)


def school_failed(school_id: int, limit: int = 100) -> list[Delivery]:
    """The school's failed deliveries, newest first, for redelivering by hand (not those of
    leads whose person opted out since: they are never sent again)."""
    return list(
        db.session.scalars(
            select(Delivery)
            .join(Destination, Destination.id == Delivery.destination_id)
            .outerjoin(Lead, Lead.id == Delivery.lead_id)
            .options(joinedload(Delivery.destination), joinedload(Delivery.opt_out))
            .where(
                Destination.school_id == school_id,
                Delivery.status == "failed",
                Lead.opted_out_at.is_(None),
            )
            .order_by(Delivery.failed_at.desc(), Delivery.id.desc())
            .limit(limit)
        )
    )


def school_cancelled(school_id: int, limit: int = 100) -> list[Delivery]:
    """The school's cancelled deliveries (their person opted out first), newest first."""
    return list(
        db.session.scalars(
            select(Delivery)
            .join(Destination, Destination.id == Delivery.destination_id)
            .options(joinedload(Delivery.destination))
            .where(Destination.school_id == school_id, Delivery.status == "cancelled")
            .order_by(Delivery.cancelled_at.desc(), Delivery.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class DeliveryFigures:
    """The dashboard's delivery figures."""

    pending: int
    held: int  # pending, but the destination is switched off
    failed: int
    switched_off_by_endpoint: int
    delivered_7d: int
    median_seconds: float | None
    p95_seconds: float | None


def delivery_figures(now: datetime, days: int = 7) -> DeliveryFigures:
    """Pending and failed deliveries now; capture-to-delivery time over the last `days` days.

    The time runs from the lead's capture (its created_at) to the first successful attempt.
    """
    counts = dict(
        db.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.status.in_(("pending", "failed")))
            .group_by(Delivery.status)
        ).all()
    )
    held = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(Delivery.status == "pending", Destination.is_enabled.is_(False))
    )
    gone = db.session.scalar(
        select(func.count())
        .select_from(Destination)
        .where(Destination.is_enabled.is_(False), Destination.disabled_reason.is_not(None))
    )
    # A delivery is queued in its lead's transaction, stamped with the lead's created_at. The
    # database sorts the waits and hands back only the ones the median and p95 are.
    wait = seconds_between(Delivery.created_at, Delivery.delivered_at)
    recent = Delivery.delivered_at >= now - timedelta(days=days)
    delivered = db.session.scalar(select(func.count()).where(recent))

    def nth_wait(rank: int) -> float:
        """The rank-th smallest wait (from 1), not below 0."""
        found = db.session.scalar(
            select(wait).where(recent).order_by(wait).offset(rank - 1).limit(1)
        )
        return max(0.0, float(found))

    median = p95 = None
    if delivered:
        middle = (delivered + 1) // 2
        median = nth_wait(middle)
        if delivered % 2 == 0:
            median = (median + nth_wait(middle + 1)) / 2
        p95 = nth_wait(percentile_rank(delivered, 95))
    return DeliveryFigures(
        pending=counts.get("pending", 0) - held,
        held=held,
        failed=counts.get("failed", 0),
        switched_off_by_endpoint=gone,
        delivered_7d=delivered,
        median_seconds=median,
        p95_seconds=p95,
    )


def percentile_rank(count: int, pct: float) -> int:
    """The rank (from 1) of the pct-th percentile of `count` sorted values (nearest rank)."""
    return int(max(1, -(-count * pct // 100)))
