"""Signed-in sessions: starting and ending them, and deciding on each request if one still holds.

A session remembers who signed in (an admin or a school user: the kind is part of the id),
with which session version, when, and when it was last used. It ends when the account's
session version has moved on (sign-out or a password change, from any browser), <KIND>_SESSION_
MAX_HOURS after sign-in, or <KIND>_SESSION_IDLE_MINUTES after its last request (ADMIN_... for
admins, SCHOOL_... for schools), whichever comes first; a copied cookie ends with it. One
browser holds one session: signing in as the other kind replaces it.
"""

import time

from flask import current_app, session
from flask_login import login_user, logout_user

from portal.models import AdminUser, SchoolUser
from portal.services.accounts import load_admin
from portal.services.school_accounts import load_school_user

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def now() -> float:
    """Seconds since the epoch (a function of its own, so tests can move the clock)."""
    return time.time()


LOADERS = {"admin": load_admin, "school": load_school_user}


def is_admin(user) -> bool:
    """Whether `user` (Flask-Login's current_user) is a signed-in admin."""
    return user.is_authenticated and isinstance(user, AdminUser)


def is_school_user(user) -> bool:
    """Whether `user` (Flask-Login's current_user) is a signed-in school user."""
    return user.is_authenticated and isinstance(user, SchoolUser)


def start_session(user: AdminUser | SchoolUser) -> None:
    """Sign `user` in on a fresh session (nothing of an earlier one is kept)."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = session[SEEN_AT] = now()


def end_session() -> None:
    """Sign out of this session and forget everything it held."""
    logout_user()
    session.clear()


def load_user(user_id: str) -> AdminUser | SchoolUser | None:
    """Flask-Login's user loader: the account of a session that still holds, else None."""
    kind, _, rest = user_id.partition(":")
    account_id, _, version = rest.partition(":")
    if kind not in LOADERS or not _session_holds(kind):
        return _forget()
    user = LOADERS[kind](account_id)
    if user is None or str(user.session_version) != version:
        return _forget()
    session[SEEN_AT] = now()
    return user


def _session_holds(kind: str) -> bool:
    """Whether this session is within its time since sign-in and since its last request."""
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
        return False
    config, moment = current_app.config, now()
    return (
        moment - signed_in <= config[f"{kind.upper()}_SESSION_MAX_HOURS"] * 3600
        and moment - seen <= config[f"{kind.upper()}_SESSION_IDLE_MINUTES"] * 60
    )


def _forget() -> None:
    """Clear a session that no longer holds, so its cookie is replaced by an empty one."""
    session.clear()
    return None
