"""The SHA-256 fingerprints of a person's contact details: what a consent receipt carries
instead of them, what the opt-out (suppression) list holds, and what a lead keeps of them once
retention has erased the details themselves.

Both sides hash the same normalised text, so a school can match its own copy of a lead, and
the site can recognise a person who opted out, without either holding the details.
"""

import hashlib


def email_sha256(email: str) -> str:
    """The hex SHA-256 of an email address, trimmed and lower-cased (UTF-8)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def phone_sha256(phone_e164: str) -> str:
    """The hex SHA-256 of a phone number in E.164 form (+13125550142)."""
    return hashlib.sha256(phone_e164.strip().encode("ascii", "replace")).hexdigest()
