"""Who may see the admin area: sign-in, sign-out, the `next` check, rate limits, cookies."""

import logging
import re

import pytest

from portal import create_app
from portal.admin.views import safe_next
from portal.extensions import dispose_engines
from tests.support.factories import PASSWORD, make_lead, make_program
from tests.support.forms import csrf_token, sign_in
from tests.support.settings import base_settings

LOGIN = "/admin/login"


def admin_urls(app) -> list[tuple[str, str]]:
    """(method, path) for every admin route except sign-in, with ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint == "admin.login":
            continue
        path = re.sub(r"<(?:int|id):\w+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


@pytest.fixture
def lead_email(app):
    """A stored lead, so a leak of its data would show."""
    with app.app_context():
        return make_lead(make_program(), email="secret.person@example.com").email


def test_every_admin_url_sends_anonymous_visitors_to_sign_in(app, client, lead_email):
    urls = admin_urls(app)
    assert len(urls) >= 10
    token = csrf_token(client, LOGIN)
    for method, path in [*urls, ("GET", "/admin/no-such-page"), ("GET", "/admin/")]:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith(LOGIN), (method, path)
        body = response.get_data(as_text=True)
        assert lead_email not in body and "Leads per day" not in body


def test_anonymous_get_keeps_the_page_as_next(client):
    response = client.get("/admin/leads?status=new")
    assert response.headers["Location"] == "/admin/login?next=/admin/leads?status%3Dnew"


def test_anonymous_post_without_csrf_token_is_refused(client):
    assert client.post("/admin/privacy/delete", data={"email": "a@b.example"}).status_code == 400


def test_sign_in_then_admin_pages_open(client, admin):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("admin@example.com", "wrong password!!"), ("nobody@example.com", "correct horse battery")],
)
def test_wrong_credentials_are_refused(client, admin, email, password):
    response = sign_in(client, email=email, password=password)
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/admin").status_code == 302


def test_control_characters_in_the_email_are_refused(client, admin):
    # A NUL reached the database, which PostgreSQL answered with an error (a 500).
    response = sign_in(client, email="admin\x00@example.com")
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)


def test_email_is_case_insensitive(client, admin):
    assert sign_in(client, email="  Admin@Example.COM ").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/admin",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "///evil.example",
        "/admin\\@evil.example",
    ],
)
def test_next_never_leaves_the_site(client, admin, target):
    response = sign_in(client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"


def test_next_within_the_site_is_followed(client, admin):
    response = sign_in(client, next_url="/admin/leads?status=new")
    assert response.headers["Location"] == "/admin/leads?status=new"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/admin"),
        ("", "/admin"),
        ("/admin/exports", "/admin/exports"),
        ("/careers/x?y=1#z", "/careers/x?y=1#z"),
        ("//x.example", "/admin"),
        ("https://x.example/admin", "/admin"),
        ("/\x7f/x.example", "/admin"),
    ],
)
def test_safe_next(app, target, expected):
    with app.test_request_context():
        assert safe_next(target) == expected


def test_logout_is_a_post_with_csrf(admin_client):
    assert admin_client.get("/admin/logout").status_code == 405
    assert admin_client.post("/admin/logout").status_code == 400
    token = csrf_token(admin_client, "/admin")
    response = admin_client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == LOGIN
    assert admin_client.get("/admin").status_code == 302


def test_session_cookie_flags(client, admin):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_admin_pages_are_never_cached(admin_client):
    response = admin_client.get("/admin/leads")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


@pytest.fixture
def limited_client(database_url):
    """A client of an app with rate limits on: failed sign-ins limited to 3 a minute per IP,
    2 a minute per account and client, and 4 an hour per account from all clients."""
    settings = base_settings(database_url) | {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ADMIN_LOGIN_LIMIT_PER_IP": "3 per minute",
        "ADMIN_LOGIN_LIMIT_PER_ACCOUNT": "2 per minute",
        "ADMIN_LOGIN_LIMIT_ACCOUNT_WIDE": "4 per hour",
    }
    app = create_app(settings)
    yield app.test_client()
    with app.app_context():
        dispose_engines()  # close its connections now, not when garbage-collected
    create_app(base_settings(database_url))  # leave the shared limiter switched off


def attempt(client, email: str, ip: str, password: str = "not the password"):
    """One sign-in attempt from `ip`."""
    token = csrf_token(client, LOGIN)
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post(LOGIN, data=data, environ_base={"REMOTE_ADDR": ip})


def test_sign_in_failures_are_limited_per_ip(app, limited_client):
    codes = [
        attempt(limited_client, f"user{n}@example.com", "198.51.100.1").status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert attempt(limited_client, "user9@example.com", "198.51.100.2").status_code == 401


def test_sign_in_failures_are_limited_per_account_and_client(app, admin, limited_client):
    codes = [
        attempt(limited_client, "Admin@Example.com", "198.51.100.1").status_code for _ in range(3)
    ]
    assert codes == [401, 401, 429]
    assert "Too many requests" in attempt(
        limited_client, "admin@example.com", "198.51.100.1", PASSWORD
    ).get_data(as_text=True)  # that client waits, even with the right password


def test_failures_elsewhere_never_lock_the_owner_out(app, admin, limited_client):
    """Five wrong passwords (from one client, then from many) used to lock the admin out."""
    for n in range(12):
        attempt(limited_client, "admin@example.com", f"203.0.113.{n // 2}")
    owner = attempt(limited_client, "admin@example.com", "198.51.100.50", PASSWORD)
    assert owner.status_code == 302


def test_successful_sign_ins_are_not_counted(app, admin, limited_client):
    for _ in range(5):
        response = attempt(limited_client, "admin@example.com", "198.51.100.1", PASSWORD)
        assert response.status_code == 302
        limited_client.delete_cookie("session")
    assert attempt(limited_client, "admin@example.com", "198.51.100.1").status_code == 401


def test_the_account_ceiling_stops_clients_that_failed_but_lets_new_ones_try(
    app, admin, limited_client
):
    # Four failures from four addresses reach the account-wide ceiling of four an hour.
    assert [
        attempt(limited_client, "admin@example.com", f"203.0.113.{n}").status_code for n in range(4)
    ] == [401] * 4
    # Those addresses are stopped now, even with the right password...
    assert attempt(limited_client, "admin@example.com", "203.0.113.0", PASSWORD).status_code == 429
    # ...but an address with no recent failure still gets its one try.
    assert attempt(limited_client, "admin@example.com", "203.0.113.9").status_code == 401
    assert attempt(limited_client, "admin@example.com", "203.0.113.9").status_code == 429


def test_each_failed_sign_in_is_logged_without_the_password(app, admin, limited_client, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.services.accounts"):
        attempt(limited_client, "admin@example.com", "198.51.100.7", "secret-guess-1")
        attempt(limited_client, "nobody@example.com", "198.51.100.8", "secret-guess-2")
    lines = [r.getMessage() for r in caplog.records if "failed admin sign-in" in r.getMessage()]
    assert len(lines) == 2
    assert f"account_id={admin['id']} ip=198.51.100.7 at=" in lines[0]
    assert "account_id=none ip=198.51.100.8 at=" in lines[1]
    assert "secret-guess" not in caplog.text and "nobody@" not in caplog.text


def test_the_crawl_covers_the_schools_delivery_pages(app):
    urls = set(admin_urls(app))
    assert {
        ("GET", "/admin/schools"),
        ("GET", "/admin/schools/1"),
        ("POST", "/admin/schools/1/webhooks"),
        ("POST", "/admin/schools/1/emails"),
        ("POST", "/admin/destinations/1/enabled"),
        ("POST", "/admin/destinations/1/rotate"),
        ("POST", "/admin/destinations/1/test"),
        ("POST", "/admin/deliveries/1/redeliver"),
    } <= urls


def test_delivery_buttons_need_a_csrf_token(admin_client):
    for path in [
        "/admin/schools/1/webhooks",
        "/admin/destinations/1/rotate",
        "/admin/destinations/1/test",
        "/admin/deliveries/1/redeliver",
    ]:
        assert admin_client.post(path).status_code == 400, path
