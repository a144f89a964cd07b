"""The operator's daily work in Chromium: find a lead by its phone number, reject it with a
note, export the school's leads in the school's columns, and download that export again from
the log."""

import csv
import io

import pytest

from tests.support.factories import PASSWORD, make_lead, make_program, make_school

pytestmark = pytest.mark.browser


@pytest.fixture
def leads(app):
    """Three leads at Lakeshore (one of them a fake), one at another school."""
    with app.app_context():
        lakeshore = make_program(make_school("Lakeshore Medical Institute"), title="Billing")
        other = make_program(make_school("Prairie Health College"))
        make_lead(lakeshore, first_name="Ana", last_name="Núñez", phone_e164="+13125550110")
        fake = make_lead(lakeshore, first_name="Test", last_name="Test", phone_e164="+13125550142")
        make_lead(lakeshore, first_name="Ben", last_name="Okafor", phone_e164="+17735550123")
        make_lead(other, first_name="Cleo", last_name="Park", phone_e164="+13125550177")
        return {"fake": fake.id, "school_id": lakeshore.school_id}


def rows_of(data: bytes) -> list[dict[str, str]]:
    """A downloaded CSV (with its byte-order mark, if any) as dicts by header."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def shoot(page, folder, name: str) -> None:
    """Save what the viewport shows as screens/<name>.jpg (docs/ with UPDATE_SCREENSHOTS=1)."""
    screens = folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / f"{name}.jpg", type="jpeg", quality=60)


def download(page, click) -> tuple[str, bytes]:
    """Click what starts a download; the file's suggested name and its bytes."""
    with page.expect_download() as info:
        click()
    path = info.value.path()
    return info.value.suggested_filename, path.read_bytes()


def test_find_reject_export_and_download_again(admin, live_server, page, leads, docs_folder):
    page.goto(f"{live_server}/admin/leads")
    page.fill("#email", admin["email"])
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/admin/leads")

    # Find the lead by its phone, typed as people write it.
    page.get_by_label("Search").fill("312.555.0142")
    page.click("button:text('Filter')")
    page.wait_for_url("**/admin/leads?q=312.555.0142*")
    assert page.locator("table.leads tbody tr").count() == 1
    assert "(312) 555-0142" in page.inner_text("table.leads")
    page.locator("table.leads tbody tr a").first.click()
    page.wait_for_url(f"**/admin/leads/{leads['fake']}")

    # Reject it with a note: the reason appears once "Rejected" is chosen.
    assert not page.get_by_label("Reason (when rejecting)").is_visible()
    page.get_by_label("New status").select_option("rejected")
    page.get_by_label("Reason (when rejecting)").select_option("test")
    page.get_by_label("Note (optional)").fill("Made-up name; the number is not in service.")
    page.click("text=Change status")
    page.wait_for_url(f"**/admin/leads/{leads['fake']}")
    assert "1 lead set to rejected." in page.inner_text(".flash")
    history = page.inner_text(".history")
    assert "New → Rejected (Test or fake)" in history
    assert "Made-up name; the number is not in service." in history
    assert "admin@example.com" in history
    shoot(page, docs_folder, "8-admin-lead")

    # Export the school's leads in the school's columns: the daily defaults.
    page.goto(f"{live_server}/admin/leads")
    page.get_by_label("School", exact=True).select_option(str(leads["school_id"]))
    page.click("button:text('Filter')")
    page.wait_for_url(f"**/admin/leads?*school={leads['school_id']}*")
    assert page.is_checked("#not_exported") and page.is_checked("#mark_exported")
    assert page.get_by_label("For the school").is_checked()
    page.get_by_label("Add a byte-order mark (for Excel)").check()
    shoot(page, docs_folder, "10-admin-export")
    name, first = download(page, lambda: page.click("text=Download CSV"))
    assert name.startswith("leads-lakeshore-medical-institute-") and name.endswith(".csv")
    assert first.startswith(b"\xef\xbb\xbf")
    rows = rows_of(first)
    assert [(r["First name"], r["School"], r["Phone"]) for r in rows] == [
        ("Ana", "Lakeshore Medical Institute", "(312) 555-0110"),
        ("Ben", "Lakeshore Medical Institute", "(773) 555-0123"),
    ]
    assert "ip_address" not in rows[0] and "price_cents" not in rows[0]
    page.goto(f"{live_server}/admin/leads?school={leads['school_id']}")
    statuses = page.locator("table.leads tbody tr .state").all_inner_texts()
    assert sorted(s.strip() for s in statuses) == ["EXPORTED", "EXPORTED", "REJECTED"]

    # The log says what it was, and gives the same file again.
    page.goto(f"{live_server}/admin/exports")
    log = page.inner_text("table.exports")
    assert "School: Lakeshore Medical Institute" in log and "marked exported" in log
    shoot(page, docs_folder, "9-admin-export-log")
    button = page.get_by_role("button", name="Download again: export 1")
    again_name, again = download(page, button.click)
    assert again == first and again_name.startswith("leads-lakeshore-medical-institute-")
    page.goto(f"{live_server}/admin/exports")
    assert "the leads of export #1 again" in page.inner_text("table.exports")
    assert [e for e in page.console_errors if "status of 4" not in e] == []
