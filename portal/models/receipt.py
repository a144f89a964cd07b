"""What consent receipts rest on: every public key that has ever signed one, and one copy of
each distinct request form a visitor was shown, by its SHA-256."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class ConsentSigningKey(db.Model):
    """A public Ed25519 key that signed receipts, kept for good so old receipts still verify.

    `kid` is its RFC 7638 JWK thumbprint (what a receipt's header names), `x` the public key as
    the JWK has it (32 bytes, base64url). Recorded the first time the key signs.
    """

    __tablename__ = "consent_signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    x: Mapped[str] = mapped_column(String(64))
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentForm(db.Model):
    """The HTML of a request form as visitors were shown it, their own values left out as
    slots (portal.services.consent_forms); kept once per distinct text, found by its hash."""

    __tablename__ = "consent_form"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
