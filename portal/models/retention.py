"""Runs of the retention period: when, by whom or what, with which cutoff, and how many rows
each erased (or, for a dry run, would have erased); never whose."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

RETENTION_STATES = ("running", "complete", "stopped", "failed")


class RetentionRun(db.Model):
    """One run of `flask --app wsgi retention run` or of the delivery worker's daily run.

    Its counts grow batch by batch in the batches' own transactions, so a run that breaks off
    still says what it did. `slot` is the UTC day a worker's daily run stands for: unique, so
    of several workers starting it at once, one does (NULL for runs from the command line).
    """

    __tablename__ = "retention_run"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'complete', 'stopped', 'failed')", name="state"),
        Index("ix_retention_run_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(8), default="running")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(8))  # "cli" or "worker"
    actor: Mapped[str] = mapped_column(String(254))
    slot: Mapped[str | None] = mapped_column(String(10), unique=True)
    retention_days: Mapped[int] = mapped_column(Integer)
    # Leads that arrived before this moment are past the period.
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    leads_erased: Mapped[int] = mapped_column(Integer, default=0)
    notes_deleted: Mapped[int] = mapped_column(Integer, default=0)
    status_notes_erased: Mapped[int] = mapped_column(Integer, default=0)
    return_texts_erased: Mapped[int] = mapped_column(Integer, default=0)
    excerpts_erased: Mapped[int] = mapped_column(Integer, default=0)
    deliveries_cancelled: Mapped[int] = mapped_column(Integer, default=0)
    # Why a failed run stopped (the error's kind only: no data).
    error: Mapped[str | None] = mapped_column(String(200))
