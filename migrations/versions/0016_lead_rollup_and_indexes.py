"""roll-up tables; lead indexes that follow the pages

lead_rollup (one row: the last UTC day counted), lead_quarter (leads per quarter hour by
category), lead_day (per UTC day, school and listing), lead_month (the same per UTC
month), campaign_day (per UTC day and
utm_campaign), search_day (searches per UTC day and state) and empty_search_day (searches
that found nothing, per UTC day and ZIP) are the daily roll-up (portal.models.rollup),
counted by the worker as days end (or `flask --app wsgi roll-up`); this migration counts
nothing.

On lead: the index on school_id alone goes, since (school_id, created_at, id) of 0012 serves
what it served; (school_id, outcome,
created_at) serves a school's leads by outcome; a partial index on created_at holds only the
leads waiting to be exported (status new and billable). lead_return gets an index on
decided_at, for the latest decisions first. On PostgreSQL only, pg_trgm GIN
indexes on lower(first_name || ' ' || last_name) and lower(email) serve the admin's search
for a part of a name or an email (SQLite, the development default, has no pg_trgm and keeps
scanning, which is quick at its sizes).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-05 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

OUTCOME_COLUMNS = ("kept", "reported", "reached", "applied", "enrolled")


def _counts(*names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade():
    op.create_table(
        "lead_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counted_through", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_rollup")),
    )
    op.execute("INSERT INTO lead_rollup (id, counted_through) VALUES (1, NULL)")
    op.create_table(
        "lead_quarter",
        sa.Column("quarter", sa.Integer(), autoincrement=False, nullable=False),
        *_counts("leads", "billable", "duplicates", "rejected", "revenue_cents"),
        sa.PrimaryKeyConstraint("quarter", name=op.f("pk_lead_quarter")),
    )
    op.create_table(
        "lead_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        *_counts("leads", "revenue_cents", *OUTCOME_COLUMNS),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_lead_day_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_lead_day_school_id_school")
        ),
        sa.PrimaryKeyConstraint("day", "school_id", "program_id", name=op.f("pk_lead_day")),
    )
    op.create_table(
        "lead_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        *_counts("leads", "revenue_cents", *OUTCOME_COLUMNS),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_lead_month_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_lead_month_school_id_school")
        ),
        sa.PrimaryKeyConstraint("month", "school_id", "program_id", name=op.f("pk_lead_month")),
    )
    op.create_table(
        "campaign_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        *_counts("leads", *OUTCOME_COLUMNS),
        sa.PrimaryKeyConstraint("day", "campaign", name=op.f("pk_campaign_day")),
    )
    op.create_table(
        "search_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "state", name=op.f("pk_search_day")),
    )
    op.create_table(
        "empty_search_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("zip_code", sa.String(length=5), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "zip_code", name=op.f("pk_empty_search_day")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_school_id")
        batch_op.create_index(
            "ix_lead_school_outcome_created", ["school_id", "outcome", "created_at"]
        )
        batch_op.create_index(
            "ix_lead_waiting",
            ["created_at", "id"],
            postgresql_where=sa.text("status = 'new' AND billable IS true"),
            sqlite_where=sa.text("status = 'new' AND billable IS true"),
        )
    with op.batch_alter_table("lead_return", schema=None) as batch_op:
        batch_op.create_index("ix_lead_return_decided_at", ["decided_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_lead_name_trgm ON lead"
            " USING gin (lower(first_name || ' ' || last_name) gin_trgm_ops)"
        )
        op.execute("CREATE INDEX ix_lead_email_trgm ON lead USING gin (lower(email) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_lead_email_trgm")
        op.execute("DROP INDEX ix_lead_name_trgm")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_waiting")
        batch_op.drop_index("ix_lead_school_outcome_created")
        batch_op.create_index("ix_lead_school_id", ["school_id"])
    with op.batch_alter_table("lead_return", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_return_decided_at")
    op.drop_table("empty_search_day")
    op.drop_table("search_day")
    op.drop_table("campaign_day")
    op.drop_table("lead_month")
    op.drop_table("lead_day")
    op.drop_table("lead_quarter")
    op.drop_table("lead_rollup")
