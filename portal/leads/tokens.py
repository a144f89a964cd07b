"""The signed stamp the request-info form carries (portal.core.stamps, for one listing and the
disclosure shown), and the radius the lead pages pass along.

A stamp is good for one stored lead, from the session it was shown to, for
LEAD_FORM_MAX_AGE_HOURS.
"""

from dataclasses import dataclass

from portal.core.stamps import (
    BadData,
    confirms,
    make_confirmation,
    make_stamp,
    read_stamp,
    session_id,
)
from portal.services.matching import parse_radius

SALT = "lead-form"


@dataclass(frozen=True)
class FormStamp:
    """What a verified stamp says: for which listing and disclosure, shown to which session."""

    program_id: int
    consent_sha256: str
    nonce: str
    session_id: str
    age_seconds: float


def form_token(program_id: int, consent_sha256: str) -> str:
    """A new stamp for a form shown now to this session, for one program and disclosure."""
    return make_stamp(SALT, (program_id, consent_sha256))


def read_form_token(token: str) -> FormStamp:
    """The verified contents and age of a stamp; BadData if forged or of an older kind."""
    stamp = read_stamp(SALT, token, 2)
    program_id, digest = stamp.subject
    return FormStamp(int(program_id), str(digest), stamp.nonce, stamp.session_id, stamp.age_seconds)


def confirmation_token(stamp: FormStamp) -> str:
    """This session's confirmation of the form with `stamp`, sent back too fast."""
    return make_confirmation(SALT, stamp.nonce)


def is_confirmation(token: str, stamp: FormStamp) -> bool:
    """Whether `token` is this session's confirmation of the form with `stamp`."""
    return confirms(SALT, token, stamp.nonce)


__all__ = [
    "BadData",
    "FormStamp",
    "confirmation_token",
    "form_token",
    "is_confirmation",
    "parse_radius",
    "read_form_token",
    "session_id",
]
