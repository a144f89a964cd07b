"""Every page the site serves is valid HTML: the Nu HTML Checker (vnu.jar) finds no error.

The site is loaded with the demo data. A visitor and then a signed-in admin crawl it from the
home page and the dashboard, following every same-site link, so a page added later is checked
as soon as something links to it; pages only data or a POST can show (search results, a form
sent back with errors, the thank-you page, the admin's reports, error pages) are fetched
explicitly. Every page is saved to a folder and checked in one run of vnu.jar (one JVM start).
Skipped with the reason when Java or vnu.jar is missing; `.ci/run` installs both.
"""

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from portal import create_app
from portal.extensions import db, dispose_engines
from portal.models import Lead, Program, School, today_utc, utcnow
from portal.services import accounts
from portal.services.demo import seed_demo
from portal.services.inbox import ContactDraft, OptOutDraft, opt_out, save_contact_message
from portal.services.retention import run_retention
from tests.support.factories import (
    PASSWORD,
    make_admin,
    make_lead,
    make_open_privacy_request,
    make_school_user,
)
from tests.support.forms import form_inputs
from tests.support.htmlcheck import SITE_URL, crawl, vnu_messages, vnu_missing
from tests.support.leads import GOOD_ANSWERS
from tests.support.pages import GOOD_CONTACT, GOOD_OPT_OUT, open_page_form
from tests.support.settings import base_settings

