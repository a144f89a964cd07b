"""school API tokens: the school user who made each one

school_api_token.created_by_id is the school user who made the token (NULL for tokens made
from the shell or by the operator): disabling that user revokes the token
(portal.services.school_accounts.set_school_user_enabled). Existing tokens get their maker
from created_by, the maker's email as recorded, within the token's school; tokens whose maker
is already disabled are revoked here, as they would have been.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("school_api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_school_api_token_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_school_api_token_created_by_id_school_user"),
            "school_user",
            ["created_by_id"],
            ["id"],
        )
    op.execute(
        "UPDATE school_api_token SET created_by_id = ("
        " SELECT school_user.id FROM school_user"
        " WHERE school_user.email = school_api_token.created_by"
        " AND school_user.school_id = school_api_token.school_id)"
    )
    # CURRENT_TIMESTAMP is UTC on both: SQLite's text is what UTCDateTime reads back.
    op.execute(
        sa.text(
            "UPDATE school_api_token SET revoked_at = CURRENT_TIMESTAMP"
            " WHERE revoked_at IS NULL AND created_by_id IN"
            " (SELECT id FROM school_user WHERE is_enabled = :no)"
        ).bindparams(sa.bindparam("no", False))
    )


def downgrade():
    with op.batch_alter_table("school_api_token", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_school_api_token_created_by_id_school_user"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_school_api_token_created_by_id"))
        batch_op.drop_column("created_by_id")
