"""Signed form stamps, the quiet check against bots that the site's public forms share.

A stamp records, signed with the app's secret key, what a form was shown for, to which session
(a hash of its CSRF secret), and a random nonce; its signature carries when. When the form
comes back, judge_stamp() says whether it looks like a person's: a missing or forged stamp, or
one shown to another session or for something else, is a bot's (answered like a success and
dropped); one sent back within the minimum fill time is "too_fast" (a person using autofill
can be that quick, so the form asks them to confirm); one older than the maximum age has
"expired" (the form is shown again). The nonce, stored with what the form saved, makes one
form shown save at most one thing.

A form asked to be confirmed comes back with a confirmation: a second signed token naming the
stamp's nonce and session. It is the proof the minimum fill time stood for (the server saw the
whole form once, from this session), so the confirmed form needs no second wait; it keeps the
stamp's nonce, so sending it again still saves one thing.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup
from wtforms import HiddenField

# Confirmations are signed apart from stamps, so that neither can stand for the other.
CONFIRMATION_SALT = ":confirmation"


@dataclass(frozen=True)
class Stamp:
    """What a verified stamp says: for what, its nonce, shown to which session, how long ago."""

    subject: tuple
    nonce: str
    session_id: str
    age_seconds: float


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer signed with the app's secret key, separated from others by `salt`."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def session_id() -> str:
    """A fingerprint of this visitor's session: a hash of its CSRF secret (made if missing)."""
    generate_csrf()
    secret = session[current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def make_stamp(salt: str, subject: tuple) -> str:
    """A new stamp for a form shown now to this session, for `subject` (JSON-ready values)."""
    nonce = secrets.token_urlsafe(16)
    return _serializer(salt).dumps([*subject, nonce, session_id()])


def read_stamp(salt: str, token: str, subject_size: int) -> Stamp:
    """The verified contents and age of a stamp; BadData if forged or of another kind."""
    values, signed_at = _serializer(salt).loads(token, return_timestamp=True)
    if not isinstance(values, list) or len(values) != subject_size + 2:
        raise BadData("not a form stamp")
    *subject, nonce, shown_to = values
    age = (datetime.now(UTC) - signed_at).total_seconds()
    return Stamp(tuple(subject), str(nonce), str(shown_to), age)


def judge_stamp(
    stamp: Stamp | None, matches: bool, min_age: float, max_age: float, confirmed: bool = False
) -> str:
    """ "bot" (no stamp, a forged one, one shown to another session, or not `matches`: for
    something else), "too_fast" (back within `min_age` seconds, unless `confirmed`: see
    confirms()), "expired" (older than `max_age` seconds), or "good"."""
    if stamp is None or not matches or stamp.session_id != session_id():
        return "bot"
    if stamp.age_seconds < min_age and not confirmed:
        return "too_fast"
    return "expired" if stamp.age_seconds > max_age else "good"


def make_confirmation(salt: str, nonce: str) -> str:
    """A confirmation of the form whose stamp has `nonce`, for this session: what a form sent
    back too fast carries when it asks the visitor to confirm."""
    return _serializer(salt + CONFIRMATION_SALT).dumps([nonce, session_id()])


def confirms(salt: str, token: str, nonce: str) -> bool:
    """Whether `token` is this session's confirmation of the form whose stamp has `nonce`."""
    try:
        values = _serializer(salt + CONFIRMATION_SALT).loads(token)
    except BadData:
        return False
    return values == [nonce, session_id()]


class StampField(HiddenField):
    """A stamp's hidden field; a Markup value (a cached page's slot) is kept as such."""

    def _value(self) -> str:
        return self.data if isinstance(self.data, Markup) else super()._value()


__all__ = [
    "BadData",
    "Stamp",
    "StampField",
    "confirms",
    "judge_stamp",
    "make_confirmation",
    "make_stamp",
    "read_stamp",
    "session_id",
]