MISSING = vnu_missing()
pytestmark = [pytest.mark.html, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

ADMIN_EMAIL = "admin@example.com"
SCHOOL_EMAIL = "staff@school.example"
EXAMPLE_CSV = Path(__file__).resolve().parent.parent / "docs" / "programs-example.csv"
# Searches with results (several metros, filters, a later page), with none, and with bad input.
SEARCHES = [
    "/programs?zip=60601",
    "/programs?zip=10001&career=medical-office-manager&level=certificate",
    "/programs?zip=94103&modality=online&radius=100",
    "/programs?zip=60601&page=2",
    "/programs?zip=60601&page=999",
    "/programs?zip=59001&modality=campus&radius=10",
    "/programs?zip=59701",
    "/programs?zip=53202&career=medical-office-manager&modality=campus&radius=10",
    "/programs?zip=abc&radius=7&level=x",
    "/programs?zip=00000",
]
# Public addresses that answer with something other than a page, or that nothing links to.
PUBLIC = [
    "/admin/login",
    "/school/login",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/api/v1/programs?zip=60601",
    "/api/v1/openapi.json",
    "/api/docs",
    "/no-such-page",
    "/careers/no-such-career",
    "/programs/999999/request-info?zip=60601",
    "/requests/not-a-token/thanks",
]
ADMIN = [
    "/admin",
    "/admin/leads?state=XYZ",
    "/admin/leads?since=2020-02-01&until=2020-01-01",
    "/admin/programs?q=Phlebotomy&active=yes",
    "/admin/programs?page=0",
    "/admin/leads/999999",
    "/admin/programs/999999/sponsorship",
    "/admin/exports?page=2",
]
FAILING = ["/__html-test/500", "/__html-test/503"]
# A page with a known error, checked with the others, so a checker that finds nothing fails.
CANARY = '<!doctype html><html lang="en"><title>x</title><p id="a"></p><p id="a"></p></html>'


class Pages:
    """What the test fetched: GETs by URL, POSTs by what they were, each (status, type, body)."""

    def __init__(self, app):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.seen: dict[str, tuple[int, str, str]] = {}
        self.other: dict[str, tuple[int, str, str]] = {}

    def endpoint(self, url: str) -> tuple[str | None, dict]:
        """The endpoint a GET of `url` is routed to, and its arguments (None if unrouted)."""
        try:
            return self.adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            return None, {}

    def shape(self, url: str):
        """Pages that differ only in a numeric id or in query values count as one shape."""
        endpoint, args = self.endpoint(url)
        named = tuple(sorted((k, v) for k, v in args.items() if not isinstance(v, int)))
        keys = {key for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
        # A path with no GET route (a form's POST-only action, a 404) stands for itself, ids aside.
        where = endpoint or re.sub(r"[0-9]+", "N", urlsplit(url).path)
        return (where, named, tuple(sorted(keys)))

    def crawl(self, client, start: list[str]) -> None:
        """Fetch `start` and every page reachable from it, up to five of each shape."""
        crawl(client, start, seen=self.seen, shape=self.shape, per_shape=5)

    def post(self, client, label: str, url: str, data: dict, **kwargs):
        """POST as a browser would; keep the page answered (after redirects, if followed)."""
        return self.keep(label, client.post(url, data=data, **kwargs))

    def keep(self, label: str, response):
        """Keep a page fetched outside the crawl, under `label`."""
        self.other[label] = (response.status_code, response.mimetype, response.text)
        return response

    def html(self) -> dict[str, tuple[int, str]]:
        """Every HTML page fetched, by "GET url" or the POST's label: (status, body)."""
        pages = {f"GET {url}": page for url, page in self.seen.items()} | self.other
        return {
            label: (status, body)
            for label, (status, kind, body) in pages.items()
            if kind == "text/html"
        }

    def endpoints_answered(self) -> set[str]:
        """The endpoints that answered a GET with 200 at least once."""
        return {self.endpoint(url)[0] for url, (status, _, _) in self.seen.items() if status == 200}


def csrf_of(html: str) -> str:
    """The CSRF token in a page's form."""
    return form_inputs(html)["csrf_token"]


def request_info_urls(pages: Pages, zip_code: str) -> list[str]:
    """The request-info links for `zip_code` on the pages fetched so far, in the order found."""
    return [
        url
        for url, (status, _, _) in pages.seen.items()
        if status == 200 and "/request-info?" in url and f"zip={zip_code}" in url
    ]


def sitemap_paths(client) -> list[str]:
    """The paths of every page /sitemap.xml lists."""
    root = ET.fromstring(client.get("/sitemap.xml").data)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text[len(SITE_URL) :] for loc in root.findall("s:url/s:loc", namespace)]


def add_failing_pages(app) -> None:
    """Two addresses that fail as a bug (500) and a lost database (503) would."""

    @app.get("/__html-test/500")
    def crash():
        raise RuntimeError("deliberate")

    @app.get("/__html-test/503")
    def database_down():
        raise OperationalError("SELECT 1", {}, Exception("deliberate"))

    app.config["PROPAGATE_EXCEPTIONS"] = False


def visit_as_visitor(app, pages: Pages) -> None:
    """A visitor's pages: the crawl, searches, the form with errors, the thank-you page."""
    client = app.test_client()
    pages.crawl(client, ["/", *SEARCHES, *PUBLIC, *sitemap_paths(client), *FAILING])
    form_url = request_info_urls(pages, "60601")[0]
    bad = {"first_name": "<b>", "email": "no", "phone": "12", "zip_code": "x", "consent": ""}
    data = form_inputs(client.get(form_url).text) | bad
    response = pages.post(client, "POST request-info with bad fields", form_url, data)
    assert response.status_code == 422
    response = pages.post(client, "POST request-info without CSRF", form_url, GOOD_ANSWERS)
    assert response.status_code == 400
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    data = form_inputs(client.get(form_url).text) | GOOD_ANSWERS
    quick = pages.post(client, "POST request-info too fast", form_url, data)
    assert quick.status_code == 200 and "Confirm request" in quick.text
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    thanks = []
    for _ in range(2):  # the second time, a non-billable duplicate
        data = form_inputs(client.get(form_url).text) | GOOD_ANSWERS
        response = client.post(form_url, data=data)
        assert response.status_code == 303
        thanks.append(response.headers["Location"])
    pages.crawl(client, thanks[:1])
    visit_receipts(app, client, pages)
    assert pages.post(client, "POST /careers/", "/careers/", {}).status_code == 405
    visit_site_forms(app, client, pages)
    # A listing that is gone: 410, with similar listings.
    program_id = int(urlsplit(form_url).path.split("/")[2])
    with app.app_context():
        db.session.get(Program, program_id).is_active = False
        db.session.commit()
    gone = pages.keep("GET a listing that is gone", client.get(f"/programs/{program_id}?zip=60601"))
    assert gone.status_code == 410 and "Similar programs" in gone.text
    with app.app_context():
        db.session.get(Program, program_id).is_active = True
        db.session.commit()


def visit_receipts(app, client, pages: Pages) -> None:
    """The receipt of the lead just sent: the form it names, and the verify page's answers."""
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.consent_receipt.is_not(None))).first()
        receipt, form_sha256 = lead.consent_receipt, lead.form_sha256
    pages.crawl(client, [f"/receipts/forms/{form_sha256}", "/receipts/verify"])
    for label, text, status in (
        ("valid", receipt, 200),
        ("not valid", receipt[:-4] + "AAAA", 422),
        ("empty", "", 422),
    ):
        data = {"csrf_token": csrf_of(client.get("/receipts/verify").text), "receipt": text}
        checked = pages.post(client, f"POST /receipts/verify, {label}", "/receipts/verify", data)
        assert checked.status_code == status


