"""The signed stamp the request-info form carries (portal.core.stamps, for one listing, the
disclosure shown and the form it was shown in), and the radius the lead pages pass along.

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
    """What a verified stamp says: for which listing and disclosure, shown to which session,
    and in which form (its SHA-256, portal.services.consent_forms; None in older stamps)."""

    program_id: int
    consent_sha256: str
    nonce: str
    session_id: str
    age_seconds: float
    form_sha256: str | None = None


def form_token(program_id: int, consent_sha256: str, form_sha256: str | None = None) -> str:
    """A new stamp for a form shown now to this session, for one program and disclosure, in
    the form whose SHA-256 is `form_sha256`."""
    return make_stamp(SALT, (program_id, consent_sha256, form_sha256))


def read_form_token(token: str) -> FormStamp:
    """The verified contents and age of a stamp; BadData if forged or of an older kind."""
    try:
        stamp = read_stamp(SALT, token, 3)
    except BadData:
        # A form shown before stamps named their form (a deploy ago) is still good.
        stamp = read_stamp(SALT, token, 2)
    program_id, digest, *shown_in = stamp.subject
    form_digest = str(shown_in[0]) if shown_in and shown_in[0] is not None else None
    return FormStamp(
        int(program_id),
        str(digest),
        stamp.nonce,
        stamp.session_id,
        stamp.age_seconds,
        form_digest,
    )


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
