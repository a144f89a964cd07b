"""Enrollment-information requests ("leads") with the evidence of the visitor's consent, and
what admins do with them: status changes (with their history) and notes."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.program import Campus, Program, School
from portal.models.types import UTCDateTime, utcnow

LEAD_STATUSES = ("new", "exported", "rejected")
# Why an admin rejected a lead: the code stored, and what the admin pages and files say.
REJECT_REASONS = {
    "test": "Test or fake",
    "duplicate": "Duplicate",
    "out_of_area": "Out of area",
    "invalid_contact": "Invalid contact details",
    "other": "Other",
}
_REASON_CODES = ", ".join(f"'{code}'" for code in REJECT_REASONS)


class Lead(db.Model):
    """A visitor's request for information from one school about one program.

    A repeat of the same email for the same program within 30 days is kept as a non-billable
    duplicate pointing at the first, so exports never bill it and nothing is lost. A rejected
    lead is not billable either (portal.services.lead_status keeps `billable` true exactly for
    leads that are neither), and carries the reason it was rejected for.
    """

    __tablename__ = "lead"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'exported', 'rejected')", name="status"),
        CheckConstraint(f"reject_reason IN ({_REASON_CODES})", name="reject_reason"),
        CheckConstraint(
            "(status = 'rejected' AND reject_reason IS NOT NULL)"
            " OR (status <> 'rejected' AND reject_reason IS NULL)",
            name="rejected_with_reason",
        ),
        Index("ix_lead_program_email_created", "program_id", "email", "created_at"),
        Index("ix_lead_created_at", "created_at"),
        Index("ix_lead_status_created", "status", "created_at"),
        Index("ix_lead_email", "email"),
        Index("ix_lead_phone_e164", "phone_e164"),
        Index("ix_lead_school_seq", "school_id", "school_seq", unique=True),
        # An opt-out finds a person's leads by these, among a year's million.
        Index("ix_lead_email_sha256", "email_sha256"),
        Index("ix_lead_phone_sha256", "phone_sha256"),
        # A school's leads of a period in order of arrival: statements, the school's pages.
        Index("ix_lead_school_created", "school_id", "created_at", "id"),
        # The leads retention has still to erase, oldest first: erased ones leave the index,
        # so each run starts at the first lead left, however many were erased before.
        Index(
            "ix_lead_unerased_created",
            "created_at",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
        # A school's leads by outcome then date (portal.services.school_leads).
        Index("ix_lead_school_outcome_created", "school_id", "outcome", "created_at"),
        # The admin's search for a part of a name or an email (portal.services.admin_leads),
        # on PostgreSQL only: trigram indexes (pg_trgm) of the very expressions it compares,
        # FULL_NAME and the email lowered, as PostgreSQL writes them back (so Alembic can
        # compare them).
        Index(
            "ix_lead_name_trgm",
            literal_column("lower((first_name || ' ') || last_name)").label("full_name"),
            postgresql_using="gin",
            postgresql_ops={"full_name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_lead_email_trgm",
            literal_column("lower(email)").label("email_lower"),
            postgresql_using="gin",
            postgresql_ops={"email_lower": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        # Only the leads waiting to be exported (WAITING), for the dashboard's count of them.
        Index(
            "ix_lead_waiting",
            "created_at",
            "id",
            postgresql_where=text("status = 'new' AND billable IS true"),
            sqlite_where=text("status = 'new' AND billable IS true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("campus.id"))
    career: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="new")
    reject_reason: Mapped[str | None] = mapped_column(String(16))
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))

    # The person's name and contact details: NULL once retention has erased them (erased_at).
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone_e164: Mapped[str | None] = mapped_column(String(16))
    zip_code: Mapped[str] = mapped_column(String(5))
    state: Mapped[str] = mapped_column(String(2))
    education_level: Mapped[str] = mapped_column(String(32))
    start_timeframe: Mapped[str] = mapped_column(String(32))

    # Consent evidence: what was shown, when, to whom and where.
    consent_text: Mapped[str] = mapped_column(Text)
    consent_sha256: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # These three (and the referrer) are NULL once erased, like the contact details.
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512), default="")
    page_url: Mapped[str | None] = mapped_column(String(2048), default="")
    # Whether the browser sent `Sec-GPC: 1` (Global Privacy Control) with the request.
    gpc: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Fingerprints of the contact details (portal.services.contact_hashes): kept when the
    # details themselves are erased, so opt-outs and receipts can still be matched.
    email_sha256: Mapped[str | None] = mapped_column(String(64))
    phone_sha256: Mapped[str | None] = mapped_column(String(64))
    # The signed consent receipt (a compact JWS), its random id (`jti`), and the SHA-256 of
    # the form the visitor was shown (per-visitor values left out). NULL before receipts.
    consent_receipt: Mapped[str | None] = mapped_column(Text)
    receipt_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    form_sha256: Mapped[str | None] = mapped_column(String(64))
    # When the person opted out ("Do Not Sell or Share", or a deletion on request): from then
    # on the lead leaves the system nowhere (portal.services.opt_outs). Not indexed: every
    # reader narrows by another index first and leaves these out as it reads; the schools'
    # opt-out feed reads lead_opt_out instead.
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent by a person already on the suppression list: their own explicit request to this one
    # school, stored and delivered to it alone (their earlier leads stay opted out).
    explicit_request: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    # Attribution: where the visitor came from.
    referrer: Mapped[str | None] = mapped_column(String(2048), default="")
    utm_source: Mapped[str] = mapped_column(String(200), default="")
    utm_medium: Mapped[str] = mapped_column(String(200), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_term: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(200), default="")

    # The nonce of the form stamp that sent it: one stored lead per form shown (NULL before 0004).
    form_nonce: Mapped[str | None] = mapped_column(String(32), unique=True)

    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The export that claimed this lead with "mark as exported"; NULL until then.
    export_id: Mapped[int | None] = mapped_column(ForeignKey("lead_export.id"), index=True)

    # The lead's place in its school's feed (the pull API's cursor), given in the transaction
    # that stores it while holding the school's row, so the numbers become visible in order.
    school_seq: Mapped[int | None] = mapped_column(Integer)
    # What became of the lead, as the school last reported it (history: lead_outcome).
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    # When retention (portal.services.retention) erased the person's details: their name,
    # contact details, IP address, user agent, page URL, referrer and the signed receipt.
    # What accounting and statistics need stays, with the fingerprints and the receipt's id.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program: Mapped[Program] = relationship()
    school: Mapped[School] = relationship()
    campus: Mapped[Campus | None] = relationship()


# The admin's search compares this (lowered) with a part of a name (admin_leads).
FULL_NAME = Lead.first_name + literal_column("' '") + Lead.last_name
# Waiting to be exported: ix_lead_waiting's condition, its constants written out so that
# PostgreSQL can use that index in any plan (a parameter could be anything).
WAITING = and_(Lead.status == literal_column("'new'"), Lead.billable.is_(True))


class LeadStatusChange(db.Model):
    """One change of a lead's status: who made it, when, from what to what, and why.

    Written by an admin's change (one lead or many at once) and by an export that marks its
    leads (and gives them back if it breaks off), so a lead's history is complete; never
    changed afterwards. `actor` names who in words that stay true if accounts change later.
    """

    __tablename__ = "lead_status_change"
    __table_args__ = (
        Index("ix_lead_status_change_lead_created", "lead_id", "created_at"),
        Index("ix_lead_status_change_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    # The export that made the change, when an export did (marking, or giving leads back).
    export_id: Mapped[int | None] = mapped_column(ForeignKey("lead_export.id"))
    actor: Mapped[str] = mapped_column(String(254))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class LeadNote(db.Model):
    """A note an admin added to a lead: append-only, with its author and time (deleted with the
    lead, or when retention erases the lead's personal details)."""

    __tablename__ = "lead_note"
    __table_args__ = (Index("ix_lead_note_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    author: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
