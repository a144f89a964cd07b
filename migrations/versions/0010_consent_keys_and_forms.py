"""consent receipts: the keys that signed them, the forms visitors were shown

consent_signing_key holds every public Ed25519 key that has signed a consent receipt (by its
RFC 7638 thumbprint, the receipt's `kid`), so receipts still verify after a key change.
consent_form keeps one copy of each distinct request form, by the SHA-256 a receipt's
`form_sha256` names.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_signing_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("x", sa.String(length=64), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_consent_signing_key")),
    )
    op.create_table(
        "consent_form",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("first_shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_consent_form")),
    )


def downgrade():
    op.drop_table("consent_form")
    op.drop_table("consent_signing_key")
