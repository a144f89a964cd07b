"""The whole journey in Chromium against gunicorn in production mode, with screenshots.

guide -> search -> request info -> thank-you -> admin sign-in -> the lead in the list -> CSV
export. Rate limits are on and counted in Redis; the session cookie is Secure, which Chromium
keeps on http://127.0.0.1 (a loopback address counts as a secure context). The screenshots
(JPEG, the viewport only) go to docs/screens/ for the README when UPDATE_SCREENSHOTS=1.
"""

import csv
import io

import pytest

from tests.support.production import ADMIN_EMAIL, ADMIN_PASSWORD, stored_emails

pytestmark = [pytest.mark.production, pytest.mark.browser, pytest.mark.xdist_group("production")]

EMAIL = "journey.visitor@example.com"


def test_visitor_to_export_in_production(production_site, page, tmp_path, docs_folder):
    screens = docs_folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        """Save what the viewport shows as screens/<name>.jpg."""
        page.screenshot(path=screens / f"{name}.jpg", type="jpeg", quality=60)

    site = production_site.url
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))

    page.goto(f"{site}/careers/medical-office-manager?utm_source=readme&utm_medium=journey")
    shoot(page, "1-guide")
    box = page.locator(".search-box").first
    box.get_by_label("ZIP code").fill("60601")
    box.get_by_role("button", name="Search Programs").click()
    page.wait_for_url("**/programs?zip=60601*career=medical-office-manager*")
    assert page.locator(".result .sponsored-tag").count() >= 2
    school = page.locator(".result .result-school").first.inner_text().strip()
    shoot(page, "2-search")

    page.locator(".result").first.get_by_role("link", name="Request Info").click()
    page.wait_for_url("**/request-info?zip=60601*")
    assert school in page.inner_text(".consent")
    page.locator("#first_name").fill("Jordan")
    page.locator("#last_name").fill("Rivera")
    page.locator("#email").fill(EMAIL)
    page.locator("#phone").fill("312-555-0123")
    page.get_by_label("Highest level of education").select_option("associate")
    page.get_by_label("When would you like to start?").select_option("within_1_month")
    page.locator("#consent").check()
    page.locator("#phone").scroll_into_view_if_needed()
    shoot(page, "3-request-info")
    page.get_by_role("button", name="Request information").click()

    page.wait_for_url("**/thanks")
    assert school in page.inner_text("main")
    shoot(page, "4-thank-you")
    assert stored_emails(production_site.database_url).get(EMAIL) == 1

    page.goto(f"{site}/admin/leads")
    assert "/admin/login" in page.url
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    shoot(page, "5-admin-sign-in")
    page.click("text=Sign in")
    page.wait_for_url(f"{site}/admin/leads")
    page.select_option("#career", "medical-office-manager")
    page.click("button:text('Filter')")
    page.wait_for_url("**/admin/leads?*career=medical-office-manager*")
    assert EMAIL in page.inner_text("table.leads")
    shoot(page, "6-admin-leads")

    page.get_by_label("Full: every column").check()
    with page.expect_download() as download_info:
        page.click("text=Download CSV")
    path = tmp_path / "leads.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [(r["email"], r["school"], r["utm_source"]) for r in rows] == [(EMAIL, school, "readme")]
    page.goto(f"{site}/admin/exports")
    assert ADMIN_EMAIL in page.inner_text("main")
    shoot(page, "7-admin-exports")
    assert failed == [] and page.console_errors == []
