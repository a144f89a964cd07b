"""In a real browser: open the form from a search link, fill it by keyboard, get thanked."""

import pytest

from tests.support.leads import all_leads, form_url

pytestmark = pytest.mark.browser


def test_visitor_fills_the_form_by_keyboard_and_sees_the_thank_you_page(
    app, live_server, page, program_id, school_name
):
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    page.goto(live_server + form_url(program_id) + "&utm_source=browser-test")
    assert page.input_value("#zip_code") == "60601"
    assert not page.is_checked("#consent")
    assert page.locator("#website").bounding_box()["x"] < 0  # the honeypot is off screen

    page.get_by_label("First name").click()
    page.keyboard.type("Zoë")
    page.keyboard.press("Tab")
    page.keyboard.type("O'Brien")
    page.keyboard.press("Tab")
    page.keyboard.type("zoe.obrien@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("(312) 555-0142")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "zip_code"
    page.keyboard.press("Tab")
    page.get_by_label("Highest level of education").select_option("associate")
    page.keyboard.press("Tab")
    page.get_by_label("When would you like to start?").select_option("1_3_months")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "consent"  # the honeypot is skipped
    page.keyboard.press("Space")
    assert page.is_checked("#consent")
    page.get_by_role("button", name="Request information").click()

    page.wait_for_url("**/thanks")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert school_name in page.inner_text("main")
    assert failed == []
    assert page.console_errors == []
    [lead] = all_leads(app)
    assert (lead.first_name, lead.last_name, lead.email) == (
        "Zoë",
        "O'Brien",
        "zoe.obrien@example.com",
    )
    assert (lead.education_level, lead.start_timeframe) == ("associate", "1_3_months")
    assert lead.utm_source == "browser-test"
    assert "HeadlessChrome" in lead.user_agent

    page.reload()  # the thank-you page reloads without sending anything again
    assert len(all_leads(app)) == 1


def test_mistakes_are_shown_beside_their_fields(app, live_server, page, program_id):
    page.goto(live_server + form_url(program_id))
    page.get_by_label("First name").fill("Jane")
    page.get_by_role("button", name="Request information").click()
    page.wait_for_load_state()
    assert page.input_value("#first_name") == "Jane"
    assert page.inner_text("#email-error") == "Enter your email address."
    assert page.get_attribute("#email", "aria-describedby") == "email-error"
    assert "Tick the box to agree" in page.inner_text("#consent-error")
    assert all_leads(app) == []
