"""Fixtures for the lead pages: forms that may be sent at once, and a listing to ask about."""

import pytest

from tests.support.factories import make_program, make_school


@pytest.fixture(autouse=True)
def no_fill_delay(app):
    """Tests send forms straight away; the minimum fill time has its own tests."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0


@pytest.fixture
def program_id(app) -> int:
    """A campus listing in downtown Chicago (ZIP 60601) from Lakeshore Medical Institute."""
    with app.app_context():
        school = make_school("Lakeshore Medical Institute")
        return make_program(school, zip_code="60601", bid_cents=3100).id


@pytest.fixture
def school_name() -> str:
    """The name of the school in `program_id`."""
    return "Lakeshore Medical Institute"
