"""The migrations build exactly the schema the models describe, on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db
from portal.models.types import UTCDateTime


def compare_type(context, inspected, metadata, inspected_type, metadata_type):
    """Compare UTCDateTime by the DateTime it stores as; defer everything else to Alembic."""
    if isinstance(metadata_type, UTCDateTime):
        return type(inspected_type).__name__ not in {"DATETIME", "TIMESTAMP", "DateTime"}
    return None


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": compare_type})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_are_at_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context(), db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        config = app.extensions["migrate"].migrate.get_config()
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    assert current == ScriptDirectory.from_config(config).get_current_head()
