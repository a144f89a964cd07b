"""Fixtures for the consent receipt tests: a listing, and leads sent through its form."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead
from tests.support.factories import make_program, make_school
from tests.support.leads import submit

SCHOOL = "Lakeshore Medical Institute"
PROGRAM = "Medical Office Administration"


@pytest.fixture
def program_id(app) -> int:
    """A campus listing in downtown Chicago (ZIP 60601) from Lakeshore Medical Institute."""
    with app.app_context():
        school = make_school(SCHOOL)
        return make_program(school, zip_code="60601", bid_cents=3100, title=PROGRAM).id


def send_lead(app, program_id: int, client=None, headers=None, **answers) -> Lead:
    """Send the request-info form as a browser would (at once: the minimum fill time has its
    own tests); the lead it stored (detached)."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    client = client or app.test_client()
    response = submit(client, program_id, headers=headers, **answers)
    assert response.status_code == 303, response.status_code
    with app.app_context():
        lead = db.session.scalars(select(Lead).order_by(Lead.id.desc()).limit(1)).one()
        db.session.expunge(lead)
        return lead
