"""axe-core in Chromium on the visitor's and the admin's pages, and every form by keyboard."""

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, utcnow
from portal.pages.views import reference_token
from portal.services import accounts
from portal.services.destinations import add_email, add_webhook
from portal.services.inbox import ContactDraft, OptOutDraft, opt_out, save_contact_message
from portal.services.lead_returns import request_return
from portal.services.outbox import queue_deliveries
from portal.services.retention import run_retention
from portal.services.school_leads import Actor
from tests.support.factories import (
    PASSWORD,
    make_admin,
    make_lead,
    make_open_privacy_request,
    make_program,
    make_school,
    make_school_user,
)

pytestmark = pytest.mark.browser

GUIDE = "/careers/medical-office-manager"
EXAMPLE_CSV = Path(__file__).resolve().parent.parent / "docs" / "programs-example.csv"
BLOCKING = {"serious", "critical"}


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page that answers it (axe on a page still
    loading finds no document)."""
    with page.expect_navigation():
        page.click(selector)


def axe_violations(page) -> list[str]:
    """Run axe-core on the open page; one line per serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def site(app, monkeypatch):
    """A listing in Chicago with one lead, and an admin who can sign in."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        school = make_school("Lakeshore Medical Institute")
        program = make_program(school, title="Medical Office Administration")
        make_program(make_school("Prairie Health College"), zip_code="60614")
        make_program(
            make_school("Lakefront Allied Health"),
            zip_code="53202",
            career="phlebotomist",
            title="Phlebotomy Technician",
            tuition_min_cents=125_000,
        )
        lead = make_lead(program)
        add_webhook(school.id, "https://crm.example.edu/hooks/leads", production=False)
        add_email(school.id, "admissions@example.edu")
        queue_deliveries(lead.id, school.id, utcnow())
        db.session.commit()
        gone = make_program(make_school("Closed College"), is_active=False).id
        save_contact_message(ContactDraft("Pat Doe", "pat@example.com", "other", "Hello"), "m-1")
        make_open_privacy_request("pat@example.com", "Pat Doe", "CA", "r-1")
        make_admin()
        make_school_user(school, "staff@lakeshore.example")
        returned = make_lead(program, created_at=utcnow())
        request_return(
            school.id, returned.id, "other", "Not a person", Actor("staff"), utcnow(), 30
        )
        # Kim opted out (her waiting delivery cancelled), then asked the school again.
        opted = make_lead(program, email="kim@example.com", phone_e164="+13125550111")
        queue_deliveries(opted.id, school.id, utcnow())
        db.session.commit()
        reference = opt_out(OptOutDraft("kim@example.com", None, "CA"), "o-1", utcnow())
        explicit = make_lead(
            program, email="kim@example.com", phone_e164="+13125550111", explicit_request=True
        )
        with app.test_request_context():
            reference_url = url_for("pages.do_not_sell_sent", ref=reference_token(reference))
        age = timedelta(days=app.config["LEAD_RETENTION_DAYS"], hours=1)
        erased = make_lead(program, created_at=utcnow() - age)
        run_retention(utcnow(), app.config["LEAD_RETENTION_DAYS"], "shell:test")
        return {
            "erased_id": erased.id,
            "opted_out_id": opted.id,
            "explicit_id": explicit.id,
            "reference_url": reference_url,
            "returned_id": returned.id,
            "program_id": program.id,
            "lead_id": lead.id,
            "school_id": school.id,
            "gone_id": gone,
        }


def sign_in(page, live_server) -> None:
    """Sign in through the form."""
    page.goto(f"{live_server}/admin/login")
    page.fill("#email", "admin@example.com")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/admin")


def send_request(page, confirm: bool = False) -> None:
    """Fill in the open request-info form and send it; wait for the thank-you page (or, with
    `confirm`, for the form to come back asking to confirm it)."""
    for field, value in {
        "#first_name": "Ada",
        "#last_name": "Lovelace",
        "#email": "ada@example.com",
        "#phone": "(312) 555-0142",
    }.items():
        page.fill(field, value)
    page.select_option("#education_level", "high_school")
    page.select_option("#start_timeframe", "immediately")
    page.check("#consent")
    if confirm:
        with page.expect_navigation():
            page.click("form.lead-form button[type=submit]")
        assert page.get_by_role("button", name="Confirm request").is_visible()
        return
    page.click("form.lead-form button[type=submit]")
    page.wait_for_url("**/thanks")


def visitor_pages(site) -> list[str]:
    """Every kind of page a visitor sees (but the thank-you page, which needs a request)."""
    return [
        "/",
        "/careers/",
        GUIDE,
        "/careers/emt",
        "/careers/phlebotomist",
        "/programs",
        "/programs?zip=60601",
        "/programs?zip=60601&sort=tuition",
        "/programs?zip=59001&career=phlebotomist&radius=10",
        "/programs?zip=6060",
        "/programs?zip=53202&career=medical-office-manager&radius=10",
        "/programs?zip=59701",
        f"/programs/{site['program_id']}?zip=60601",
        f"/programs/{site['gone_id']}?zip=60601",
        f"/programs/{site['program_id']}/request-info?zip=60601",
        "/about",
        "/how-we-make-money",
        "/contact",
        "/contact/sent",
        "/privacy",
        "/terms",
        "/privacy/do-not-sell",
        "/privacy/do-not-sell/sent",
        site["reference_url"],
        "/api/docs",
        "/receipts/verify",
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_visitor_pages_have_no_serious_violations(app, chromium, live_server, site, width):
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    found = {}
    for path in visitor_pages(site):
        page.goto(live_server + path)
        found[path] = axe_violations(page)
    page.goto(f"{live_server}/programs/{site['program_id']}/request-info?zip=60601")
    send_request(page)  # the thank-you page reads what it shows from the visitor's session
    found["thank-you page"] = axe_violations(page)
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.consent_receipt.is_not(None))).one()
        receipt, form_sha256 = lead.consent_receipt, lead.form_sha256
    for label, text in (("valid", receipt), ("not valid", receipt[:-4] + "AAAA")):
        page.goto(f"{live_server}/receipts/verify")
        page.fill("#receipt", text)
        submit(page, "text=Check receipt")
        found[f"a {label} receipt checked"] = axe_violations(page)
    page.goto(f"{live_server}/receipts/forms/{form_sha256}")
    found["a kept form"] = axe_violations(page)
    page.goto(f"{live_server}/contact")
    page.get_by_role("button", name="Send message").click()  # every field with its problem
    found["contact form with errors"] = axe_violations(page)
    app.config["LEAD_MIN_FILL_SECONDS"] = 3600  # sent back at once: asked to confirm
    page.goto(f"{live_server}/programs/{site['program_id']}/request-info?zip=60601")
    send_request(page, confirm=True)
    found["request-info form to confirm"] = axe_violations(page)
    page.get_by_role("button", name="Confirm request").click()
    page.wait_for_url("**/thanks")  # confirmed at once: no second wait
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    context.close()
    assert found == {path: [] for path in found}
    expected = ("status of 422", "status of 410")
    assert [e for e in errors if not any(status in e for status in expected)] == []


def test_axe_finds_what_it_should(live_server, page, site):
    page.goto(live_server + GUIDE)
    page.evaluate("""document.querySelector('main').insertAdjacentHTML(
        'beforeend', '<img src="/static/img/favicon.svg">')""")  # no alt text
    assert any(v.startswith("image-alt (critical)") for v in axe_violations(page))


def admin_pages(site) -> dict[str, str]:
    """Every admin page a GET shows, by endpoint, with the site's ids filled in."""
    return {
        "admin.dashboard": "/admin",
        "admin.leads": "/admin/leads",
        "admin.lead": f"/admin/leads/{site['lead_id']}",
        "admin.exports": "/admin/exports",
        "admin.programs": "/admin/programs",
        "admin.import_listings": "/admin/programs/import",
        "admin.sponsorship": f"/admin/programs/{site['program_id']}/sponsorship",
        "admin.delete_data": "/admin/privacy/delete",
        "admin_delivery.schools": "/admin/schools",
        "admin_delivery.school": f"/admin/schools/{site['school_id']}",
        "admin_listings.details": f"/admin/programs/{site['program_id']}/details",
        "admin_listings.school_settings": f"/admin/schools/{site['school_id']}/settings",
        "admin_inbox.messages": "/admin/messages",
        "admin_accounts.returns": "/admin/returns",
        "admin_accounts.statements": "/admin/statements",
        "admin_accounts.school_statement": f"/admin/schools/{site['school_id']}/statement",
    }


