"""School users: creating them (from the shell or by an admin's invitation), checking a
sign-in, changing passwords, disabling them and ending their sessions.

The same protections as the admin accounts (portal.services.accounts): scrypt hashes, at
least 12 characters, a sign-in costing as long for an unknown email, failures logged without
the email typed, and a session version that sign-out, a password change and disabling raise.
"""

import logging
import secrets

from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from portal.extensions import db
from portal.models import DB_INT_MAX, School, SchoolUser, utcnow
from portal.services.accounts import (
    AccountError,
    WeakPassword,
    _dummy_hash,
    hash_password,
    normalise_email,
)
from portal.services.school_api import revoke_tokens_made_by

log = logging.getLogger(__name__)

__all__ = ["AccountError", "WeakPassword"]


class SchoolUserExists(AccountError):
    """A school user with this email already exists."""


class UnknownSchoolUser(AccountError):
    """No school user has this email (or id, at this school)."""


def generate_password() -> str:
    """A new random password for an invited user, shown once: 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def find_school_user(email: str) -> SchoolUser | None:
    """The school user with this email, or None."""
    return db.session.scalar(select(SchoolUser).where(SchoolUser.email == normalise_email(email)))


def create_school_user(school_id: int, email: str, password: str) -> SchoolUser:
    """Create a user of the school; raise SchoolUserExists, WeakPassword or AccountError."""
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise AccountError("Give the user's email address.")
    if db.session.get(School, school_id) is None:
        raise AccountError(f"There is no school with the id {school_id}.")
    if find_school_user(email) is not None:
        raise SchoolUserExists(f"A school user with the email {email} already exists.")
    user = SchoolUser(school_id=school_id, email=email, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def school_users(school_id: int) -> list[SchoolUser]:
    """The users of a school, by email."""
    return list(
        db.session.scalars(
            select(SchoolUser).where(SchoolUser.school_id == school_id).order_by(SchoolUser.email)
        )
    )


def set_school_user_enabled(school_id: int, user_id: int, enabled: bool) -> SchoolUser:
    """Enable or disable a user of this school; commit. Disabling ends their sessions and
    revokes the API tokens they made, for good (enabling them again brings none back)."""
    user = db.session.get(SchoolUser, user_id)
    if user is None or user.school_id != school_id:
        raise UnknownSchoolUser(f"The school has no user {user_id}.")
    if user.is_enabled != enabled:
        user.is_enabled = enabled
        user.session_version = SchoolUser.session_version + 1
    if not enabled:
        revoke_tokens_made_by(user_id, utcnow())
    db.session.commit()
    return user


def change_school_password(user_id: int, current: str, new: str) -> None:
    """A signed-in user's new password (the current one checked first), ending every session
    of theirs; raise AccountError or WeakPassword."""
    user = db.session.get(SchoolUser, user_id)
    if user is None or not check_password_hash(user.password_hash, current):
        raise AccountError("That is not your current password.")
    user.password_hash = hash_password(new)
    user.session_version = SchoolUser.session_version + 1
    db.session.commit()


def authenticate_school(email: str, password: str, client_ip: str) -> SchoolUser | None:
    """The enabled school user whose email and password these are (noting the sign-in), or
    None; a failure is logged with the account's id and the IP, never the email typed."""
    user = find_school_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        _log_failure(None, client_ip)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        _log_failure(user.id, client_ip)
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _log_failure(account_id: int | None, client_ip: str) -> None:
    """One warning line per failed sign-in."""
    log.warning(
        "failed school sign-in: account_id=%s ip=%s at=%s",
        account_id if account_id is not None else "none",
        client_ip,
        utcnow().isoformat(timespec="seconds"),
    )


def end_school_sessions(user_id: int) -> None:
    """End every session of this school user, in every browser (sign-out does this)."""
    db.session.execute(
        update(SchoolUser)
        .where(SchoolUser.id == user_id)
        .values(session_version=SchoolUser.session_version + 1)
    )
    db.session.commit()


def load_school_user(user_id: str) -> SchoolUser | None:
    """The enabled school user with this id, or None."""
    try:
        number = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 1 <= number <= DB_INT_MAX:
        return None
    user = db.session.get(SchoolUser, number)
    return user if user is not None and user.is_enabled else None
