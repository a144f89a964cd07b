"""Admin accounts: passwords, sign-in checks (and the log of failures), ending sessions."""

import logging

import pytest

from portal.extensions import db
from portal.models import AdminUser
from portal.services import accounts
from portal.services.accounts import (
    AdminExists,
    UnknownAdmin,
    WeakPassword,
    authenticate,
    create_admin,
    end_all_sessions,
    load_admin,
    set_password,
)

GOOD = "a long enough password"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """scrypt at a tiny work factor (tests/admin/test_cli.py checks the real one)."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


def test_an_account_is_made_once_with_a_long_enough_password(app):
    with app.app_context():
        admin = create_admin(" Ops@Example.COM ", GOOD)
        assert admin.email == "ops@example.com" and GOOD not in admin.password_hash
        with pytest.raises(AdminExists):
            create_admin("ops@example.com", GOOD)
        with pytest.raises(WeakPassword):
            create_admin("new@example.com", "short")
        with pytest.raises(UnknownAdmin):
            set_password("nobody@example.com", GOOD)


def test_sign_in_checks_the_password_and_logs_each_failure(app, caplog):
    with app.app_context():
        admin_id = create_admin("ops@example.com", GOOD).id
        with caplog.at_level(logging.WARNING, logger="portal.services.accounts"):
            assert authenticate("OPS@example.com", GOOD, "192.0.2.1").id == admin_id
            assert authenticate("ops@example.com", "wrong password", "192.0.2.2") is None
            assert authenticate("who@example.com", "wrong password", "192.0.2.3") is None
    failures = [r.getMessage() for r in caplog.records]
    assert len(failures) == 2
    assert failures[0].startswith(f"failed admin sign-in: account_id={admin_id} ip=192.0.2.2")
    assert failures[1].startswith("failed admin sign-in: account_id=none ip=192.0.2.3")
    assert "wrong password" not in caplog.text and "who@" not in caplog.text


def test_sign_out_everywhere_and_new_passwords_move_the_session_version(app):
    with app.app_context():
        admin = create_admin("ops@example.com", GOOD)
        first = admin.get_id()
        end_all_sessions(admin.id)
        db.session.refresh(admin)
        second = admin.get_id()
        set_password("ops@example.com", "another long password")
        db.session.refresh(admin)
        assert len({first, second, admin.get_id()}) == 3
        assert admin.get_id() == f"admin:{admin.id}:2"


@pytest.mark.parametrize("text", ["", "x", "0", "-1", "2147483648", "9" * 30])
def test_load_admin_takes_only_ids_a_row_can_have(app, text):
    with app.app_context():
        assert load_admin(text) is None
        assert db.session.get(AdminUser, 1) is None
