"""lead: contact fingerprints, Global Privacy Control, consent receipt columns

lead.email_sha256 and lead.phone_sha256 are the SHA-256 of the lower-cased email and of the
E.164 phone (portal.services.contact_hashes): what a consent receipt carries instead of the
details, what the opt-out list matches, and what stays once retention erases the details.
Existing leads get theirs computed here. lead.gpc records whether the browser sent
`Sec-GPC: 1`. lead.consent_receipt (a compact JWS), lead.receipt_id (its `jti`) and
lead.form_sha256 (the form the visitor was shown) stay NULL for leads stored before receipts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00

"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gpc", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("email_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("consent_receipt", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("receipt_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("form_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_lead_receipt_id"), ["receipt_id"])
    _fingerprint_existing_leads()


def _fingerprint_existing_leads():
    """Compute the fingerprints of the leads already stored, as capture does for new ones."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE lead SET"
            " email_sha256 = encode(sha256(convert_to(lower(trim(email)), 'UTF8')), 'hex'),"
            " phone_sha256 = encode(sha256(convert_to(trim(phone_e164), 'UTF8')), 'hex')"
        )
        return
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, email, phone_e164 FROM lead WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("UPDATE lead SET email_sha256 = :e, phone_sha256 = :p WHERE id = :id"),
            [
                {
                    "id": row.id,
                    "e": hashlib.sha256(row.email.strip().lower().encode("utf-8")).hexdigest(),
                    "p": hashlib.sha256(
                        row.phone_e164.strip().encode("ascii", "replace")
                    ).hexdigest(),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_lead_receipt_id"), type_="unique")
        batch_op.drop_column("form_sha256")
        batch_op.drop_column("receipt_id")
        batch_op.drop_column("consent_receipt")
        batch_op.drop_column("phone_sha256")
        batch_op.drop_column("email_sha256")
        batch_op.drop_column("gpc")
