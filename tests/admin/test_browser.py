"""In a real browser: sign in, filter the leads, download the CSV, sign out."""

import csv
import io

import pytest

from tests.support.factories import PASSWORD, make_lead, make_program

pytestmark = pytest.mark.browser


def test_sign_in_filter_download_sign_out(app, admin, live_server, page, tmp_path):
    with app.app_context():
        program = make_program()
        make_lead(program, first_name="Illinois", state="IL")
        make_lead(program, first_name="=Wisconsin", state="WI")

    page.goto(f"{live_server}/admin/leads")
    assert "/admin/login" in page.url
    page.fill("#email", admin["email"])
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/admin/leads")

    page.fill("#state", "WI")
    page.click("button:text('Filter')")
    page.wait_for_url("**/admin/leads?*state=WI*")
    assert page.locator("table.leads tbody tr").count() == 1

    assert page.is_checked("#mark_exported") and page.is_checked("#not_exported")  # the daily job
    page.get_by_label("Full: every column").check()
    with page.expect_download() as download_info:
        page.click("text=Download CSV")
    download = download_info.value
    assert download.suggested_filename.startswith("leads-")
    path = tmp_path / "leads.csv"
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [(r["first_name"], r["state"], r["status"]) for r in rows] == [
        ("'=Wisconsin", "WI", "exported")
    ]

    page.goto(f"{live_server}/admin/exports")
    assert "admin@example.com" in page.content()
    page.click("text=Sign out")
    page.wait_for_url("**/admin/login")
    page.goto(f"{live_server}/admin/leads")
    assert "/admin/login" in page.url
    assert page.console_errors == []
