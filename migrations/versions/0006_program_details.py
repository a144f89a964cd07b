"""program details a visitor decides on, the schools' response time, and what visitors send

- program: tuition (cents; a maximum only beside a minimum), schedule, next start dates,
  accreditation, financial aid, the program's web address. The radius search's covering index
  gains tuition_min_cents, so sorting by tuition still reads only the index.
- school: response_hours, how soon the school usually contacts a visitor (24 by default).
- contact_message and privacy_request: the contact form's messages and the "Do Not Sell or
  Share My Personal Information" requests, for the admins; data_deletion counts the contact
  messages a deletion removed too.

Columns with CHECK constraints are added with plain ALTER TABLE ... ADD COLUMN, which both
databases run in place: a batch copy on SQLite would drop program's coordinate triggers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MAX_TUITION_CENTS = 100_000_000
MAX_RESPONSE_HOURS = 720

_INDEX_COLUMNS = [
    "campus_latitude",
    "campus_longitude",
    "is_active",
    "modality",
    "career",
    "credential_level",
    "id",
]


def upgrade():
    op.execute(
        "ALTER TABLE program ADD COLUMN tuition_min_cents INTEGER "
        "CONSTRAINT ck_program_tuition_min_range CHECK (tuition_min_cents IS NULL OR "
        f"tuition_min_cents BETWEEN 0 AND {MAX_TUITION_CENTS})"
    )
    op.execute(
        "ALTER TABLE program ADD COLUMN tuition_max_cents INTEGER "
        "CONSTRAINT ck_program_tuition_max_range CHECK (tuition_max_cents IS NULL OR "
        "(tuition_min_cents IS NOT NULL AND tuition_max_cents BETWEEN tuition_min_cents "
        f"AND {MAX_TUITION_CENTS}))"
    )
    op.add_column("program", sa.Column("schedule", sa.String(length=80), nullable=True))
    op.add_column("program", sa.Column("next_start_dates", sa.String(length=80), nullable=True))
    op.add_column("program", sa.Column("accreditation", sa.String(length=200), nullable=True))
    op.add_column("program", sa.Column("financial_aid", sa.Boolean(), nullable=True))
    op.add_column("program", sa.Column("program_url", sa.String(length=500), nullable=True))
    op.drop_index("ix_program_campus_lat_lon", table_name="program")
    op.create_index(
        "ix_program_campus_lat_lon", "program", [*_INDEX_COLUMNS, "tuition_min_cents"]
    )
    op.execute(
        "ALTER TABLE school ADD COLUMN response_hours INTEGER DEFAULT 24 NOT NULL "
        "CONSTRAINT ck_school_response_hours_range "
        f"CHECK (response_hours BETWEEN 1 AND {MAX_RESPONSE_HOURS})"
    )

    op.create_table(
        "contact_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("form_nonce", sa.String(length=64), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["admin_user.id"],
            name=op.f("fk_contact_message_handled_by_id_admin_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_message")),
        sa.UniqueConstraint("form_nonce", name=op.f("uq_contact_message_form_nonce")),
    )
    op.create_index("ix_contact_message_created_at", "contact_message", ["created_at"])

    op.create_table(
        "privacy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("form_nonce", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("data_deletion_id", sa.Integer(), nullable=True),
        sa.Column("leads_deleted", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('opt_out')", name=op.f("ck_privacy_request_kind")),
        sa.CheckConstraint(
            "closed_at IS NOT NULL OR email IS NOT NULL",
            name=op.f("ck_privacy_request_email_while_open"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["admin_user.id"],
            name=op.f("fk_privacy_request_closed_by_id_admin_user"),
        ),
        sa.ForeignKeyConstraint(
            ["data_deletion_id"],
            ["data_deletion.id"],
            name=op.f("fk_privacy_request_data_deletion_id_data_deletion"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request")),
        sa.UniqueConstraint("form_nonce", name=op.f("uq_privacy_request_form_nonce")),
    )
    op.create_index(
        "ix_privacy_request_closed_at_created_at",
        "privacy_request",
        ["closed_at", "created_at"],
    )
    op.add_column(
        "data_deletion",
        sa.Column("messages_deleted", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade():
    op.execute("ALTER TABLE data_deletion DROP COLUMN messages_deleted")
    op.drop_index("ix_privacy_request_closed_at_created_at", table_name="privacy_request")
    op.drop_table("privacy_request")
    op.drop_index("ix_contact_message_created_at", table_name="contact_message")
    op.drop_table("contact_message")
    # SQLite 3.35+ drops a column in place (a batch copy would lose program's triggers); a
    # column goes after the index and the constraints that name it.
    op.execute("ALTER TABLE school DROP COLUMN response_hours")
    op.drop_index("ix_program_campus_lat_lon", table_name="program")
    op.create_index("ix_program_campus_lat_lon", "program", _INDEX_COLUMNS)
    for column in (
        "program_url",
        "financial_aid",
        "accreditation",
        "next_start_dates",
        "schedule",
        "tuition_max_cents",
        "tuition_min_cents",
    ):
        op.execute(f"ALTER TABLE program DROP COLUMN {column}")
