"""Fixtures for the admin tests: an admin account and a client signed in as that admin."""

import pytest

from portal.services import accounts
from tests.support.factories import make_admin
from tests.support.forms import sign_in


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