def visit_site_forms(app, client, pages: Pages) -> None:
    """The contact and opt-out forms: with errors, the "please confirm" step, and sent."""
    for path, answers in (("/contact", GOOD_CONTACT), ("/privacy/do-not-sell", GOOD_OPT_OUT)):
        form = open_page_form(client, path)
        bad = form | answers | {"email": "not an address", "name": "<b>"}
        assert pages.post(client, f"POST {path} with bad fields", path, bad).status_code == 422
        app.config["LEAD_MIN_FILL_SECONDS"] = 60
        quick = pages.post(client, f"POST {path} too fast", path, form | answers)
        assert quick.status_code == 200 and "Please confirm" in quick.text
        app.config["LEAD_MIN_FILL_SECONDS"] = 0
        sent = pages.post(client, f"POST {path}", path, form | answers, follow_redirects=True)
        assert sent.status_code == 200
        pages.crawl(client, [sent.request.path])


def visit_rate_limited(database_url: str, pages: Pages) -> None:
    """The 429 page: a second request-info POST within a minute on a limit of one."""
    limited = create_app(
        base_settings(database_url) | {"RATELIMIT_ENABLED": True, "LEAD_RATE_LIMIT": "1 per minute"}
    )
    client = limited.test_client()
    url = request_info_urls(pages, "60601")[0]
    for _ in range(2):
        data = form_inputs(client.get(url).text)
        response = pages.post(client, "POST request-info too often", url, data)
    assert response.status_code == 429
    with limited.app_context():
        dispose_engines()


def visit_as_admin(app, pages: Pages) -> None:
    """The admin's pages: sign-in errors, reports after the actions that fill them, the crawl."""
    client = app.test_client()
    login = {"csrf_token": csrf_of(client.get("/admin/login").text), "email": ADMIN_EMAIL}
    response = pages.post(client, "POST /admin/login without a password", "/admin/login", login)
    assert response.status_code == 422
    login["password"] = PASSWORD + "x"
    response = pages.post(client, "POST /admin/login, wrong password", "/admin/login", login)
    assert response.status_code == 401
    login["password"] = PASSWORD
    assert client.post("/admin/login", data=login).status_code == 302
    token = csrf_of(client.get("/admin/leads").text)
    export = {"csrf_token": token, "mark_exported": "y"}
    assert client.post("/admin/leads/export.csv", data=export).mimetype == "text/csv"

    # A visitor opens a form, then the listing's sponsorship ends: the form is refused (409),
    # and opened again, says the listing takes no more requests.
    form_url = request_info_urls(pages, "60601")[1]
    visitor = app.test_client()
    answers = form_inputs(visitor.get(form_url).text) | GOOD_ANSWERS
    program_id = urlsplit(form_url).path.split("/")[2]
    sponsorship_url = f"/admin/programs/{program_id}/sponsorship"
    bad = {"bid": "sNaN", "starts_on": "2026-13-01", "ends_on": "2026-02-30", "daily_cap": "+1"}
    bad |= {"csrf_token": token, "monthly_cap": "x"}
    response = pages.post(client, "POST sponsorship with bad fields", sponsorship_url, bad)
    assert response.status_code == 422
    ended = {
        "csrf_token": token,
        "bid": "20.00",
        "starts_on": "2020-01-01",
        "ends_on": "2020-12-31",
    }
    response = pages.post(client, "POST sponsorship", sponsorship_url, ended, follow_redirects=True)
    assert response.status_code == 200
    response = pages.post(visitor, "POST request-info, listing ended", form_url, answers)
    assert response.status_code == 409
    response = pages.keep("GET request-info, listing ended", visitor.get(form_url))
    assert response.status_code == 200 and "no longer" in response.text

    def upload(label: str, content: bytes, dry_run: bool):
        data = {"csrf_token": token, "csv_file": (io.BytesIO(content), "listings.csv")}
        data |= {"dry_run": "y"} if dry_run else {}
        return pages.post(client, label, "/admin/programs/import", data)

    bad_csv = b"external_id,school,career\nX-1,Nowhere School,astronaut\n"
    assert upload("POST import with bad rows", bad_csv, True).status_code == 422
    assert upload("POST import dry run", EXAMPLE_CSV.read_bytes(), True).status_code == 200
    assert upload("POST import", EXAMPLE_CSV.read_bytes(), False).status_code == 200
    app.config["MAX_CONTENT_LENGTH"], limit = 1024, app.config["MAX_CONTENT_LENGTH"]
    assert upload("POST import too large", b"x" * 2048, True).status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = limit

    pages.crawl(client, ADMIN)

    details_url = f"/admin/programs/{program_id}/details"
    bad_details = {
        "csrf_token": token,
        "tuition_min": "x",
        "tuition_max": "-1",
        "starts-0": "2027-02-30",
    }
    bad_details |= {"schedule": "nights", "program_url": "ftp://x", "financial_aid": "maybe"}
    response = pages.post(client, "POST details with bad fields", details_url, bad_details)
    assert response.status_code == 422
    with app.app_context():
        school_id = db.session.get(Program, int(program_id)).school_id
    settings_url = f"/admin/schools/{school_id}/settings"
    response = pages.post(
        client, "POST school settings with bad fields", settings_url, {"csrf_token": token}
    )
    assert response.status_code == 422
    with app.app_context():
        save_contact_message(ContactDraft("Pat Doe", "pat@example.com", "other", "Hi\nthere"), "m")
        request_id = make_open_privacy_request(GOOD_ANSWERS["email"], "Jo", "CA", "r")
    pages.keep("GET messages with a message", client.get("/admin/messages"))
    close_url = f"/admin/privacy/requests/{request_id}/close"
    response = pages.post(
        client,
        "POST close request without a note",
        close_url,
        {"csrf_token": token, "action": "close"},
    )
    assert response.status_code == 422

    delete = {"csrf_token": token, "email": "not an email"}
    response = pages.post(client, "POST delete with bad fields", "/admin/privacy/delete", delete)
    assert response.status_code == 422
    delete = {"csrf_token": token, "email": GOOD_ANSWERS["email"], "confirm": "y"}
    response = pages.post(
        client, "POST delete", "/admin/privacy/delete", delete, follow_redirects=True
    )
    assert "Deleted 2 request(s)" in response.text


