"""The signed stamp the request-info form carries, and the radius the lead pages pass along.

A stamp records when the form was shown, for which listing and which disclosure, to which
session, with a random nonce: a stamp is good for one stored lead, from the session it was
shown to, for LEAD_FORM_MAX_AGE_HOURS.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.services.matching import DEFAULT_RADIUS, RADIUS_CHOICES


@dataclass(frozen=True)
class FormStamp:
    """What a verified stamp says: for which listing and disclosure, shown to which session."""

    program_id: int
    consent_sha256: str
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


def form_token(program_id: int, consent_sha256: str) -> str:
    """A new stamp for a form shown now to this session, for one program and disclosure."""
    nonce = secrets.token_urlsafe(16)
    return _serializer("lead-form").dumps([program_id, consent_sha256, nonce, session_id()])


def read_form_token(token: str) -> FormStamp:
    """The verified contents and age of a stamp; BadData if forged or of an older kind."""
    values, signed_at = _serializer("lead-form").loads(token, return_timestamp=True)
    if not isinstance(values, list) or len(values) != 4:
        raise BadData("not a form stamp")
    program_id, digest, nonce, shown_to = values
    age = (datetime.now(UTC) - signed_at).total_seconds()
    return FormStamp(int(program_id), str(digest), str(nonce), str(shown_to), age)


def parse_radius(value) -> int:
    """A radius from the search's choices, or the default for anything else."""
    try:
        radius = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RADIUS
    return radius if radius in RADIUS_CHOICES else DEFAULT_RADIUS


__all__ = ["BadData", "FormStamp", "form_token", "parse_radius", "read_form_token", "session_id"]
