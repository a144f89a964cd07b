"""admin sessions that end, one lead per form stamp

admin_user.session_version is raised by sign-out and by a password change; a session remembers
the version it was signed in with and ends when they differ. lead.form_nonce is the nonce of the
signed form stamp that sent the lead: unique, so one form shown stores at most one lead.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("admin_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_nonce", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_lead_form_nonce"), ["form_nonce"])


def downgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_lead_form_nonce"), type_="unique")
        batch_op.drop_column("form_nonce")
    with op.batch_alter_table("admin_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
