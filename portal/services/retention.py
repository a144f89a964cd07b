"""The retention period (LEAD_RETENTION_DAYS): erasing the personal details of leads older
than it, in batches, and recording each run with its counts.

What an erased lead loses: the name, email, phone, IP address, user agent, page URL and
referrer (set to NULL) and the signed consent receipt (its payload holds the IP address, user
agent and page URL). What it keeps, for accounting and statistics: school, program, campus,
career, price, status, billable, dates, outcome, ZIP code and state, education and start
choices, the consent text and its hash, the form's hash, the receipt's id, the fingerprints of
the email and phone, and the utm_ tags; `erased_at` says when. Other personal data tied to the
lead goes with it: admins' notes on it are deleted, the notes of its status changes cleared
(the changes stay), the free text of a return (the school's and the admin's) cleared (the
return and its decision stay), the answer excerpts of its delivery attempts cleared, and a
delivery still waiting is not sent (marked failed, saying why).

Each batch is one UPDATE of up to BATCH leads, picked oldest first by the index of the leads
not erased yet (ix_lead_unerased_created), with its related rows, committed with the run's
counts. On PostgreSQL two runs at once skip each other's locked leads (SKIP LOCKED); on SQLite
writers take turns. Either way no lead is erased or counted twice, and a second run finds
nothing left to do. A dry run counts the same rows and changes none.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Delivery,
    DeliveryAttempt,
    Lead,
    LeadNote,
    LeadReturn,
    LeadStatusChange,
    RetentionRun,
)

BATCH = 1000
# The worker's daily run is skipped while a complete run finished less than this long ago.
DAILY = timedelta(hours=24)
NOT_SENT = "Not sent: the lead's personal details were erased (retention period)."
ERASED_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone_e164",
    "ip_address",
    "user_agent",
    "page_url",
    "referrer",
    "consent_receipt",
)
WORKER = "delivery worker"
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Counts:
    """What one batch (or a dry run) erased or would erase, row kind by row kind."""

    leads: int = 0
    notes: int = 0
    status_notes: int = 0
    return_texts: int = 0
    excerpts: int = 0
    deliveries: int = 0

    def columns(self) -> dict:
        """The run's counter columns these numbers go into."""
        return {
            "leads_erased": self.leads,
            "notes_deleted": self.notes,
            "status_notes_erased": self.status_notes,
            "return_texts_erased": self.return_texts,
            "excerpts_erased": self.excerpts,
            "deliveries_cancelled": self.deliveries,
        }


def cutoff_for(now: datetime, days: int) -> datetime:
    """The moment before which a lead is past the period."""
    return now - timedelta(days=days)


def run_retention(
    now: datetime,
    days: int,
    actor: str,
    *,
    dry_run: bool = False,
    source: str = "cli",
    batch_size: int = BATCH,
    should_stop: Callable[[], bool] | None = None,
) -> RetentionRun:
    """Erase (or with dry_run, count) the personal details of leads that arrived more than
    `days` days before `now`, and record the run; commits batch by batch."""
    run = _start(now, days, actor, dry_run=dry_run, source=source)
    return _carry_out(run.id, _clock(now), batch_size, should_stop)


def run_daily_retention(
    now: datetime,
    days: int,
    *,
    batch_size: int = BATCH,
    should_stop: Callable[[], bool] | None = None,
) -> RetentionRun | None:
    """The delivery worker's run: none while a complete run finished within 24 hours, and
    at most one per UTC day however many workers ask at once. None when skipped."""
    if _finished_since(now - DAILY):
        return None
    try:
        run = _start(now, days, WORKER, dry_run=False, source="worker", slot=now.date().isoformat())
    except IntegrityError:
        return None  # another worker holds today's run
    return _carry_out(run.id, _clock(now), batch_size, should_stop)


def _finished_since(moment: datetime) -> bool:
    """Whether a complete run (not a dry run) finished at or after `moment`."""
    try:
        return (
            db.session.scalar(
                select(RetentionRun.id)
                .where(
                    RetentionRun.state == "complete",
                    RetentionRun.dry_run.is_(False),
                    RetentionRun.finished_at >= moment,
                )
                .limit(1)
            )
            is not None
        )
    finally:
        db.session.rollback()


def _start(
    now: datetime, days: int, actor: str, *, dry_run: bool, source: str, slot: str | None = None
) -> RetentionRun:
    """Record a run as started; commit (IntegrityError: the slot is taken)."""
    run = RetentionRun(
        started_at=now,
        dry_run=dry_run,
        source=source,
        actor=actor[:254],
        slot=slot,
        retention_days=days,
        cutoff=cutoff_for(now, days),
        state="running",
    )
    db.session.add(run)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return run


