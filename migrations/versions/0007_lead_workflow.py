"""lead workflow: rejection reasons, status history, notes; what each export held

lead.reject_reason says why a rejected lead was rejected (set exactly when status is
'rejected'); lead_status_change is every status change of a lead (by an admin, or by an export
that marked it); lead_note holds the admins' append-only notes. lead_export records the
column set, byte-order mark, per-school zip and which export a download repeats;
lead_export_item keeps which leads each marking export held, so it can be downloaded again.

Existing data is brought in line: rejected leads get the reason 'other' and are not billable;
each lead an earlier export marked gets its item row and its 'new -> exported' history row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REASONS = "'test', 'duplicate', 'out_of_area', 'invalid_contact', 'other'"


def upgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reject_reason", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_lead_phone_e164", ["phone_e164"], unique=False)
    op.execute("UPDATE lead SET reject_reason = 'other', billable = false WHERE status = 'rejected'")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_lead_reject_reason"), f"reject_reason IN ({REASONS})"
        )
        batch_op.create_check_constraint(
            op.f("ck_lead_rejected_with_reason"),
            "(status = 'rejected' AND reject_reason IS NOT NULL)"
            " OR (status <> 'rejected' AND reject_reason IS NULL)",
        )

    with op.batch_alter_table("lead_export", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("columns", sa.String(length=8), server_default="full", nullable=False)
        )
        batch_op.add_column(sa.Column("bom", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("per_school", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("repeat_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_export_repeat_of_id_lead_export"),
            "lead_export",
            ["repeat_of_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_lead_export_columns"), "columns IN ('full', 'school')"
        )

    op.create_table(
        "lead_export_item",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["lead_export.id"],
            name=op.f("fk_lead_export_item_export_id_lead_export"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
            name=op.f("fk_lead_export_item_lead_id_lead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_id", "lead_id", name=op.f("pk_lead_export_item")),
    )
    with op.batch_alter_table("lead_export_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lead_export_item_lead_id"), ["lead_id"], unique=False
        )

    op.create_table(
        "lead_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("export_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admin_user.id"], name=op.f("fk_lead_status_change_admin_id_admin_user")
        ),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["lead_export.id"],
            name=op.f("fk_lead_status_change_export_id_lead_export"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
            name=op.f("fk_lead_status_change_lead_id_lead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_status_change")),
    )
    with op.batch_alter_table("lead_status_change", schema=None) as batch_op:
        batch_op.create_index("ix_lead_status_change_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_lead_status_change_lead_created", ["lead_id", "created_at"], unique=False
        )

    op.create_table(
        "lead_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admin_user.id"], name=op.f("fk_lead_note_admin_id_admin_user")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_note_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_note")),
    )
    with op.batch_alter_table("lead_note", schema=None) as batch_op:
        batch_op.create_index("ix_lead_note_lead_created", ["lead_id", "created_at"], unique=False)

    # What earlier exports marked: their items, and the history rows of the marking.
    op.execute(
        "INSERT INTO lead_export_item (export_id, lead_id)"
        " SELECT export_id, id FROM lead WHERE export_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO lead_status_change"
        " (lead_id, created_at, admin_id, export_id, actor, from_status, to_status, note)"
        " SELECT lead.id, lead.exported_at, lead_export.admin_id, lead_export.id,"
        " lead_export.actor, 'new', 'exported', NULL"
        " FROM lead JOIN lead_export ON lead_export.id = lead.export_id"
        " WHERE lead.exported_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("lead_note", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_note_lead_created")
    op.drop_table("lead_note")
    with op.batch_alter_table("lead_status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_status_change_lead_created")
        batch_op.drop_index("ix_lead_status_change_created_at")
    op.drop_table("lead_status_change")
    with op.batch_alter_table("lead_export_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_export_item_lead_id"))
    op.drop_table("lead_export_item")
    with op.batch_alter_table("lead_export", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lead_export_columns"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_lead_export_repeat_of_id_lead_export"), type_="foreignkey"
        )
        batch_op.drop_column("repeat_of_id")
        batch_op.drop_column("per_school")
        batch_op.drop_column("bom")
        batch_op.drop_column("columns")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lead_rejected_with_reason"), type_="check")
        batch_op.drop_constraint(op.f("ck_lead_reject_reason"), type_="check")
        batch_op.drop_index("ix_lead_phone_e164")
        batch_op.drop_column("reject_reason")
