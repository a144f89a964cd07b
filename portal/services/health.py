"""Whether the services the site depends on answer."""

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db


def database_is_reachable() -> bool:
    """Run a trivial query; report False instead of raising when the database is down."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        current_app.logger.warning("health check: database unreachable")
        db.session.rollback()
        return False
