"""Enrollment-information requests ("leads") with the evidence of the visitor's consent."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.program import Campus, Program, School
from portal.models.types import UTCDateTime, utcnow

LEAD_STATUSES = ("new", "exported", "rejected")


class Lead(db.Model):
    """A visitor's request for information from one school about one program.

    A repeat of the same email for the same program within 30 days is kept as a non-billable
    duplicate pointing at the first, so exports never bill it and nothing is lost.
    """

    __tablename__ = "lead"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'exported', 'rejected')", name="status"),
        Index("ix_lead_program_email_created", "program_id", "email", "created_at"),
        Index("ix_lead_created_at", "created_at"),
        Index("ix_lead_status_created", "status", "created_at"),
        Index("ix_lead_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("campus.id"))
    career: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="new")
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone_e164: Mapped[str] = mapped_column(String(16))
    zip_code: Mapped[str] = mapped_column(String(5))
    state: Mapped[str] = mapped_column(String(2))
    education_level: Mapped[str] = mapped_column(String(32))
    start_timeframe: Mapped[str] = mapped_column(String(32))

    # Consent evidence: what was shown, when, to whom and where.
    consent_text: Mapped[str] = mapped_column(Text)
    consent_sha256: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    page_url: Mapped[str] = mapped_column(String(2048), default="")

    # Attribution: where the visitor came from.
    referrer: Mapped[str] = mapped_column(String(2048), default="")
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

    program: Mapped[Program] = relationship()
    school: Mapped[School] = relationship()
    campus: Mapped[Campus | None] = relationship()