def _clock(now: datetime) -> Callable[[], datetime]:
    """The time as the run goes on: `now` and the time since (so erased_at and finished_at
    keep to the caller's clock)."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def _carry_out(
    run_id: int,
    clock: Callable[[], datetime],
    batch_size: int,
    should_stop: Callable[[], bool] | None,
) -> RetentionRun:
    """Do the recorded run: its batches (or its counts), then its end; the run, refreshed."""
    run = db.session.get(RetentionRun, run_id)
    cutoff, dry_run = run.cutoff, run.dry_run
    db.session.rollback()
    state, error = "complete", None
    try:
        if dry_run:
            _add_counts(run_id, _count(cutoff))
        else:
            reached = None
            while True:
                if should_stop is not None and should_stop():
                    state = "stopped"
                    break
                erased, reached = _erase_batch(run_id, cutoff, batch_size, clock(), reached)
                if erased < batch_size:
                    break
    except Exception as exc:
        db.session.rollback()
        state, error = "failed", type(exc).__name__
        _finish(run_id, state, error, clock())
        raise
    return _finish(run_id, state, error, clock())


def _candidates(cutoff: datetime, model=Lead):
    """The conditions of a lead past the period whose details are still there."""
    return (model.erased_at.is_(None), model.created_at < cutoff)


def _erase_batch(
    run_id: int, cutoff: datetime, batch_size: int, now: datetime, reached: datetime | None
) -> tuple[int, datetime | None]:
    """Erase the oldest `batch_size` leads past the period (that arrived at or after
    `reached`, where the last batch got to) and what is tied to them, and add the counts to
    the run; commit. Returns how many leads it erased, and where it got to."""
    picked = aliased(Lead)
    oldest = (
        select(picked.id)
        .where(*_candidates(cutoff, picked))
        .order_by(picked.created_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    if reached is not None:
        # Start where the last batch ended: on PostgreSQL the index keeps the entries of
        # rows just erased until VACUUM, and walking them again each batch adds up.
        oldest = oldest.where(picked.created_at >= reached)
    try:
        # The first statement writes, so on SQLite the batch holds the write lock throughout.
        # A CTE, materialized: as a subquery, PostgreSQL may run it again for each row it
        # updates, and a run again skips the rows this statement already changed and locks
        # the next ones, so the batch grows past its size.
        batch = oldest.cte("batch").prefix_with("MATERIALIZED", dialect="postgresql")
        rows = db.session.execute(
            update(Lead)
            .where(Lead.id.in_(select(batch.c.id)), Lead.erased_at.is_(None))
            .values({**dict.fromkeys(ERASED_COLUMNS), "erased_at": now})
            .returning(Lead.id, Lead.created_at)
            .execution_options(synchronize_session=False)
        ).all()
        ids = [lead_id for lead_id, _ in rows]
        if ids:
            _add_counts(run_id, _erase_related(ids, now), commit=False)
            reached = max(created for _, created in rows)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(ids), reached


def _erase_related(ids: list[int], now: datetime) -> Counts:
    """Erase the personal data tied to these (just erased) leads; the counts (not committed)."""
    deliveries = select(Delivery.id).where(Delivery.lead_id.in_(ids))
    statements = {
        "notes": LeadNote.__table__.delete().where(LeadNote.lead_id.in_(ids)),
        "status_notes": update(LeadStatusChange)
        .where(LeadStatusChange.lead_id.in_(ids), LeadStatusChange.note.is_not(None))
        .values(note=None),
        "return_texts": update(LeadReturn)
        .where(
            LeadReturn.lead_id.in_(ids),
            or_(LeadReturn.text != "", LeadReturn.decision_note != ""),
        )
        .values(text="", decision_note=""),
        "excerpts": update(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_(deliveries), DeliveryAttempt.response_excerpt != "")
        .values(response_excerpt=""),
        "deliveries": update(Delivery)
        .where(Delivery.lead_id.in_(ids), Delivery.status == "pending")
        .values(status="failed", failed_at=now, claimed_until=None, last_error=NOT_SENT),
    }
    counts = {
        name: db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
        for name, statement in statements.items()
    }
    return Counts(leads=len(ids), **counts)


def _count(cutoff: datetime) -> Counts:
    """What a run would erase now (a dry run): counted in the database, nothing loaded."""
    leads = select(Lead.id).where(*_candidates(cutoff))
    deliveries = select(Delivery.id).where(Delivery.lead_id.in_(leads))

    def count(model, *conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))

    try:
        return Counts(
            leads=count(Lead, *_candidates(cutoff)),
            notes=count(LeadNote, LeadNote.lead_id.in_(leads)),
            status_notes=count(
                LeadStatusChange,
                LeadStatusChange.lead_id.in_(leads),
                LeadStatusChange.note.is_not(None),
            ),
            return_texts=count(
                LeadReturn,
                LeadReturn.lead_id.in_(leads),
                or_(LeadReturn.text != "", LeadReturn.decision_note != ""),
            ),
            excerpts=count(
                DeliveryAttempt,
                DeliveryAttempt.delivery_id.in_(deliveries),
                DeliveryAttempt.response_excerpt != "",
            ),
            deliveries=count(Delivery, Delivery.lead_id.in_(leads), Delivery.status == "pending"),
        )
    finally:
        db.session.rollback()


def _add_counts(run_id: int, counts: Counts, commit: bool = True) -> None:
    """Add counts to the run's counters (committed unless told not to)."""
    values = {
        column: getattr(RetentionRun, column) + value for column, value in counts.columns().items()
    }
    db.session.execute(
        update(RetentionRun)
        .where(RetentionRun.id == run_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()


def _finish(run_id: int, state: str, error: str | None, now: datetime) -> RetentionRun:
    """Record the run's end; commit. The run, as stored."""
    try:
        db.session.execute(
            update(RetentionRun)
            .where(RetentionRun.id == run_id)
            .values(state=state, finished_at=now, error=error)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return db.session.get(RetentionRun, run_id, populate_existing=True)


def recent_retention_runs(limit: int = 20) -> list[RetentionRun]:
    """The latest retention runs, dry runs too, newest first."""
    query = (
        select(RetentionRun)
        .order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def period_in_words(days: int) -> str:
    """The period as people say it: "five years" for 1,826 days (any 365 to 366 a year),
    else the days, "90 days"."""
    years = round(days / 365.25)
    if years >= 1 and 365 * years <= days <= 366 * years:
        number = NUMBER_WORDS[years - 1] if years <= len(NUMBER_WORDS) else f"{years:,}"
        return f"{number} year{'' if years == 1 else 's'}"
    return f"{days:,} day{'' if days == 1 else 's'}"