def school_pages(site) -> dict[str, str]:
    """Every page of the schools' area a GET shows, by endpoint, with the site's ids."""
    return {
        "school.leads": "/school/leads",
        "school.lead": f"/school/leads/{site['lead_id']}",
        "school.returns": "/school/returns",
        "school.statement_page": "/school/statement",
        "school.downloads": "/school/downloads",
        "school.performance": "/school/performance",
        "school.tokens": "/school/api-tokens",
        "school.password": "/school/password",
    }


# School GET routes that are not pages of their own (a redirect, a file) or are signed out.
SCHOOL_NOT_PAGES = {"school.login", "school.statement_download", "school.receipt"}


def school_sign_in(page, live_server) -> None:
    """Sign in to the schools' area through its form."""
    page.goto(f"{live_server}/school/login")
    page.fill("#email", "staff@lakeshore.example")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in")
    page.wait_for_url(f"{live_server}/school/leads")


def test_every_school_page_is_checked(app, site):
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/school") and "GET" in rule.methods
    }
    assert routes - SCHOOL_NOT_PAGES == set(school_pages(site))


@pytest.mark.parametrize("width", [1280, 390])
def test_school_pages_have_no_serious_violations_nor_sideways_scrolling(
    live_server, chromium, site, width
):
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/school/login")
    found = {"/school/login": axe_violations(page)}
    widths = {"/school/login": page.evaluate(WIDTH)}
    school_sign_in(page, live_server)
    keys = ("returned_id", "opted_out_id", "explicit_id", "erased_id")
    extra = [f"/school/leads/{site[key]}" for key in keys]
    extra.append("/school/leads?since=2000-01-01")
    for path in [*school_pages(site).values(), *extra]:
        page.goto(live_server + path)
        found[path] = axe_violations(page)
        widths[path] = page.evaluate(WIDTH)
    page.goto(f"{live_server}/school/api-tokens")
    page.click("text=Make a new token")
    found["new token"] = axe_violations(page)
    context.close()
    assert found == {path: [] for path in found}
    assert widths == {path: width for path in widths}


