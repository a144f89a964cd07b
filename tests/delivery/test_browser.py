"""In a real browser: a visitor sends the form, the worker delivers the lead to the school's
webhook, and the admin sees "delivered" in the lead's and the school's delivery log."""

import pytest

from portal.delivery.worker import Worker
from portal.services import accounts
from tests.delivery.conftest import webhook
from tests.delivery.receiver import verify
from tests.support.factories import PASSWORD, make_admin
from tests.support.leads import form_url

pytestmark = pytest.mark.browser


def test_a_lead_sent_through_the_form_shows_delivered_in_the_admin(
    app, live_server, page, listing, receiver, monkeypatch
):
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    with app.app_context():
        make_admin()
    _, secret = webhook(app, listing["school_id"], receiver.url())

    page.goto(live_server + form_url(listing["program_id"]))
    page.fill("#first_name", "Zoë")
    page.fill("#last_name", "O'Brien")
    page.fill("#email", "zoe.obrien@example.com")
    page.fill("#phone", "(312) 555-0142")
    page.select_option("#education_level", "associate")
    page.select_option("#start_timeframe", "1_3_months")
    page.check("#consent")
    page.get_by_role("button", name="Request information").click()
    page.wait_for_url("**/thanks")

    Worker(app).run(once=True)  # what `flask --app wsgi deliver` does
    [request] = receiver.requests
    assert verify(request, secret)["data"]["first_name"] == "Zoë"

    page.goto(f"{live_server}/admin/leads")
    page.fill("#email", "admin@example.com")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/admin/leads")
    page.click("table.leads tbody tr >> nth=0 >> a")
    delivery = page.locator("section.delivery")
    assert delivery.locator(".state").first.inner_text().lower() == "delivered"
    assert receiver.url() in delivery.inner_text()
    assert "200" in delivery.locator("table.attempts").inner_text()

    page.click("nav.admin-nav >> text=Schools")
    page.click("text=Lakeshore Medical Institute")
    page.wait_for_url(f"{live_server}/admin/schools/{listing['school_id']}")
    log = page.locator("table.attempts tbody tr").first
    assert "delivered" in log.inner_text().lower()
    assert page.console_errors == []
