"""The settings of the apps tests build, on top of testing mode's own (config.TestingConfig)."""

import pytest

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
SITE_URL = "http://localhost"


def base_settings(database_url: str) -> dict:
    """What every test app sets beyond testing mode: its database and its public address."""
    return {"SQLALCHEMY_DATABASE_URI": database_url, "SITE_URL": SITE_URL}
