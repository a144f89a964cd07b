"""Through gunicorn in production mode: no public URL ever answers with both a cookie and
permission for shared caches to keep it, and a signed-in admin's pages are private."""

import html
import http.client
import re
import urllib.parse

import pytest

from tests.support.production import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.servers import HOST

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

GUIDE = "/careers/medical-office-manager"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SESSION = re.compile(r"session=([^;]*)")


def request(port: int, path: str, method="GET", body=None, headers=None):
    """One request on a fresh connection; the answer with its body read."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    answer = conn.getresponse()
    answer.body = answer.read()
    conn.close()
    return answer


def shared(answer) -> bool:
    """Whether a shared cache may keep the answer."""
    control = (answer.getheader("Cache-Control") or "").lower()
    return "public" in control or "s-maxage" in control


def public_urls(site) -> list[str]:
    """Every public page in the sitemap, and the other public addresses a visitor can reach."""
    sitemap = request(site.server.port, "/sitemap.xml").body.decode()
    pages = [urllib.parse.urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    assert GUIDE in pages and len(pages) > 30
    listing = site.load_program_id
    return [
        *pages,
        "/robots.txt",
        "/sitemap.xml",
        "/programs?zip=60601",
        "/programs?zip=60601&radius=100&modality=online",
        "/programs?zip=0000",
        f"/programs/{listing}/request-info?zip=60601",
        "/api/v1/programs?zip=60601",
        "/privacy",
        "/static/css/site.css",
        "/healthz",
        "/no/such/page",
    ]


def sign_in(port: int, next_url: str) -> tuple[str, http.client.HTTPResponse]:
    """Sign in as the admin through the form with `next`; the new session cookie and answer."""
    form = request(port, "/admin/login?next=" + urllib.parse.quote(next_url))
    cookie = SESSION.search(form.getheader("Set-Cookie")).group(1)
    token = html.unescape(CSRF.search(form.body.decode()).group(1))
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "next": next_url}
    )
    headers = {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    answer = request(port, "/admin/login", "POST", body, headers)
    assert answer.status == 302, answer.status
    return SESSION.search(answer.getheader("Set-Cookie")).group(1), answer


def test_no_public_url_answers_with_a_cookie_and_shared_caching(production_site):
    port = production_site.server.port
    visits = {
        "no cookie": lambda path: request(port, path),
        "utm": lambda path: request(port, path + ("&" if "?" in path else "?") + "utm_source=ad"),
        "referrer": lambda path: request(
            port, path, headers={"Referer": "https://elsewhere.test/"}
        ),
    }
    offending, checked = [], 0
    for name, visit in visits.items():
        for path in public_urls(production_site):
            answer = visit(path)
            checked += 1
            if answer.getheader("Set-Cookie") and shared(answer):
                offending.append((name, path, answer.getheader("Cache-Control")))
    assert checked > 100 and offending == []


def test_plain_guide_and_search_pages_set_no_cookie_and_stay_public(production_site):
    port = production_site.server.port
    for path in (GUIDE, "/programs?zip=60601", "/careers/", "/"):
        answer = request(port, path)
        assert answer.status == 200
        assert answer.getheader("Set-Cookie") is None, path
        assert answer.getheader("Cache-Control") == "public, max-age=300", path


def test_signing_in_with_next_never_makes_the_session_public(production_site):
    port = production_site.server.port
    cookie, answer = sign_in(port, GUIDE)
    assert answer.getheader("Location") == GUIDE and not shared(answer)
    cacheable = []
    for path in public_urls(production_site):
        page = request(port, path, headers={"Cookie": f"session={cookie}"})
        control = page.getheader("Cache-Control") or ""
        if "private" not in control or "no-store" not in control:
            cacheable.append((path, control))
    assert cacheable == [], "a signed-in admin's pages must be private, no-store"
