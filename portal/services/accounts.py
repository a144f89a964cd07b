"""Admin accounts: creating them, setting passwords, checking a sign-in, ending sessions."""

import logging
from functools import cache

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models import DB_INT_MAX, AdminUser, utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# scrypt with werkzeug's work factor: N=2**15, r=8, p=1 (about 32 MiB and 0.1 s a check).
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"


class AccountError(ValueError):
    """Base of the account errors below; the message is fit to show to an admin."""


class AdminExists(AccountError):
    """An admin with this email already exists."""


class UnknownAdmin(AccountError):
    """No admin has this email."""


class WeakPassword(AccountError):
    """The password is too short to protect lead data."""


@cache
def _dummy_hash() -> str:
    """A hash checked when the email is unknown, so a miss costs as long as a wrong password."""
    return generate_password_hash("not-a-real-password", method=PASSWORD_HASH_METHOD)


def normalise_email(email: str) -> str:
    """The form of an admin email used as its key: trimmed and lower-case."""
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password, after checking its length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def find_admin(email: str) -> AdminUser | None:
    """The admin with this email, or None."""
    return db.session.scalar(select(AdminUser).where(AdminUser.email == normalise_email(email)))


def create_admin(email: str, password: str) -> AdminUser:
    """Create an admin account; raise AdminExists or WeakPassword."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("Give the admin's email address.")
    if find_admin(email) is not None:
        raise AdminExists(f"An admin with the email {email} already exists.")
    admin = AdminUser(email=email, password_hash=hash_password(password))
    db.session.add(admin)
    db.session.commit()
    return admin


def set_password(email: str, password: str) -> AdminUser:
    """Replace an admin's password, ending every session of theirs; raise UnknownAdmin or
    WeakPassword."""
    admin = find_admin(email)
    if admin is None:
        raise UnknownAdmin(f"There is no admin with the email {normalise_email(email)}.")
    admin.password_hash = hash_password(password)
    admin.session_version = AdminUser.session_version + 1
    db.session.commit()
    return admin


def authenticate(email: str, password: str, client_ip: str) -> AdminUser | None:
    """The enabled admin whose email and password these are (and note the sign-in), or None.

    A failure is logged with the account's id (if the email is an admin's), the client's IP
    and the time; never the password, nor the email typed (it may be a password by mistake).
    """
    admin = find_admin(email)
    if admin is None:
        check_password_hash(_dummy_hash(), password)
        _log_failure(None, client_ip)
        return None
    if not check_password_hash(admin.password_hash, password) or not admin.is_enabled:
        _log_failure(admin.id, client_ip)
        return None
    admin.last_login_at = utcnow()
    db.session.commit()
    return admin


def _log_failure(account_id: int | None, client_ip: str) -> None:
    """One warning line per failed sign-in."""
    log.warning(
        "failed admin sign-in: account_id=%s ip=%s at=%s",
        account_id if account_id is not None else "none",
        client_ip,
        utcnow().isoformat(timespec="seconds"),
    )


def end_all_sessions(admin_id: int) -> None:
    """End every session of this admin, in every browser (sign-out does this)."""
    db.session.execute(
        update(AdminUser)
        .where(AdminUser.id == admin_id)
        .values(session_version=AdminUser.session_version + 1)
    )
    db.session.commit()


def load_admin(admin_id: str) -> AdminUser | None:
    """The admin with this id, or None."""
    try:
        number = int(admin_id)
    except (TypeError, ValueError):
        return None
    return db.session.get(AdminUser, number) if 1 <= number <= DB_INT_MAX else None
