"""opt-outs at once: the suppression list, opt-out notices, lead.opted_out deliveries

suppression holds the SHA-256 fingerprints of the emails and phones of people who opted out
("Do Not Sell or Share", or a deletion on request), kept after a deletion. lead.opted_out_at
marks their leads, which every reader leaves out; lead.explicit_request marks a later request
of such a person to one school. lead_opt_out is the notice of each opted-out lead for its
school (kept when the lead is deleted), numbered per school from school.opt_out_seq. A delivery
is now an event: `lead.created` (lead_id) or `lead.opted_out` (opt_out_id, lead_id NULL), and
may be `cancelled` (cancelled_at, cancel_reason). A privacy request gets its reference and
what it suppressed; a data deletion what its opt-out did. lead.email_sha256 and
lead.phone_sha256 are indexed, so an opt-out finds a person's leads among millions.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "suppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("privacy_request_id", sa.Integer(), nullable=True),
        sa.Column("data_deletion_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('email', 'phone')", name=op.f("ck_suppression_kind")),
        sa.ForeignKeyConstraint(
            ["data_deletion_id"],
            ["data_deletion.id"],
            name=op.f("fk_suppression_data_deletion_id_data_deletion"),
        ),
        sa.ForeignKeyConstraint(
            ["privacy_request_id"],
            ["privacy_request.id"],
            name=op.f("fk_suppression_privacy_request_id_privacy_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression")),
        sa.UniqueConstraint("sha256", name=op.f("uq_suppression_sha256")),
    )
    op.create_table(
        "lead_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_seq", sa.Integer(), nullable=False),
        sa.Column("opted_out_at", UTC_TIME, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("privacy_request_id", sa.Integer(), nullable=True),
        sa.Column("data_deletion_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('do_not_sell', 'deletion')", name=op.f("ck_lead_opt_out_reason")
        ),
        sa.ForeignKeyConstraint(
            ["data_deletion_id"],
            ["data_deletion.id"],
            name=op.f("fk_lead_opt_out_data_deletion_id_data_deletion"),
        ),
        sa.ForeignKeyConstraint(
            ["privacy_request_id"],
            ["privacy_request.id"],
            name=op.f("fk_lead_opt_out_privacy_request_id_privacy_request"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_lead_opt_out_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_opt_out")),
    )
    with op.batch_alter_table("lead_opt_out", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_opt_out_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            "ix_lead_opt_out_school_seq", ["school_id", "school_seq"], unique=True
        )

    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opt_out_seq", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", UTC_TIME, nullable=True))
        batch_op.add_column(
            sa.Column("explicit_request", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_lead_email_sha256", ["email_sha256"], unique=False)
        batch_op.create_index("ix_lead_phone_sha256", ["phone_sha256"], unique=False)

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event", sa.String(length=24), server_default="lead.created", nullable=False)
        )
        batch_op.add_column(sa.Column("opt_out_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", UTC_TIME, nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=300), nullable=True))
        batch_op.alter_column("lead_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_opt_out_id_lead_opt_out"),
            "lead_opt_out",
            ["opt_out_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            "uq_delivery_opt_out_destination", ["opt_out_id", "destination_id"]
        )
        batch_op.drop_constraint(op.f("ck_delivery_status"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_delivery_status"), "status IN ('pending', 'delivered', 'failed', 'cancelled')"
        )
        batch_op.create_check_constraint(
            op.f("ck_delivery_event_subject"),
            "(event = 'lead.created' AND lead_id IS NOT NULL AND opt_out_id IS NULL)"
            " OR (event = 'lead.opted_out' AND opt_out_id IS NOT NULL AND lead_id IS NULL)",
        )

    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("leads_suppressed", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deliveries_cancelled", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("schools_told", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_privacy_request_reference"), ["reference"])
    with op.batch_alter_table("data_deletion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deliveries_cancelled", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("schools_told", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("data_deletion", schema=None) as batch_op:
        batch_op.drop_column("schools_told")
        batch_op.drop_column("deliveries_cancelled")
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_privacy_request_reference"), type_="unique")
        batch_op.drop_column("schools_told")
        batch_op.drop_column("deliveries_cancelled")
        batch_op.drop_column("leads_suppressed")
        batch_op.drop_column("reference")

    # Before events, a delivery was a lead's: notices go, cancelled deliveries become failed.
    op.execute(
        "DELETE FROM delivery_attempt WHERE delivery_id IN"
        " (SELECT id FROM delivery WHERE event <> 'lead.created')"
    )
    op.execute("DELETE FROM delivery WHERE event <> 'lead.created'")
    op.execute(
        "UPDATE delivery SET status = 'failed', failed_at = cancelled_at,"
        " last_error = cancel_reason WHERE status = 'cancelled'"
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_delivery_event_subject"), type_="check")
        batch_op.drop_constraint(op.f("ck_delivery_status"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_delivery_status"), "status IN ('pending', 'delivered', 'failed')"
        )
        batch_op.drop_constraint("uq_delivery_opt_out_destination", type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_delivery_opt_out_id_lead_opt_out"), type_="foreignkey"
        )
        batch_op.alter_column("lead_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("opt_out_id")
        batch_op.drop_column("event")

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_phone_sha256")
        batch_op.drop_index("ix_lead_email_sha256")
        batch_op.drop_column("explicit_request")
        batch_op.drop_column("opted_out_at")
    # Not a batch: recreating school would break 0006's downgrade (see 0008's).
    op.execute("ALTER TABLE school DROP COLUMN opt_out_seq")

    with op.batch_alter_table("lead_opt_out", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_opt_out_school_seq")
        batch_op.drop_index(batch_op.f("ix_lead_opt_out_lead_id"))
    op.drop_table("lead_opt_out")
    op.drop_table("suppression")
