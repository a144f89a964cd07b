"""program: a copy of its campus's coordinates, kept by triggers, for the radius search

The radius search used to walk campus (lat/lon index) -> program (by campus) -> sponsorship:
two nested lookups per in-radius listing. With the campus's coordinates on the listing itself,
one index on program finds the listings in the bounding box and carries what the filters read
(a covering index on SQLite, an index-only scan on PostgreSQL).

The copies are the database's job, not the application's: triggers fill them whenever a listing
is inserted or its campus changes, and move them when a campus's coordinates change, so no
writer (the import, the admin, a bulk insert, a psql session) can leave them stale.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_POSTGRESQL_UP = (
    """
    CREATE FUNCTION program_copy_campus_coordinates() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        SELECT latitude, longitude INTO NEW.campus_latitude, NEW.campus_longitude
        FROM campus WHERE id = NEW.campus_id;
        IF NOT FOUND THEN
            NEW.campus_latitude := NULL;
            NEW.campus_longitude := NULL;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER program_campus_coordinates
    BEFORE INSERT OR UPDATE OF campus_id, campus_latitude, campus_longitude ON program
    FOR EACH ROW EXECUTE FUNCTION program_copy_campus_coordinates()
    """,
    """
    CREATE FUNCTION campus_move_program_coordinates() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE program SET campus_latitude = NEW.latitude, campus_longitude = NEW.longitude
        WHERE campus_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER campus_program_coordinates
    AFTER UPDATE OF latitude, longitude ON campus
    FOR EACH ROW
    WHEN (OLD.latitude IS DISTINCT FROM NEW.latitude
          OR OLD.longitude IS DISTINCT FROM NEW.longitude)
    EXECUTE FUNCTION campus_move_program_coordinates()
    """,
)

_POSTGRESQL_DOWN = (
    "DROP TRIGGER campus_program_coordinates ON campus",
    "DROP FUNCTION campus_move_program_coordinates()",
    "DROP TRIGGER program_campus_coordinates ON program",
    "DROP FUNCTION program_copy_campus_coordinates()",
)

# SQLite triggers cannot change NEW, so they update the row just written. SQLite's default
# (recursive_triggers off) keeps a trigger from firing itself again.
_SQLITE_COPY = """
    UPDATE program SET
        campus_latitude = (SELECT latitude FROM campus WHERE id = NEW.campus_id),
        campus_longitude = (SELECT longitude FROM campus WHERE id = NEW.campus_id)
    WHERE id = NEW.id;
"""

_SQLITE_UP = (
    f"CREATE TRIGGER program_campus_coordinates_insert AFTER INSERT ON program "
    f"BEGIN {_SQLITE_COPY} END",
    f"CREATE TRIGGER program_campus_coordinates_update "
    f"AFTER UPDATE OF campus_id, campus_latitude, campus_longitude ON program "
    f"BEGIN {_SQLITE_COPY} END",
    """
    CREATE TRIGGER campus_program_coordinates AFTER UPDATE OF latitude, longitude ON campus
    BEGIN
        UPDATE program SET campus_latitude = NEW.latitude, campus_longitude = NEW.longitude
        WHERE campus_id = NEW.id;
    END
    """,
)

_SQLITE_DOWN = (
    "DROP TRIGGER campus_program_coordinates",
    "DROP TRIGGER program_campus_coordinates_update",
    "DROP TRIGGER program_campus_coordinates_insert",
)


def upgrade():
    op.add_column("program", sa.Column("campus_latitude", sa.Float(), nullable=True))
    op.add_column("program", sa.Column("campus_longitude", sa.Float(), nullable=True))
    op.execute(
        """
        UPDATE program SET
            campus_latitude = (SELECT latitude FROM campus WHERE campus.id = program.campus_id),
            campus_longitude = (SELECT longitude FROM campus WHERE campus.id = program.campus_id)
        WHERE campus_id IS NOT NULL
        """
    )
    for statement in _POSTGRESQL_UP if _postgresql() else _SQLITE_UP:
        op.execute(statement)
    op.create_index(
        "ix_program_campus_lat_lon",
        "program",
        [
            "campus_latitude",
            "campus_longitude",
            "is_active",
            "modality",
            "career",
            "credential_level",
            "id",
        ],
    )
    op.drop_index("ix_campus_lat_lon", table_name="campus")


def downgrade():
    op.create_index("ix_campus_lat_lon", "campus", ["latitude", "longitude"])
    op.drop_index("ix_program_campus_lat_lon", table_name="program")
    for statement in _POSTGRESQL_DOWN if _postgresql() else _SQLITE_DOWN:
        op.execute(statement)
    # SQLite 3.35+ drops a column in place; a batch copy would rebuild the referenced table.
    op.execute("ALTER TABLE program DROP COLUMN campus_longitude")
    op.execute("ALTER TABLE program DROP COLUMN campus_latitude")


def _postgresql() -> bool:
    """Whether this migration runs against PostgreSQL (otherwise SQLite)."""
    return op.get_bind().dialect.name == "postgresql"
