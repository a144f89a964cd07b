"""Opt-outs: the suppression list, and each lead's notice to its school that its person opted
out ("Do Not Sell or Share", or a deletion on request).

The list holds SHA-256 fingerprints of normalised emails and phones
(portal.services.contact_hashes), never the details, and is never pruned: it outlives a
deletion of the person's data, so nothing of theirs is passed on again. A notice keeps the
lead's id and school after the lead itself is deleted, so the school is still told.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

SUPPRESSION_KINDS = ("email", "phone")
# Why a lead was opted out: the visitor's "Do Not Sell or Share" request, or their data
# deleted on request.
OPT_OUT_REASONS = ("do_not_sell", "deletion")


class Suppression(db.Model):
    """A fingerprint of an email or phone whose person opted out: their details go nowhere.

    A later request-info form from that person is their own explicit request to one school
    (Lead.explicit_request). Which request or deletion put it here is kept; whose, never.
    """

    __tablename__ = "suppression"
    __table_args__ = (CheckConstraint("kind IN ('email', 'phone')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    privacy_request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_request.id"))
    data_deletion_id: Mapped[int | None] = mapped_column(ForeignKey("data_deletion.id"))


class LeadOptOut(db.Model):
    """The notice that the person behind one lead opted out, for the lead's school: listed by
    GET /api/v1/opt-outs and sent as a `lead.opted_out` event.

    `lead_id` is not a foreign key on purpose: the notice stays when the lead is deleted. Nor
    is it unique: a lead is opted out once (only leads not opted out are marked), but SQLite
    may give a deleted lead's id to a later lead.
    `school_seq` numbers the school's notices in the order they became visible (the feed's
    cursor), from school.opt_out_seq, as lead.school_seq numbers its leads.
    """

    __tablename__ = "lead_opt_out"
    __table_args__ = (
        CheckConstraint("reason IN ('do_not_sell', 'deletion')", name="reason"),
        Index("ix_lead_opt_out_school_seq", "school_id", "school_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(Integer, index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    school_seq: Mapped[int] = mapped_column(Integer)
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16))
    privacy_request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_request.id"))
    data_deletion_id: Mapped[int | None] = mapped_column(ForeignKey("data_deletion.id"))
