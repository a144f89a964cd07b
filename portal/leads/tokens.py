"""Signed tokens the lead pages hand to the browser: the form's start time, the thank-you link."""

from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.services.matching import DEFAULT_RADIUS, RADIUS_CHOICES

THANKS_MAX_AGE = 7 * 24 * 3600  # seconds a thank-you link keeps working


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer signed with the app's secret key, separated from others by `salt`."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def form_token(program_id: int, consent_sha256: str) -> str:
    """A token recording when the form was shown, for which program and which disclosure."""
    return _serializer("lead-form").dumps([program_id, consent_sha256])


def read_form_token(token: str) -> tuple[int, str, float]:
    """The program id, disclosure hash and age in seconds of a form token; BadData if forged."""
    (program_id, digest), signed_at = _serializer("lead-form").loads(token, return_timestamp=True)
    age = (datetime.now(UTC) - signed_at).total_seconds()
    return int(program_id), str(digest), age


def thanks_token(program_id: int, zip_code: str, radius_miles: int) -> str:
    """A token for the thank-you page: the program and the search's ZIP and radius, no lead id."""
    return _serializer("lead-thanks").dumps([program_id, zip_code[:10], radius_miles])


def read_thanks_token(token: str) -> tuple[int, str, int]:
    """The program id, ZIP and radius in a thank-you token; BadData if forged or stale."""
    program_id, zip_code, radius = _serializer("lead-thanks").loads(token, max_age=THANKS_MAX_AGE)
    return int(program_id), str(zip_code), parse_radius(radius)


def parse_radius(value) -> int:
    """A radius from the search's choices, or the default for anything else."""
    try:
        radius = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RADIUS
    return radius if radius in RADIUS_CHOICES else DEFAULT_RADIUS


__all__ = ["BadData", "form_token", "parse_radius", "read_form_token", "read_thanks_token"]