# Admin GET routes that answer with something other than a page, or are checked signed out.
NOT_PAGES = {"admin.login", "admin.import_template", "admin.lead_receipt"}


def test_every_admin_page_is_checked(app, site):
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "GET" in rule.methods
    }
    assert routes - NOT_PAGES == set(admin_pages(site))


def test_admin_pages_have_no_serious_violations(live_server, page, site):
    page.goto(f"{live_server}/admin/login")
    found = {"/admin/login": axe_violations(page)}
    sign_in(page, live_server)
    paths = list(admin_pages(site).values())
    paths += ["/admin?days=7", "/admin?since=2026-11-05&until=2026-11-01", "/admin/leads?q=ada"]
    paths += [f"/admin/leads/{site['opted_out_id']}", f"/admin/leads/{site['explicit_id']}"]
    paths += [f"/admin/leads/{site['erased_id']}", "/admin/leads?since=2000-01-01"]
    for path in paths:
        page.goto(live_server + path)
        found[path] = axe_violations(page)
    # Pages that answer a form: the charts' tables opened, a lead's status form with an
    # error, a note added, a new webhook's secret, an import report.
    page.goto(live_server + "/admin")
    for summary in page.locator(".chart-card summary").all():
        summary.click()
    found["dashboard, tables open"] = axe_violations(page)
    page.goto(f"{live_server}/admin/leads/{site['lead_id']}")
    page.select_option("#status", "rejected")
    submit(page, "text=Change status")
    found["lead status with an error"] = axe_violations(page)
    page.fill("#body", "Called, no answer.")
    submit(page, "text=Add note")
    found["lead with a note"] = axe_violations(page)
    page.goto(f"{live_server}/admin/schools/{site['school_id']}")
    submit(page, "text=Send a test email")  # no mail server in testing: "not accepted"
    found["test email result"] = axe_violations(page)
    page.goto(f"{live_server}/admin/schools/{site['school_id']}")
    page.fill("#url", "https://crm.example.edu/hooks/other")
    submit(page, "text=Add webhook")
    found["new webhook secret"] = axe_violations(page)
    page.goto(f"{live_server}/admin/programs/import")
    page.set_input_files("#csv_file", str(EXAMPLE_CSV))
    submit(page, "form.panel button[type=submit], form.panel input[type=submit]")
    found["import report"] = axe_violations(page)
    assert found == {path: [] for path in found}
    assert [e for e in page.console_errors if "status of 4" not in e] == []


