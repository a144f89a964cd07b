"""A school's day in Chromium: sign in, find a new lead, record "contacted", return another,
download the CSV; the admin approves the return; the statement shows the credit; the download
is in the school's record. Screenshots at 390 and 1280 px of the school's pages."""

import csv
import io

import pytest

from portal.models import utcnow
from tests.support.factories import (
    PASSWORD,
    make_admin,
    make_lead,
    make_program,
    make_school,
    make_school_user,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def school(app):
    """Lakeshore with two new leads (one a wrong number), a user; another school; an admin."""
    with app.app_context():
        lakeshore = make_school("Lakeshore Medical Institute")
        program = make_program(lakeshore, title="Medical Billing", bid_cents=3500)
        now = utcnow()
        make_lead(program, first_name="Ana", last_name="Núñez", created_at=now, price_cents=3500)
        make_lead(program, first_name="Bo", last_name="Wrong", created_at=now, price_cents=3500)
        make_lead(make_program(make_school("Prairie Health College")), last_name="Hidden")
        make_school_user(lakeshore, "admissions@lakeshore.example")
        make_admin()
        return {"id": lakeshore.id}


def shoot(page, folder, name: str) -> None:
    """Save the page as screens/<name>.jpg (docs/ with UPDATE_SCREENSHOTS=1)."""
    screens = folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / f"{name}.jpg", type="jpeg", quality=60, full_page=True)


def test_a_school_works_its_leads_and_gets_credit(live_server, page, school, docs_folder):
    page.goto(f"{live_server}/school/login")
    page.fill("#email", "admissions@lakeshore.example")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/school/leads")
    text = page.inner_text("main")
    assert "Ana Núñez" in text and "Bo Wrong" in text and "Hidden" not in text
    shoot(page, docs_folder, "school-leads-1280")

    # The new lead: contacted today.
    page.click("text=Ana Núñez")
    page.select_option("#outcome", "contacted")
    page.click("text=Record outcome")
    assert "Outcome recorded: Contacted." in page.inner_text(".flash")
    shoot(page, docs_folder, "school-lead-1280")

    # The other: a wrong number, returned.
    page.click("text=All leads")
    page.click("text=Bo Wrong")
    page.select_option("#reason", "wrong_number")
    page.click("text=Return this lead")
    assert "Waiting for a decision" in page.inner_text("main")

    # The CSV of the leads, by POST.
    page.click("text=All leads")
    with page.expect_download() as info:
        page.click("text=Download these leads (CSV)")
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text("utf-8"), newline="")))
    assert sorted(row["Last name"] for row in rows) == ["Núñez", "Wrong"]
    assert {row["School"] for row in rows} == {"Lakeshore Medical Institute"}

    # The admin approves the return.
    admin = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    ops = admin.new_page()
    ops.goto(f"{live_server}/admin/login")
    ops.fill("#email", "admin@example.com")
    ops.fill("#password", PASSWORD)
    ops.click("text=Sign in")
    ops.goto(f"{live_server}/admin/returns")
    ops.select_option("select[name$='-decision']", "approve")
    ops.fill("textarea[name$='-note']", "The number is not in service.")
    ops.click("text=Decide")
    assert "approved" in ops.inner_text(".flash")
    admin.close()

    # The statement of this month: two leads charged, one credited.
    page.click("text=Statement")
    statement = page.inner_text("main")
    assert "return approved" in statement and "received this month" in statement
    assert "$70.00" in page.inner_text(".statement-figures")  # billed
    assert page.inner_text(".statement-total dd") == "$35.00"
    shoot(page, docs_folder, "school-statement-1280")
    # The download of the leads is in the school's own record of its downloads.
    page.click("text=Your downloads")
    assert "admissions@lakeshore.example" in page.inner_text("main")
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/school/leads", "school-leads-390"),
        ("/school/statement", "school-statement-390"),
    ):
        page.goto(live_server + path)
        shoot(page, docs_folder, name)
    assert page.console_errors == []
