"""Admin accounts and the audit trail of what is done with leads: exports and downloads (by
admins, and by school users of their own leads and statements), and deletions."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.program import School
from portal.models.types import UTCDateTime, utcnow

EXPORT_STATES = ("running", "complete", "aborted")
# What a file holds: leads in one of two column sets, everything (for the operator) or a
# school's; or a school's statement of a month.
EXPORT_COLUMN_SETS = ("full", "school", "statement")


class AdminUser(UserMixin, db.Model):
    """A site operator who signs in at /admin; the password is kept only as a slow hash."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by sign-out and by a password change: every session signed with an older value ends.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        """Flask-Login's question: may this account sign in?"""
        return self.is_enabled

    def get_id(self) -> str:
        """What the session keeps of the sign-in: kind, id and session version."""
        return f"admin:{self.id}:{self.session_version}"


class LeadExport(db.Model):
    """One CSV export of leads: who ran it, when, with which filters, and how many rows.

    With "mark as exported" the leads it claimed point back here (Lead.export_id), so each lead
    is sent once. `actor` names who ran it in words that stay true if accounts change later:
    an admin (source "web" or "cli"), or a school user downloading the school's own leads or
    statement (source "school", with school_user_id and school_id).
    """

    __tablename__ = "lead_export"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'complete', 'aborted')", name="state"),
        CheckConstraint("columns IN ('full', 'school', 'statement')", name="columns"),
        Index("ix_lead_export_created_at", "created_at"),
        Index("ix_lead_export_school_created", "school_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    school_user_id: Mapped[int | None] = mapped_column(ForeignKey("school_user.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    actor: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(8))  # "web", "cli" or "school"
    filters: Mapped[str] = mapped_column(Text)  # JSON of the filters, no personal data
    not_exported: Mapped[bool] = mapped_column(Boolean, default=False)
    mark_exported: Mapped[bool] = mapped_column(Boolean, default=False)
    columns: Mapped[str] = mapped_column(String(16), default="full", server_default="full")
    bom: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A zip of one CSV per school rather than one CSV.
    per_school: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A download again of an earlier export: the same leads, recorded as an export of its own.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("lead_export.id"))
    state: Mapped[str] = mapped_column(String(8), default="running")
    row_count: Mapped[int] = mapped_column(Integer, default=0)

    admin: Mapped[AdminUser | None] = relationship()
    school: Mapped[School | None] = relationship()
    repeat_of: Mapped["LeadExport | None"] = relationship(remote_side=[id])


class LeadExportItem(db.Model):
    """A lead that an export marked as exported: what that export's file held, for good.

    The lead's own export_id names only the last export that marked it (an admin may set it back
    to new and a later export send it again); these rows let any marking export be downloaded
    again with exactly its leads. A lead deleted on request takes its rows with it.
    """

    __tablename__ = "lead_export_item"

    export_id: Mapped[int] = mapped_column(
        ForeignKey("lead_export.id", ondelete="CASCADE"), primary_key=True
    )
    lead_id: Mapped[int] = mapped_column(
        ForeignKey("lead.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DataDeletion(db.Model):
    """A person's data deleted on request: when, by whom, how many leads and contact messages,
    and what the opt-out that comes with it did (deliveries cancelled, schools told); never
    whose."""

    __tablename__ = "data_deletion"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admin_user.id"))
    rows_deleted: Mapped[int] = mapped_column(Integer)  # leads
    messages_deleted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deliveries_cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    schools_told: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    admin: Mapped[AdminUser] = relationship()