def visit_as_school(app, pages: Pages) -> None:
    """The schools' pages: sign-in errors, forms with errors, a return, a new token, the
    crawl; then the admin's side of it: the return to decide, a user invited."""
    with app.app_context():
        school = db.session.scalars(select(School).order_by(School.id)).first()
        make_school_user(school, SCHOOL_EMAIL)
        # With a receipt (any text: the pages only link to it), so its download is offered.
        lead_id = make_lead(
            school.programs[0], created_at=utcnow(), consent_receipt="eyJhbGciOiJFZERTQSJ9.e30.AA"
        ).id
        school_id = school.id
        # Kim opted out, then asked the school again herself.
        kim = {"email": "kim@example.com", "phone_e164": "+13125550111", "created_at": utcnow()}
        opted_id = make_lead(school.programs[0], **kim).id
        opt_out(OptOutDraft("kim@example.com", None, "CA"), "html-opt-out", utcnow())
        explicit_id = make_lead(school.programs[0], explicit_request=True, **kim).id
        # A lead past the retention period, its personal details erased by a run.
        age = timedelta(days=app.config["LEAD_RETENTION_DAYS"], hours=1)
        erased_id = make_lead(school.programs[0], created_at=utcnow() - age).id
        run_retention(utcnow(), app.config["LEAD_RETENTION_DAYS"], "shell:test")
    kim_pages = [f"/school/leads/{opted_id}", f"/school/leads/{explicit_id}"]
    client = app.test_client()
    login = {"csrf_token": csrf_of(client.get("/school/login").text), "email": SCHOOL_EMAIL}
    response = pages.post(client, "POST /school/login without a password", "/school/login", login)
    assert response.status_code == 422
    login["password"] = PASSWORD + "x"
    response = pages.post(client, "POST /school/login, wrong password", "/school/login", login)
    assert response.status_code == 401
    login["password"] = PASSWORD
    assert client.post("/school/login", data=login).status_code == 302
    token = csrf_of(client.get("/school/leads").text)
    lead_url = f"/school/leads/{lead_id}"
    bad = {"csrf_token": token, "outcome": "hired", "occurred_on": "2026-02-30"}
    assert pages.post(client, "POST outcome, bad", f"{lead_url}/outcome", bad).status_code == 422
    bad = {"csrf_token": token, "reason": "other", "text": ""}
    assert pages.post(client, "POST return, bad", f"{lead_url}/return", bad).status_code == 422
    good = {"csrf_token": token, "reason": "wrong_number"}
    assert client.post(f"{lead_url}/return", data=good).status_code == 303
    good = {"csrf_token": token, "outcome": "contacted", "occurred_on": today_utc().isoformat()}
    assert client.post(f"{lead_url}/outcome", data=good).status_code == 303
    new = pages.post(client, "POST new token", "/school/api-tokens", {"csrf_token": token})
    assert new.status_code == 201
    api_token = re.search(r'id="new-token">([^<]+)<', new.text)[1]
    feed = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {api_token}"})
    pages.seen["/api/v1/leads"] = (feed.status_code, feed.mimetype, feed.text)
    opt_outs = client.get("/api/v1/opt-outs", headers={"Authorization": f"Bearer {api_token}"})
    pages.seen["/api/v1/opt-outs"] = (opt_outs.status_code, opt_outs.mimetype, opt_outs.text)
    bad = {"csrf_token": token, "current": "x", "new": "short", "confirm": "other"}
    assert pages.post(client, "POST password, bad", "/school/password", bad).status_code == 422
    pages.crawl(client, ["/school", "/school/leads?outcome=x&since=2026-13-01", lead_url])
    pages.crawl(client, kim_pages)
    pages.crawl(client, ["/school/statement?month=2026-13", "/school/statement?month=2020-01"])
    assert client.get("/school/statement.csv").status_code == 200  # a download, recorded
    pages.crawl(client, ["/school/downloads"])
    pages.keep("GET a school's erased lead", client.get(f"/school/leads/{erased_id}"))
    pages.keep("GET school leads, erased", client.get("/school/leads?since=2000-01-01"))

    admin = app.test_client()
    login = {"csrf_token": csrf_of(admin.get("/admin/login").text), "email": ADMIN_EMAIL}
    assert admin.post("/admin/login", data=login | {"password": PASSWORD}).status_code == 302
    token = csrf_of(admin.get("/admin/returns").text)
    pages.crawl(admin, ["/admin/returns", "/admin/returns?status=approved", "/admin/statements"])
    kim_admin = [f"/admin/leads/{opted_id}", f"/admin/leads/{explicit_id}", "/admin/privacy/delete"]
    pages.crawl(admin, [*kim_admin, f"/admin/schools/{school_id}"])
    pages.crawl(admin, [f"/admin/leads/{lead_id}"])
    pages.keep("GET an erased lead", admin.get(f"/admin/leads/{erased_id}"))
    pages.keep("GET leads, erased", admin.get("/admin/leads?since=2000-01-01&sort=date"))
    pages.keep("GET deletions with retention runs", admin.get("/admin/privacy/delete"))
    users = f"/admin/schools/{school_id}/users"
    bad = {"csrf_token": token, "email": "not an address"}
    assert pages.post(admin, "POST invite, bad", users, bad).status_code == 422
    good = {"csrf_token": token, "email": "new.staff@school.example"}
    assert pages.post(admin, "POST invite", users, good).status_code == 201


