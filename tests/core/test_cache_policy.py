"""Who may keep a response: public pages for visitors without cookies, never a response that
sets a cookie or that a signed-in admin gets (decided after the session cookie is written)."""

import pytest
from flask import session

from portal.services import accounts
from tests.support.factories import make_admin, make_program
from tests.support.forms import sign_in

GUIDE = "/careers/medical-office-manager"
PLAIN_PAGES = ["/", "/careers/", GUIDE, "/programs", "/programs?zip=10001", "/sitemap.xml"]


@pytest.fixture
def admin(app, monkeypatch):
    """An admin account (admin@example.com), hashed cheaply."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")
    with app.app_context():
        make_admin()


def is_shared(response) -> bool:
    """Whether a shared cache (CDN, proxy) may keep the response."""
    control = response.cache_control
    return control.public or control.s_maxage is not None


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_a_plain_visit_sets_no_cookie_and_stays_public(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    "query, headers",
    [
        ("?utm_source=newsletter", {}),
        ("?zip=10001&utm_campaign=fall", {}),
        ("", {"Referer": "https://search.example/?q=medical+office"}),
    ],
)
def test_a_landing_page_worth_remembering_sets_a_cookie_and_is_private(client, query, headers):
    for path in (GUIDE, "/programs"):
        response = client.get(path + query, headers=headers)
        assert "Set-Cookie" in response.headers
        assert not is_shared(response)
        assert response.headers["Cache-Control"] == "private, max-age=300"
        client.delete_cookie("session")


def test_a_referrer_from_our_own_site_is_not_remembered(client):
    response = client.get(GUIDE, headers={"Referer": "http://localhost/careers/"})
    assert "Set-Cookie" not in response.headers and is_shared(response)


def test_a_visitor_who_brings_a_cookie_gets_private_pages_with_no_new_cookie(client):
    client.get(GUIDE + "?utm_source=ad")
    response = client.get("/programs?zip=10001")
    assert "Set-Cookie" not in response.headers and "Cookie" in response.vary
    assert response.headers["Cache-Control"] == "private, max-age=300"


def test_a_signed_in_admins_public_pages_are_private_and_not_stored(app, client, admin):
    answer = sign_in(client, next_url=GUIDE)
    assert answer.status_code == 302 and answer.headers["Location"] == GUIDE
    assert "Set-Cookie" in answer.headers and not is_shared(answer)
    with app.app_context():
        program_id = make_program().id
    for path in [*PLAIN_PAGES, f"/programs/{program_id}/request-info?zip=60601", "/robots.txt"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_whatever_a_view_asks_a_response_setting_a_cookie_is_not_public(app, client):
    @app.get("/test-public-with-cookie")
    def public_with_cookie():
        session["something"] = "of this visitor"
        return "hello", 200, {"Cache-Control": "public, max-age=600, s-maxage=600"}

    response = client.get("/test-public-with-cookie")
    assert "Set-Cookie" in response.headers
    assert not is_shared(response)
    assert response.cache_control.private and response.cache_control.max_age == 600


def test_the_request_form_sets_its_cookie_and_is_never_stored(app, client):
    with app.app_context():
        program_id = make_program().id
    response = client.get(f"/programs/{program_id}/request-info?zip=60601")
    assert "Set-Cookie" in response.headers
    assert response.headers["Cache-Control"] == "no-store"
