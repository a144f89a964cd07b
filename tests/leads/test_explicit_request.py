"""A request-info form sent by a person who opted out (matched by the fingerprint of their
email or of their phone) is their own explicit request to the one school it names: stored,
billable, queued for that school's destinations alone, and marked so on the lead, the admin's
and the school's lead pages and the data schools receive. Their earlier leads stay opted out."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery, Destination, Lead, Program
from portal.services import accounts
from portal.services.destinations import add_webhook
from portal.services.events import lead_data
from tests.support.factories import make_admin, make_program, make_school, make_school_user
from tests.support.forms import sign_in, sign_in_school
from tests.support.leads import all_leads, submit
from tests.support.pages import opt_out_by_form


@pytest.fixture
def two_schools(app, program_id) -> dict[str, int]:
    """Lakeshore's listing (program_id) and another school's, each with a webhook."""
    with app.app_context():
        other = make_program(make_school("Birch Health Academy"), zip_code="60601")
        for school_id in (db.session.get(Program, program_id).school_id, other.school_id):
            add_webhook(school_id, f"https://crm{school_id}.example/hooks", production=False)
        return {"lakeshore": program_id, "birch": other.id}


@pytest.mark.parametrize(
    "changes",
    [{}, {"email": "jane.new@example.com"}],
    ids=["same-email", "same-phone-other-email"],
)
def test_a_later_request_of_a_person_who_opted_out_is_their_explicit_request(
    app, client, two_schools, changes
):
    assert submit(client, two_schools["birch"]).status_code == 303
    opt_out_by_form(app, "jane.doe@example.com", phone="(312) 555-0142")
    assert submit(client, two_schools["lakeshore"], **changes).status_code == 303
    earlier, later = all_leads(app)
    assert earlier.opted_out_at is not None and not earlier.explicit_request
    assert later.opted_out_at is None and later.explicit_request and later.billable
    with app.app_context():
        queued = db.session.execute(
            select(Delivery.lead_id, Delivery.status, Destination.school_id)
            .join(Destination, Destination.id == Delivery.destination_id)
            .where(Delivery.event == "lead.created")
            .order_by(Delivery.id)
        ).all()
        # Delivered to the school it names only; the earlier lead's delivery was cancelled.
        assert queued == [
            (earlier.id, "cancelled", earlier.school_id),
            (later.id, "pending", later.school_id),
        ]
        assert lead_data(later.id)["explicit_request"] is True
        assert lead_data(earlier.id)["explicit_request"] is False


def test_a_request_of_someone_else_is_not_marked(app, client, two_schools):
    opt_out_by_form(app, "someone.else@example.com", phone="(773) 555-0199")
    assert submit(client, two_schools["lakeshore"]).status_code == 303
    [lead] = all_leads(app)
    assert not lead.explicit_request and lead.opted_out_at is None


def test_the_opted_out_lead_is_no_earlier_request_for_the_thirty_days(app, client, two_schools):
    assert submit(client, two_schools["lakeshore"]).status_code == 303
    opt_out_by_form(app, "jane.doe@example.com")
    assert submit(client, two_schools["lakeshore"]).status_code == 303
    earlier, later = all_leads(app)
    # Not a non-billable repeat of the opted-out lead (a repeat would be delivered to no one).
    assert later.duplicate_of_id is None and later.billable and later.explicit_request


def test_the_lead_pages_say_it_is_an_explicit_request(app, client, two_schools, monkeypatch):
    opt_out_by_form(app, "jane.doe@example.com")
    assert submit(client, two_schools["lakeshore"]).status_code == 303
    [lead] = all_leads(app)
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    with app.app_context():
        make_admin()
        user = make_school_user(db.session.get(Lead, lead.id).school, "staff@lakeshore.example")
        email = user.email
    admin = app.test_client()
    assert sign_in(admin).status_code == 302
    page = admin.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "explicit request</span>" in page and "Explicit request." in page
    school = app.test_client()
    assert sign_in_school(school, email).status_code == 302
    page = school.get(f"/school/leads/{lead.id}").get_data(as_text=True)
    assert "Explicit request." in page and "jane.doe@example.com" in page
    listing = school.get("/school/leads").get_data(as_text=True)
    assert "Explicit request</span>" in listing
