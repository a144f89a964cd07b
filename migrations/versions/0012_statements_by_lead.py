"""statements by lead: billing changes, a line per lead with a note; school users' downloads

billing_change records each change to what a school is billed for a lead after it arrived
(a return approved or a rejection: a credit; a rejection taken back: a charge again), dated
when it was made. statement_line gains the kinds duplicate and return_pending (kind widens to
16 characters) and a note; statement.lines_by_lead is false for the statements already closed,
whose charges stay grouped by program and price as they were written. lead gets an index on
(school_id, created_at, id) for a school's leads of a month in order.

lead_export records school users' downloads too (school_user_id, school_id, the source
"school"), and "statement" (columns widens to 16 characters) for a statement's CSV.

Existing data gets its billing changes: a credit for every approved return (when it was
decided), and one for every rejected lead that was billed (not a repeat, not returned), when
it was last rejected (its arrival, for one rejected before 0007 kept no history). A rejection
that came before the lead's month was closed needs none: that statement left the lead out.
One that came after it, in a month that is itself closed already, is dated now, so the
credit lands on the open month rather than nowhere.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:00:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS = "'charge', 'duplicate', 'return_pending', 'credit'"


def upgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_school_created", ["school_id", "created_at", "id"])

    op.create_table(
        "billing_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("lead_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("cause", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('credit', 'charge')", name=op.f("ck_billing_change_kind")),
        sa.CheckConstraint(
            "cause IN ('return', 'rejection', 'take_back')", name=op.f("ck_billing_change_cause")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_billing_change_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_billing_change_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_change")),
    )
    with op.batch_alter_table("billing_change", schema=None) as batch_op:
        batch_op.create_index("ix_billing_change_lead_id", ["lead_id"])
        batch_op.create_index(
            "ix_billing_change_school_created", ["school_id", "created_at", "id"]
        )

    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lines_by_lead", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_statement_line_kind"), type_="check")
        batch_op.alter_column(
            "kind",
            existing_type=sa.String(length=8),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint(op.f("ck_statement_line_kind"), f"kind IN ({KINDS})")
        batch_op.create_index("ix_statement_line_lead_id", ["lead_id"])

    with op.batch_alter_table("lead_export", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lead_export_columns"), type_="check")
        batch_op.alter_column(
            "columns",
            existing_type=sa.String(length=8),
            type_=sa.String(length=16),
            existing_server_default="full",
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("school_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_export_school_user_id_school_user"),
            "school_user",
            ["school_user_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_export_school_id_school"), "school", ["school_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_lead_export_columns"), "columns IN ('full', 'school', 'statement')"
        )
        batch_op.create_index("ix_lead_export_school_created", ["school_id", "created_at"])

    _enter_earlier_changes()


def _aware(value) -> datetime:
    """A time read back from either database, as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enter_earlier_changes() -> None:
    """The billing changes of the returns approved and the leads rejected before 0012."""
    bind = op.get_bind()
    closed = {
        (row.school_id, row.month): _aware(row.closed_at)
        for row in bind.execute(sa.text("SELECT school_id, month, closed_at FROM statement"))
    }
    now = datetime.now(UTC)
    changes = [
        {
            "at": _aware(row.decided_at),
            "school": row.school_id,
            "lead": row.id,
            "program": row.program_id,
            "received": _aware(row.created_at),
            "kind": "credit",
            "cause": "return",
            "reason": row.reason,
            "amount": -row.price_cents,
        }
        for row in bind.execute(
            sa.text(
                "SELECT l.id, l.school_id, l.program_id, l.created_at, l.price_cents,"
                " r.decided_at, r.reason FROM lead_return r JOIN lead l ON l.id = r.lead_id"
                " WHERE r.status = 'approved'"
            )
        )
    ]
    rejected = bind.execute(
        sa.text(
            "SELECT l.id, l.school_id, l.program_id, l.created_at, l.price_cents,"
            " l.reject_reason, (SELECT MAX(c.created_at) FROM lead_status_change c"
            "  WHERE c.lead_id = l.id AND c.to_status = 'rejected') AS rejected_at"
            " FROM lead l WHERE l.status = 'rejected' AND l.duplicate_of_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM lead_return r"
            "  WHERE r.lead_id = l.id AND r.status = 'approved')"
        )
    )
    for row in rejected:
        received = _aware(row.created_at)
        at = _aware(row.rejected_at) if row.rejected_at is not None else received
        lead_month_closed = closed.get((row.school_id, received.strftime("%Y-%m")))
        if lead_month_closed is not None and lead_month_closed > at:
            continue  # closed after the rejection, without the lead: never charged
        if (row.school_id, at.strftime("%Y-%m")) in closed:
            at = now
        changes.append(
            {
                "at": at,
                "school": row.school_id,
                "lead": row.id,
                "program": row.program_id,
                "received": received,
                "kind": "credit",
                "cause": "rejection",
                "reason": row.reject_reason,
                "amount": -row.price_cents,
            }
        )
    if not changes:
        return
    table = sa.table(
        "billing_change",
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("school_id", sa.Integer()),
        sa.column("lead_id", sa.Integer()),
        sa.column("program_id", sa.Integer()),
        sa.column("lead_received_at", sa.DateTime(timezone=True)),
        sa.column("kind", sa.String()),
        sa.column("cause", sa.String()),
        sa.column("reason", sa.String()),
        sa.column("amount_cents", sa.Integer()),
    )
    sqlite = bind.dialect.name == "sqlite"
    op.bulk_insert(
        table,
        [
            {
                "created_at": _stored(change["at"], sqlite),
                "school_id": change["school"],
                "lead_id": change["lead"],
                "program_id": change["program"],
                "lead_received_at": _stored(change["received"], sqlite),
                "kind": change["kind"],
                "cause": change["cause"],
                "reason": change["reason"],
                "amount_cents": change["amount"],
            }
            for change in sorted(changes, key=lambda change: (change["at"], change["lead"]))
        ],
    )


def _stored(value: datetime, sqlite: bool) -> datetime:
    """A UTC time as the app's UTCDateTime stores it (naive UTC on SQLite)."""
    return value.replace(tzinfo=None) if sqlite else value


def downgrade():
    # Statements written a line per lead cannot be held by the old kinds: they go, and the
    # old code closes those months again from the leads.
    op.execute("DELETE FROM statement WHERE lines_by_lead = true")
    with op.batch_alter_table("lead_export", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_export_school_created")
        batch_op.drop_constraint(op.f("ck_lead_export_columns"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_lead_export_school_id_school"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_lead_export_school_user_id_school_user"), type_="foreignkey"
        )
        batch_op.drop_column("school_id")
        batch_op.drop_column("school_user_id")
    op.execute("DELETE FROM lead_export WHERE columns = 'statement'")
    with op.batch_alter_table("lead_export", schema=None) as batch_op:
        batch_op.alter_column(
            "columns",
            existing_type=sa.String(length=16),
            type_=sa.String(length=8),
            existing_server_default="full",
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_lead_export_columns"), "columns IN ('full', 'school')"
        )
    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_line_lead_id")
        batch_op.drop_constraint(op.f("ck_statement_line_kind"), type_="check")
        batch_op.drop_column("note")
        batch_op.alter_column(
            "kind",
            existing_type=sa.String(length=16),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_statement_line_kind"), "kind IN ('charge', 'credit')"
        )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_column("lines_by_lead")
    with op.batch_alter_table("billing_change", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_change_school_created")
        batch_op.drop_index("ix_billing_change_lead_id")
    op.drop_table("billing_change")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_school_created")
