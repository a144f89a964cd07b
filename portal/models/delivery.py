"""Lead delivery to schools: where each school wants its leads (destinations), the outbox of
what is to be sent (deliveries: a lead to a destination, or the notice that its person opted
out), and every attempt to send.

A delivery row is written in the same transaction as its lead (or its opt-out), so what was
stored is always queued; the worker (`flask --app wsgi deliver`) sends it and records each
attempt.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.lead import Lead
from portal.models.opt_out import LeadOptOut
from portal.models.program import School
from portal.models.types import UTCDateTime, utcnow

DESTINATION_KINDS = ("webhook", "email")
DELIVERY_STATES = ("pending", "delivered", "failed", "cancelled")
# What a delivery sends: a new lead, or the notice that the person behind one opted out.
DELIVERY_EVENTS = ("lead.created", "lead.opted_out")


class Destination(db.Model):
    """Where one school's leads go: a signed webhook to a URL, or an email to addresses.

    A webhook's signing secret is kept as given to the school (HMAC needs it to sign). After a
    rotation the previous secret stays valid until `previous_secret_expires_at`, and every
    request is signed with both until then.
    """

    __tablename__ = "destination"
    __table_args__ = (
        CheckConstraint("kind IN ('webhook', 'email')", name="kind"),
        CheckConstraint(
            "(kind = 'webhook' AND url IS NOT NULL AND secret IS NOT NULL)"
            " OR (kind = 'email' AND email_to IS NOT NULL)",
            name="target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(String(2048))
    # Email destinations: the addresses, separated by ", ".
    email_to: Mapped[str | None] = mapped_column(Text)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it was switched off, when the worker did it (410 Gone) rather than an admin.
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()

    @property
    def target(self) -> str:
        """The URL or the addresses, as shown to admins."""
        return self.url if self.kind == "webhook" else (self.email_to or "")

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a request is signed with now: the current one, and the previous one
        while it is still valid."""
        secrets = [self.secret] if self.secret else []
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            secrets.append(self.previous_secret)
        return secrets


class Delivery(db.Model):
    """The outbox: one event to one destination, pending until delivered or given up on.

    `lead.created` carries a lead (`lead_id`); `lead.opted_out` the notice of its opt-out
    (`opt_out_id`: the notice outlives a lead deleted on request, so it has no lead_id).
    `webhook_id` is fixed when the row is written, so every retry carries the same id and a
    receiver can drop repeats. A worker leases a row (`claimed_until`) for one attempt; a worker
    that dies mid-attempt leaves a lease that runs out, and the row is tried again. A delivery
    of a lead whose person opted out before it was sent is `cancelled`, saying why.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="status"),
        CheckConstraint(
            "(event = 'lead.created' AND lead_id IS NOT NULL AND opt_out_id IS NULL)"
            " OR (event = 'lead.opted_out' AND opt_out_id IS NOT NULL AND lead_id IS NULL)",
            name="event_subject",
        ),
        UniqueConstraint("lead_id", "destination_id", name="uq_delivery_lead_destination"),
        UniqueConstraint("opt_out_id", "destination_id", name="uq_delivery_opt_out_destination"),
        Index("ix_delivery_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_delivery_destination_status", "destination_id", "status"),
        Index("ix_delivery_delivered_at", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(
        String(24), default="lead.created", server_default="lead.created"
    )
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    opt_out_id: Mapped[int | None] = mapped_column(ForeignKey("lead_opt_out.id"))
    destination_id: Mapped[int] = mapped_column(ForeignKey("destination.id"))
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Retries go on until queued_at + DELIVERY_MAX_AGE_HOURS; a manual redeliver restarts it.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    lead: Mapped[Lead | None] = relationship()
    opt_out: Mapped[LeadOptOut | None] = relationship()
    destination: Mapped[Destination] = relationship()

    @property
    def about_lead_id(self) -> int:
        """The id of the lead this delivery is about (sent, or opted out)."""
        return self.lead_id if self.lead_id is not None else self.opt_out.lead_id


class DeliveryAttempt(db.Model):
    """One try at sending: when, where, what came back (status or error), how long it took.

    Test events sent from the admin have no delivery.
    """

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        Index("ix_delivery_attempt_destination_started", "destination_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    destination_id: Mapped[int] = mapped_column(ForeignKey("destination.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    # The first 500 bytes of the answer's body (decoded as UTF-8, bad bytes replaced).
    response_excerpt: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[Delivery | None] = relationship()
    destination: Mapped[Destination] = relationship()
