"""In a real browser: type a ZIP into the search box, see ranked sponsored results."""

import pytest

from tests.support.factories import make_program

pytestmark = pytest.mark.browser


def test_search_from_the_box_shows_ranked_sponsored_results(app, live_server, page):
    with app.app_context():
        make_program(zip_code="60614", bid_cents=2000, title="Second by bid")
        make_program(zip_code="60640", bid_cents=4000, title="First by bid")
        make_program(modality="online", states=("IL",), bid_cents=1000, title="Third by bid")
        make_program(zip_code="90012", bid_cents=9000, title="Too far away")
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    page.goto(f"{live_server}/programs")
    page.get_by_label("ZIP code").fill("60601")
    page.get_by_role("button", name="Search Programs").click()
    page.wait_for_url("**/programs?zip=60601*")
    titles = page.locator(".result-title").all_inner_texts()
    assert titles == ["First by bid", "Second by bid", "Third by bid"]
    labels = page.locator(".result .sponsored-tag").all_text_contents()
    assert labels == ["Sponsored"] * 3
    first_link = page.get_by_role("link", name="Request Info about First by bid").first
    assert first_link.get_attribute("href").endswith("/request-info?zip=60601")
    assert page.get_by_label("ZIP code").input_value() == "60601"
    assert failed == []
    assert page.console_errors == []


def test_a_bad_zip_gets_a_message_beside_the_field(live_server, page):
    response = page.goto(f"{live_server}/programs?zip=123")
    assert response.status == 422
    assert page.locator("#zip-error").inner_text() == "Enter a 5-digit ZIP code, like 60601."
