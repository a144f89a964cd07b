"""What visitors send the site's operator: contact messages and privacy requests.

Both hold personal data (a name, an email address): they are shown only on admin pages and
never written to a log. A privacy request keeps the address only until an admin closes it;
the record of what was done stays, without it.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.admin import AdminUser, DataDeletion
from portal.models.types import UTCDateTime, utcnow

# What a contact message is about, with what the visitor sees.
CONTACT_TOPICS = {
    "question": "A question about a career or a program",
    "listing": "A listing is wrong or out of date",
    "advertising": "Listing our school's programs",
    "privacy": "Privacy and my data",
    "other": "Something else",
}
PRIVACY_REQUEST_KINDS = ("opt_out",)


class ContactMessage(db.Model):
    """A message sent through the contact form, for the admins to read and answer."""

    __tablename__ = "contact_message"
    __table_args__ = (Index("ix_contact_message_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    topic: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # The nonce of the form's signed stamp: one form shown stores at most one message.
    form_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))

    handled_by: Mapped[AdminUser | None] = relationship()


class PrivacyRequest(db.Model):
    """A visitor's "Do Not Sell or Share My Personal Information" request (California's
    CCPA/CPRA, and the like elsewhere).

    It is done the moment it is sent (portal.services.opt_outs): closed with no admin, its
    counts say what was suppressed, and `reference` is what the visitor was given to quote.
    Requests from before that were closed by an admin. Closing erases the email address and
    name; the dates, the state, what was asked and what was done stay as the record.
    """

    __tablename__ = "privacy_request"
    __table_args__ = (
        CheckConstraint("kind IN ('opt_out')", name="kind"),
        CheckConstraint("closed_at IS NOT NULL OR email IS NOT NULL", name="email_while_open"),
        Index("ix_privacy_request_closed_at_created_at", "closed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), default="opt_out")
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    form_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    outcome: Mapped[str | None] = mapped_column(Text)
    data_deletion_id: Mapped[int | None] = mapped_column(ForeignKey("data_deletion.id"))
    leads_deleted: Mapped[int | None] = mapped_column(Integer)
    # A short random code shown to the visitor (NULL for requests from before references).
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    # What the opt-out did at once: leads marked opted out, deliveries cancelled, schools told.
    leads_suppressed: Mapped[int | None] = mapped_column(Integer)
    deliveries_cancelled: Mapped[int | None] = mapped_column(Integer)
    schools_told: Mapped[int | None] = mapped_column(Integer)

    closed_by: Mapped[AdminUser | None] = relationship()
    data_deletion: Mapped[DataDeletion | None] = relationship()
