"""Fixtures for the site's own pages."""

import pytest


@pytest.fixture(autouse=True)
def no_fill_delay(app):
    """Tests send forms straight away; the minimum fill time has its own tests."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
