"""The trust journey in Chromium: a visitor asks a school for information; the school
downloads the lead's signed consent receipt from its lead page and anyone checks it at
/receipts/verify ("Valid"); the visitor then opts out, and the school's page says "Opted out"
at once, without the contact details."""

import pytest

from portal.extensions import db
from portal.models import Program
from tests.receipts.conftest import SCHOOL
from tests.support.factories import PASSWORD, make_school_user
from tests.support.leads import form_url

pytestmark = pytest.mark.browser
STAFF = "admissions@lakeshore.example"


@pytest.fixture
def staff(app, program_id) -> str:
    """A user of the listing's school; forms may be sent at once (the minimum fill time has
    its own tests)."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        make_school_user(db.session.get(Program, program_id).school, STAFF)
    return STAFF


def request_info(page, live_server, program_id) -> None:
    """Fill in and send the request-info form as a visitor."""
    page.goto(live_server + form_url(program_id))
    page.fill("#first_name", "Rosa")
    page.fill("#last_name", "Delgado")
    page.fill("#email", "rosa.delgado@example.com")
    page.fill("#phone", "(312) 555-0177")
    page.get_by_label("Highest level of education").select_option("associate")
    page.get_by_label("When would you like to start?").select_option("within_1_month")
    page.check("#consent")
    page.get_by_role("button", name="Request information").click()
    page.wait_for_url("**/thanks")


def test_a_receipt_checks_out_then_the_person_opts_out(
    app, live_server, page, program_id, staff, tmp_path
):
    request_info(page, live_server, program_id)

    school = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    desk = school.new_page()
    desk.goto(f"{live_server}/school/login")
    desk.fill("#email", staff)
    desk.fill("#password", PASSWORD)
    desk.click("text=Sign in")
    desk.wait_for_url(f"{live_server}/school/leads")
    desk.click("text=Rosa Delgado")
    assert "rosa.delgado@example.com" in desk.inner_text("main")
    with desk.expect_download() as info:
        desk.click("text=Download the signed receipt (.jws)")
    receipt = info.value.path().read_text("ascii").strip()
    assert receipt.count(".") == 2 and receipt.startswith("eyJ")

    # Anyone may check it: a visitor with no account pastes it into the public page.
    page.goto(f"{live_server}/receipts/verify")
    page.fill("textarea", receipt)
    page.get_by_role("button", name="Check receipt").click()
    page.wait_for_load_state()
    assert page.inner_text("#result-title") == "Valid"
    result = page.inner_text(".receipt-result")
    assert SCHOOL in result and "rosa.delgado@example.com" not in result
    # One changed character, and it is not.
    tampered = receipt[:-2] + ("A" if receipt[-2] != "A" else "B") + receipt[-1]
    page.goto(f"{live_server}/receipts/verify")
    page.fill("textarea", tampered)
    page.get_by_role("button", name="Check receipt").click()
    page.wait_for_load_state()
    assert page.inner_text("#result-title") == "Not valid"

    # The person opts out; it acts at once, with no admin step.
    page.goto(f"{live_server}/privacy/do-not-sell")
    page.fill("#email", "Rosa.Delgado@example.com")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_load_state()
    assert page.inner_text(".reference-code").startswith("DNS-")

    desk.reload()
    main = desk.inner_text("main")
    assert desk.locator("h1 .state-opted-out").inner_text().lower() == "opted out"
    assert "rosa.delgado@example.com" not in main and "Rosa" not in main
    desk.click("text=All leads")
    listing = desk.inner_text("main")
    assert desk.locator("td .state-opted-out").count() == 1 and "Delgado" not in listing
    # The one error the console saw is the 422 that answered the tampered receipt.
    assert [e for e in page.console_errors if "422" not in e] == []
    school.close()
