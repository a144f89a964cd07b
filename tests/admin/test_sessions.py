"""Admin sessions end: on sign-out and password change (every browser's), after 12 hours, and
after 30 minutes idle. Each test replays a cookie copied while the session held."""

import pytest

from portal.core import signin
from tests.support.forms import csrf_token, sign_in

LEADS = "/admin/leads"


@pytest.fixture
def clock(monkeypatch):
    """The sign-in clock, moved by hand."""
    moment = [1_800_000_000.0]
    monkeypatch.setattr(signin, "now", lambda: moment[0])
    return moment


def copied_cookie(client) -> str:
    """The session cookie as someone copying it from the browser would have it."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """GET the leads page from another browser with a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(LEADS)


def test_a_copied_cookie_works_while_the_session_holds(app, admin_client):
    assert replay(app, copied_cookie(admin_client)).status_code == 200


def test_sign_out_ends_the_copied_cookie(app, admin_client):
    cookie = copied_cookie(admin_client)
    token = csrf_token(admin_client, "/admin")
    assert admin_client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert replay(app, cookie).status_code == 302


def test_sign_out_ends_the_admins_other_sessions_too(app, admin):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop), sign_in(phone)
    laptop.post("/admin/logout", data={"csrf_token": csrf_token(laptop, "/admin")})
    response = phone.get(LEADS)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_a_password_change_ends_every_session(app, admin_client, runner):
    cookie = copied_cookie(admin_client)
    result = runner.invoke(
        args=["set-password", "admin@example.com", "--password-stdin"], input="a new long password"
    )
    assert result.exit_code == 0, result.output
    assert replay(app, cookie).status_code == 302
    assert admin_client.get(LEADS).status_code == 302
    assert sign_in(app.test_client(), password="a new long password").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_busy(app, client, admin, clock):
    sign_in(client)
    cookie = copied_cookie(client)
    for _ in range(12 * 4 - 1):  # a request every 15 minutes, for 11 h 45 min
        clock[0] += 15 * 60
        assert client.get(LEADS).status_code == 200
    clock[0] += 15 * 60 + 1
    assert client.get(LEADS).status_code == 302
    assert replay(app, cookie).status_code == 302


def test_a_session_ends_after_30_minutes_idle(app, client, admin, clock):
    sign_in(client)
    clock[0] += 29 * 60
    assert client.get(LEADS).status_code == 200  # within 30 minutes: still signed in
    cookie = copied_cookie(client)
    clock[0] += 30 * 60 + 1
    assert replay(app, cookie).status_code == 302
    assert client.get(LEADS).status_code == 302


def test_the_limits_are_settings(app, client, admin, clock):
    app.config["ADMIN_SESSION_IDLE_MINUTES"] = 5
    sign_in(client)
    clock[0] += 5 * 60 + 1
    assert client.get(LEADS).status_code == 302
