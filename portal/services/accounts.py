"""Admin accounts: creating them, setting passwords, and checking a sign-in."""

from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models import AdminUser, utcnow

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
    """Replace an admin's password; raise UnknownAdmin or WeakPassword."""
    admin = find_admin(email)
    if admin is None:
        raise UnknownAdmin(f"There is no admin with the email {normalise_email(email)}.")
    admin.password_hash = hash_password(password)
    db.session.commit()
    return admin


def authenticate(email: str, password: str) -> AdminUser | None:
    """The enabled admin whose email and password these are (and note the sign-in), or None."""
    admin = find_admin(email)
    if admin is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(admin.password_hash, password) or not admin.is_enabled:
        return None
    admin.last_login_at = utcnow()
    db.session.commit()
    return admin


def load_admin(admin_id: str) -> AdminUser | None:
    """The admin with this id (Flask-Login's user loader), or None."""
    try:
        return db.session.get(AdminUser, int(admin_id))
    except (TypeError, ValueError):
        return None
