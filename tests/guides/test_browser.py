"""The guide in a real browser: salary views, client-side sorting, no console errors."""

import pytest


@pytest.mark.browser
def test_guide_switches_salary_view_and_sorts_the_state_table(live_server, page, docs_folder):
    page.goto(f"{live_server}/careers/medical-office-manager")
    average = page.locator("#national-average")
    assert average.inner_text() == "$77,060"

    page.get_by_role("link", name="Monthly", exact=True).click()
    page.wait_for_url("**pay=monthly**")
    assert average.inner_text() == "$6,422"
    page.get_by_role("link", name="Hourly", exact=True).click()
    page.wait_for_url("**pay=hourly**")
    assert average.inner_text() == "$37.05"
    assert page.locator(".percentile-table td").first.inner_text() == "$23.08"
    page.get_by_role("link", name="Annually", exact=True).click()
    page.wait_for_url("**pay=annual**")
    assert average.inner_text() == "$77,060"

    rows = page.locator(".state-table tbody tr")
    assert rows.first.get_attribute("data-state") == "Alabama"
    url_before = page.url
    page.locator('.state-table th[data-sort-key="salary"] a').click()
    assert rows.first.get_attribute("data-state") == "California"
    assert rows.last.get_attribute("data-state") == "Colorado"
    assert rows.last.locator("td").inner_text() == "No data"
    header = page.locator('.state-table th[data-sort-key="salary"]')
    assert header.get_attribute("aria-sort") == "descending"
    assert "order=desc" in page.url and page.url != url_before  # sorted in place, URL updated

    page.locator('.state-table th[data-sort-key="salary"] a').click()
    assert rows.first.get_attribute("data-state") == "Puerto Rico"
    assert rows.last.get_attribute("data-state") == "Colorado"

    assert page.console_errors == []
    page.goto(f"{live_server}/careers/medical-office-manager")
    screenshot = docs_folder / "guide-medical-office-manager.jpg"
    page.screenshot(path=str(screenshot), full_page=True, type="jpeg", quality=60)
    assert screenshot.stat().st_size > 10_000
    assert page.console_errors == []


@pytest.mark.browser
def test_every_page_type_loads_without_console_errors(live_server, page):
    for path in ("/", "/careers/", "/careers/emt", "/programs"):
        page.goto(live_server + path)
        assert page.title()
    assert page.console_errors == []