def test_no_admin_page_is_wider_than_a_phone(live_server, chromium, site):
    """At 390 px nothing makes the page scroll sideways: wide tables scroll in their box."""
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    phone = context.new_page()
    phone.goto(f"{live_server}/admin/login")
    widths = {"/admin/login": phone.evaluate(WIDTH)}
    sign_in(phone, live_server)
    extra = [f"/admin/leads/{site[key]}" for key in ("opted_out_id", "explicit_id", "erased_id")]
    extra.append("/admin/leads?since=2000-01-01")
    for path in [*admin_pages(site).values(), "/admin/leads?q=ada&sort=school&order=asc", *extra]:
        phone.goto(live_server + path)
        widths[path] = phone.evaluate(WIDTH)
    context.close()
    assert widths == {path: 390 for path in widths}


WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def focused(page) -> str:
    """The id (or, failing that, the text or value) of the element that has the keyboard focus."""
    return page.evaluate("(e => e.id || e.value || e.textContent.trim())(document.activeElement)")


def tab_to(page, target: str, key: str = "Tab", limit: int = 120) -> int:
    """Press Tab (or `key`) until the element with id or text `target` has the focus."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if focused(page) == target:
            return presses
    raise AssertionError(f"{target!r} is not reachable with Tab")


def test_search_box_works_by_keyboard(live_server, page, site):
    page.goto(live_server + GUIDE)
    tab_to(page, "zip-intro")
    page.keyboard.type("60601")
    page.keyboard.press("Tab")
    assert focused(page) == "Search Programs"
    page.keyboard.press("Tab")
    assert focused(page) == "More options"
    page.keyboard.press("Enter")  # opens the other filters
    for field_id in ("career-intro", "level-intro", "modality-intro", "radius-intro"):
        page.keyboard.press("Tab")
        assert focused(page) == field_id
    page.keyboard.press("ArrowDown")  # 50 -> 100 miles
    assert page.input_value("#radius-intro") == "100"
    tab_to(page, "zip-intro", key="Shift+Tab", limit=6)
    page.keyboard.press("Enter")
    page.wait_for_url("**/programs?*")
    assert "zip=60601" in page.url and "radius=100" in page.url
    assert "Lakeshore Medical Institute" in page.inner_text("main")


def test_request_form_works_by_keyboard(app, live_server, page, site):
    page.goto(f"{live_server}/programs?zip=60601")
    tab_to(page, "Request Info about Medical Office Administration at Lakeshore Medical Institute")
    page.keyboard.press("Enter")
    page.wait_for_url("**/request-info?*")
    tab_to(page, "first_name")
    for text in ("Ada", "Lovelace", "ada@example.com", "(312) 555-0142"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    assert focused(page) == "zip_code" and page.input_value("#zip_code") == "60601"
    page.keyboard.press("Tab")
    assert focused(page) == "education_level"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert focused(page) == "start_timeframe"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert focused(page) == "consent"  # the honeypot is skipped
    page.keyboard.press("Space")
    assert page.is_checked("#consent")
    tab_to(page, "Request information", limit=3)  # past the privacy link in the disclosure
    page.keyboard.press("Space")
    page.wait_for_url("**/thanks")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert "Lakeshore Medical Institute" in page.inner_text("main")


def test_admin_sign_in_works_by_keyboard(live_server, page, site):
    page.goto(f"{live_server}/admin/login")
    # autofocus: the browser moves the focus when it next renders, which can be after "load".
    page.wait_for_function("document.activeElement?.id === 'email'", timeout=5000)
    page.keyboard.press("Shift+Tab")
    tab_to(page, "email")
    page.keyboard.type("admin@example.com")
    page.keyboard.press("Tab")
    assert focused(page) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/admin")
    assert page.get_by_role("heading", level=1).is_visible()
