"""lead retention: erasable personal details, lead.erased_at, retention_run

A lead's name, email, phone, IP address, user agent, page URL and referrer become nullable:
retention (portal.services.retention) sets them to NULL, with the signed receipt, once the
lead is older than LEAD_RETENTION_DAYS, and stamps lead.erased_at. ix_lead_unerased_created
holds only the leads not erased yet, so a run finds the oldest of them without walking past
the ones erased before. retention_run records each run with its counts.

Downgrading writes empty text into the erased columns (NOT NULL again): erased stays erased.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The erased columns and their types.
ERASABLE = {
    "first_name": sa.String(length=100),
    "last_name": sa.String(length=100),
    "email": sa.String(length=254),
    "phone_e164": sa.String(length=16),
    "ip_address": sa.String(length=45),
    "user_agent": sa.String(length=512),
    "page_url": sa.String(length=2048),
    "referrer": sa.String(length=2048),
}


def upgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        for name, type_ in ERASABLE.items():
            batch_op.alter_column(name, existing_type=type_, nullable=True)
        batch_op.create_index(
            "ix_lead_unerased_created",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("erased_at IS NULL"),
            postgresql_where=sa.text("erased_at IS NULL"),
        )

    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("slot", sa.String(length=10), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leads_erased", sa.Integer(), nullable=False),
        sa.Column("notes_deleted", sa.Integer(), nullable=False),
        sa.Column("status_notes_erased", sa.Integer(), nullable=False),
        sa.Column("return_texts_erased", sa.Integer(), nullable=False),
        sa.Column("excerpts_erased", sa.Integer(), nullable=False),
        sa.Column("deliveries_cancelled", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "state IN ('running', 'complete', 'stopped', 'failed')", name=op.f("ck_retention_run_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_run")),
        sa.UniqueConstraint("slot", name=op.f("uq_retention_run_slot")),
    )
    with op.batch_alter_table("retention_run", schema=None) as batch_op:
        batch_op.create_index("ix_retention_run_started_at", ["started_at"], unique=False)


def downgrade():
    with op.batch_alter_table("retention_run", schema=None) as batch_op:
        batch_op.drop_index("ix_retention_run_started_at")
    op.drop_table("retention_run")

    for name in ERASABLE:
        op.execute(f"UPDATE lead SET {name} = '' WHERE {name} IS NULL")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_unerased_created")
        for name, type_ in ERASABLE.items():
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.drop_column("erased_at")
