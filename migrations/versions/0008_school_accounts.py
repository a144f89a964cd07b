"""schools' own accounts: users, outcomes, returns, API tokens, statements, listing figures

school_user holds the people of a school who sign in at /school (scrypt hashes, a session
version as admin_user has). lead_outcome is the history of what schools report became of
their leads (lead.outcome and lead.outcome_on keep the latest); lead_return is a school's
request to return a lead for credit and the operator's decision; school_api_token keeps only
the SHA-256 of each token. statement and statement_line are the statements of months that have
ended, written once. listing_day counts, per listing and UTC day, the times it was shown and
its request form viewed.

lead.school_seq numbers each school's leads in the order they became visible (the pull API's
cursor) from school.lead_seq; existing leads are numbered in the order of their ids.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OUTCOMES = "'contacted', 'unreachable', 'applied', 'enrolled', 'not_interested'"
REASONS = (
    "'wrong_number', 'disconnected', 'never_requested', 'duplicate', "
    "'outside_service_area', 'other'"
)


def upgrade():
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lead_seq", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE lead SET school_seq = (SELECT COUNT(*) FROM lead AS earlier"
        " WHERE earlier.school_id = lead.school_id AND earlier.id <= lead.id)"
    )
    op.execute(
        "UPDATE school SET lead_seq = COALESCE("
        "(SELECT MAX(school_seq) FROM lead WHERE lead.school_id = school.id), 0)"
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_school_seq", ["school_id", "school_seq"], unique=True)

    op.create_table(
        "school_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_user_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_user")),
        sa.UniqueConstraint("email", name=op.f("uq_school_user_email")),
    )
    with op.batch_alter_table("school_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_user_school_id"), ["school_id"])

    op.create_table(
        "lead_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_lead_outcome_outcome")),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_outcome_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["school_user_id"],
            ["school_user.id"],
            name=op.f("fk_lead_outcome_school_user_id_school_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_outcome")),
    )
    with op.batch_alter_table("lead_outcome", schema=None) as batch_op:
        batch_op.create_index("ix_lead_outcome_lead_created", ["lead_id", "created_at"])

    op.create_table(
        "lead_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.CheckConstraint(f"reason IN ({REASONS})", name=op.f("ck_lead_return_reason")),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'denied')", name=op.f("ck_lead_return_status")
        ),
        sa.CheckConstraint(
            "(status = 'requested') = (decided_at IS NULL)",
            name=op.f("ck_lead_return_decided_when_not_requested"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_return_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_lead_return_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["school_user.id"],
            name=op.f("fk_lead_return_requested_by_id_school_user"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["admin_user.id"],
            name=op.f("fk_lead_return_decided_by_id_admin_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_return")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_lead_return_lead_id")),
    )
    with op.batch_alter_table("lead_return", schema=None) as batch_op:
        batch_op.create_index("ix_lead_return_status_requested", ["status", "requested_at"])
        batch_op.create_index("ix_lead_return_school_decided", ["school_id", "decided_at"])

    op.create_table(
        "school_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_api_token_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_api_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_school_api_token_token_sha256")),
    )
    with op.batch_alter_table("school_api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_api_token_school_id"), ["school_id"])

    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_statement_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
        sa.UniqueConstraint("school_id", "month", name="uq_statement_school_month"),
    )
    op.create_table(
        "statement_line",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("program", sa.String(length=300), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("lead_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('charge', 'credit')", name=op.f("ck_statement_line_kind")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_line_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "position", name=op.f("pk_statement_line")),
    )
    op.create_table(
        "listing_day",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("form_views", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_listing_day_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("program_id", "day", name=op.f("pk_listing_day")),
    )


def downgrade():
    op.drop_table("listing_day")
    op.drop_table("statement_line")
    op.drop_table("statement")
    with op.batch_alter_table("school_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_api_token_school_id"))
    op.drop_table("school_api_token")
    with op.batch_alter_table("lead_return", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_return_school_decided")
        batch_op.drop_index("ix_lead_return_status_requested")
    op.drop_table("lead_return")
    with op.batch_alter_table("lead_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_outcome_lead_created")
    op.drop_table("lead_outcome")
    with op.batch_alter_table("school_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_user_school_id"))
    op.drop_table("school_user")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_school_seq")
        batch_op.drop_column("outcome_on")
        batch_op.drop_column("outcome")
        batch_op.drop_column("school_seq")
    # Not a batch: recreating school would turn 0006's column CHECK into a table CHECK, which
    # SQLite's DROP COLUMN of response_hours (0006's downgrade) then refuses.
    op.execute("ALTER TABLE school DROP COLUMN lead_seq")