def test_every_page_is_valid_html_by_the_nu_checker(app, database_url, monkeypatch, tmp_path):
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    # Every page of the site answers a GET with 200 somewhere in the visit (the failing pages
    # added for the test aside).
    rules = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    add_failing_pages(app)
    with app.app_context():
        seed_demo()
        make_admin(ADMIN_EMAIL)
    pages = Pages(app)
    visit_as_visitor(app, pages)
    visit_rate_limited(database_url, pages)
    visit_as_admin(app, pages)
    visit_as_school(app, pages)

    missing = rules - pages.endpoints_answered()
    assert not missing, f"no GET of {missing} answered 200: link it, or add it to the lists above"
    failed = {url for url, (status, _, _) in pages.seen.items() if status >= 500}
    assert failed == set(FAILING)
    assert "No sponsored programs match" in pages.seen[SEARCHES[5]][2]
    assert pages.seen[SEARCHES[0]][2].count("Request Info") == 10

    files: dict[str, str] = {}
    for number, (label, (status, body)) in enumerate(sorted(pages.html().items()), start=1):
        (tmp_path / f"page-{number:03d}.html").write_text(body, encoding="utf-8")
        files[f"page-{number:03d}.html"] = f"{label} ({status})"
    (tmp_path / "canary.html").write_text(CANARY, encoding="utf-8")
    messages = vnu_messages([tmp_path / name for name in [*files, "canary.html"]])

    def page_of(message: dict) -> str:
        return message.get("url", "").rsplit("/", 1)[-1]

    canary = [m for m in messages if page_of(m) == "canary.html"]
    assert any("Duplicate ID" in m["message"] for m in canary), f"vnu.jar missed it: {canary}"
    report = [
        f"{files.get(page_of(m), m.get('url'))}, line {m.get('lastLine')}: {m['message']}\n"
        f"    {m.get('extract', '').strip()}"
        for m in messages
        if m not in canary
    ]
    print(f"vnu.jar checked {len(files)} pages")
    assert not report, f"{len(report)} HTML error(s):\n" + "\n".join(report)
