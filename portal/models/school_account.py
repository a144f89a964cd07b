"""What a school does in its own account: its users, the outcomes and returns it records for
its leads, its API tokens, what it is billed (changes to the bill after a lead arrived, and
the closed monthly statements), and its listings' daily figures."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.program import School
from portal.models.types import UTCDateTime, utcnow

# What became of a lead, as the school reports it, with the words its pages show.
LEAD_OUTCOMES = {
    "contacted": "Contacted",
    "unreachable": "Unreachable",
    "applied": "Applied",
    "enrolled": "Enrolled",
    "not_interested": "Not interested",
}
# Why a school returns a lead for credit.
RETURN_REASONS = {
    "wrong_number": "Wrong number",
    "disconnected": "Disconnected number",
    "never_requested": "Never requested information",
    "duplicate": "Duplicate",
    "outside_service_area": "Outside our service area",
    "other": "Other",
}
RETURN_STATES = ("requested", "approved", "denied")
# The lines of a statement: a lead received and billed, received and not billed (a repeat),
# billed with a return waiting for the operator's decision, and a credit.
STATEMENT_LINE_KINDS = ("charge", "duplicate", "return_pending", "credit")
# What changed a lead's bill after it arrived: a return approved, a rejection by an admin
# (both credits), or a rejection taken back (charged again).
BILLING_CHANGE_CAUSES = ("return", "rejection", "take_back")
_OUTCOME_CODES = ", ".join(f"'{code}'" for code in LEAD_OUTCOMES)
_RETURN_CODES = ", ".join(f"'{code}'" for code in RETURN_REASONS)


class SchoolUser(UserMixin, db.Model):
    """Someone of a school who signs in at /school; the password is kept only as a slow hash."""

    __tablename__ = "school_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by sign-out, a password change and disabling: older sessions end.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    school: Mapped[School] = relationship()

    @property
    def is_active(self) -> bool:
        """Flask-Login's question: may this account sign in?"""
        return self.is_enabled

    def get_id(self) -> str:
        """What the session keeps of the sign-in: kind, id and session version."""
        return f"school:{self.id}:{self.session_version}"


class LeadOutcome(db.Model):
    """One outcome a school recorded for one of its leads (the lead keeps the latest)."""

    __tablename__ = "lead_outcome"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_OUTCOME_CODES})", name="outcome"),
        Index("ix_lead_outcome_lead_created", "lead_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    school_user_id: Mapped[int | None] = mapped_column(ForeignKey("school_user.id"))
    actor: Mapped[str] = mapped_column(String(254))  # the user's email, or "API token abcd1234"


class LeadReturn(db.Model):
    """A school's request to return a lead for credit, and the operator's decision.

    One return per lead: a denied return is final (the note says why). An approved return
    makes the lead not billable, and is credited in the statement of the month of approval.
    """

    __tablename__ = "lead_return"
    __table_args__ = (
        CheckConstraint(f"reason IN ({_RETURN_CODES})", name="reason"),
        CheckConstraint("status IN ('requested', 'approved', 'denied')", name="status"),
        CheckConstraint(
            "(status = 'requested') = (decided_at IS NULL)", name="decided_when_not_requested"
        ),
        Index("ix_lead_return_status_requested", "status", "requested_at"),
        Index("ix_lead_return_school_decided", "school_id", "decided_at"),
        Index("ix_lead_return_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    reason: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("school_user.id"))
    requested_by: Mapped[str] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    school: Mapped[School] = relationship()


class SchoolApiToken(db.Model):
    """A token a school's CRM pulls leads with; only its SHA-256 is kept (and a prefix to
    recognise it by)."""

    __tablename__ = "school_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    # The school user who made it (None: made from the shell or by the operator). Disabling
    # that user revokes it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("school_user.id"), index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BillingChange(db.Model):
    """A change to what a school is billed for one of its leads after the lead arrived, entered
    the moment the lead's `billable` flipped: a credit (a return approved, a rejection by an
    admin) or a charge again (a rejection taken back). It belongs to the statement of the month
    it was made in, whatever month the lead arrived in, and is never changed.

    lead_id is no foreign key: a lead deleted on request leaves the change for the statement
    of the month it was made in (see portal.services.statements for which count).
    """

    __tablename__ = "billing_change"
    __table_args__ = (
        CheckConstraint("kind IN ('credit', 'charge')", name="kind"),
        CheckConstraint("cause IN ('return', 'rejection', 'take_back')", name="cause"),
        Index("ix_billing_change_school_created", "school_id", "created_at", "id"),
        Index("ix_billing_change_lead_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    lead_id: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    lead_received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(8))
    cause: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(24))  # the return's or the rejection's
    amount_cents: Mapped[int] = mapped_column(Integer)  # negative for a credit


class Statement(db.Model):
    """A school's statement of a month that has ended, written once and never changed."""

    __tablename__ = "statement"
    __table_args__ = (UniqueConstraint("school_id", "month", name="uq_statement_school_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM (UTC)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total_cents: Mapped[int] = mapped_column(Integer)
    # False for statements closed before a line was written per lead (0012): their charges are
    # grouped by program and price, and they stay as they were written.
    lines_by_lead: Mapped[bool] = mapped_column(Boolean, default=True, server_default="0")

    lines: Mapped[list["StatementLine"]] = relationship(
        order_by="StatementLine.position", cascade="all, delete-orphan"
    )


class StatementLine(db.Model):
    """One line of a closed statement, copied in words so later changes to listings leave it
    alone: one per lead received in the month (charge, duplicate, return_pending) and one per
    change to a bill made in the month (credit, or charge again). Statements closed before
    0012 have one charge line per program and price (`quantity` leads, no lead)."""

    __tablename__ = "statement_line"
    __table_args__ = (
        CheckConstraint("kind IN ('charge', 'duplicate', 'return_pending', 'credit')", name="kind"),
        Index("ix_statement_line_lead_id", "lead_id"),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    program_id: Mapped[int | None] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(300))
    lead_id: Mapped[int | None] = mapped_column(Integer)
    lead_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)  # negative for a credit
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class ListingDay(db.Model):
    """A listing's counters of one UTC day: times shown on a results page, request forms
    viewed (written in batches, see portal.services.listing_stats)."""

    __tablename__ = "listing_day"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    form_views: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
