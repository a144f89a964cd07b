"""Fixtures for the admin tests: an admin account and a client signed in as that admin."""

import re

import pytest

from portal.services import accounts
from tests.admin.factories import PASSWORD, make_admin

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    """The CSRF token a browser would find in the page at `path`."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email: str = "admin@example.com", password: str = PASSWORD, next_url=None):
    """Fill in and post the sign-in form as a browser would; return the response."""
    token = csrf_token(client, "/admin/login")
    data = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/admin/login", data=data)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor, so sign-in tests stay fast (test_cli checks the real one)."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def admin(app):
    """An admin account (email admin@example.com, password PASSWORD)."""
    with app.app_context():
        account = make_admin()
        return {"id": account.id, "email": account.email}


@pytest.fixture
def admin_client(client, admin):
    """A test client signed in as the admin."""
    response = sign_in(client)
    assert response.status_code == 302
    return client
