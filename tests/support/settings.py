"""The settings of the apps tests build, on top of testing mode's own (config.TestingConfig)."""

import pytest

POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgres)
BACKENDS = ["sqlite", POSTGRESQL]
# For a test of what only PostgreSQL has: run on it alone.
POSTGRES_ONLY = pytest.mark.parametrize("database_url", [POSTGRESQL], indirect=True)
SITE_URL = "http://localhost"


def base_settings(database_url: str) -> dict:
    """What every test app sets beyond testing mode: its database and its public address."""
    return {"SQLALCHEMY_DATABASE_URI": database_url, "SITE_URL": SITE_URL}
