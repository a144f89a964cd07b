"""The key visitor journey in Chromium: guide -> search -> request info -> thank-you."""

import pytest

from tests.support.factories import make_program, make_school
from tests.support.leads import all_leads

pytestmark = pytest.mark.browser


@pytest.fixture
def listings(app):
    """Two Chicago listings for the guide's career, and one for another career."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        top = make_program(make_school("Lakeshore Medical Institute"), bid_cents=4000)
        make_program(make_school("Prairie Health College"), bid_cents=2000, zip_code="60614")
        make_program(make_school("Other Career School"), career="phlebotomist", bid_cents=9000)
        return top.id


def test_from_the_guide_to_a_stored_lead(app, live_server, page, listings):
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    page.goto(f"{live_server}/careers/medical-office-manager?utm_source=journey&utm_medium=test")

    box = page.locator(".search-box").first
    box.get_by_label("ZIP code").fill("60601")
    box.get_by_role("button", name="Search Programs").click()
    page.wait_for_url("**/programs?zip=60601*career=medical-office-manager*")

    schools = page.locator(".result .result-school").all_inner_texts()
    assert [s.strip() for s in schools][:2] == [
        "Lakeshore Medical Institute",
        "Prairie Health College",
    ]
    assert "Other Career School" not in page.inner_text("main")
    assert page.locator(".result .sponsored-tag").count() == 2

    page.locator(".result").first.get_by_role("link", name="Request Info").click()
    page.wait_for_url("**/request-info?zip=60601*")
    assert "Lakeshore Medical Institute" in page.inner_text(".consent")
    page.locator("#first_name").fill("Ana")
    page.locator("#last_name").fill("Núñez")
    page.locator("#email").fill("ana.nunez@example.com")
    page.locator("#phone").fill("312-555-0199")
    page.get_by_label("Highest level of education").select_option("associate")
    page.get_by_label("When would you like to start?").select_option("within_1_month")
    page.locator("#consent").check()
    page.get_by_role("button", name="Request information").click()

    page.wait_for_url("**/thanks")
    assert "Lakeshore Medical Institute" in page.inner_text("main")
    others = page.locator(".listing-list .listing").all_inner_texts()
    assert any("Prairie Health College" in text for text in others)
    assert failed == [] and page.console_errors == []

    [lead] = all_leads(app)
    assert (lead.program_id, lead.email, lead.phone_e164) == (
        listings,
        "ana.nunez@example.com",
        "+13125550199",
    )
    assert (lead.utm_source, lead.utm_medium) == ("journey", "test")
    assert lead.page_url.endswith("/request-info?zip=60601")
    assert lead.billable and lead.status == "new"
