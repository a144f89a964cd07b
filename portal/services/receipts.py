"""Consent receipts: a JWS (RFC 7515, compact form) signed with EdDSA over Ed25519 (RFC 8037)
at the moment a lead is stored, in its transaction, and the check of one.

The payload says who agreed to what, where and when, without the person's contact details
(their SHA-256 stand in for them). Anyone can check a receipt offline against the keys at
/.well-known/jwks.json with any JOSE library; the site checks it here against the keys
recorded in its database (portal.services.consent_keys). Signing and checking are PyJWT's.
"""

import base64
import binascii
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from flask import current_app

from portal.services.consent_keys import SigningKey, known_keys

ALGORITHM = "EdDSA"
# A receipt is about 1.5 KB; anything far larger is not one of ours (and is not decoded).
MAX_RECEIPT_CHARS = 20_000
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_HEADER_NAMES = {"alg", "kid", "typ"}
# The claims every receipt carries, in the order the verify page and the CLI show them.
CLAIMS = (
    "iss",
    "iat",
    "jti",
    "school",
    "school_id",
    "program",
    "program_id",
    "consent_text",
    "consent_sha256",
    "page_url",
    "form_sha256",
    "ip",
    "user_agent",
    "email_sha256",
    "phone_sha256",
    "gpc",
)


class InvalidReceipt(ValueError):
    """Not a valid receipt of this site; the message says why, in words."""


@dataclass(frozen=True)
class CheckedReceipt:
    """A receipt whose signature holds: its header and its claims."""

    header: dict
    claims: dict

    @property
    def signed_at(self) -> datetime:
        """When it was signed (its `iat`), in UTC."""
        return datetime.fromtimestamp(self.claims["iat"], UTC)

    @property
    def consent_text_matches(self) -> bool:
        """Whether `consent_sha256` is the SHA-256 of `consent_text` (UTF-8, hex), as
        portal.services.leads.consent_sha256 writes it."""
        text = self.claims.get("consent_text")
        if not isinstance(text, str):
            return False
        return hashlib.sha256(text.encode("utf-8")).hexdigest() == self.claims.get("consent_sha256")


def new_receipt_id() -> str:
    """A random receipt id (`jti`): 128 bits in hex, unrelated to the lead's number."""
    return secrets.token_hex(16)


def lead_receipt(key: SigningKey, lead: dict, school: str, program: str) -> dict:
    """The receipt of a lead about to be stored (its column values in `lead`), issued by the
    site (SITE_URL): the values of its `consent_receipt` and `receipt_id` columns."""
    receipt_id = new_receipt_id()
    claims = receipt_claims(current_app.config["SITE_URL"], receipt_id, lead, school, program)
    return {"consent_receipt": sign_receipt(key, claims), "receipt_id": receipt_id}


def receipt_claims(issuer: str, receipt_id: str, lead: dict, school: str, program: str) -> dict:
    """The payload of a lead's receipt, from its column values (no contact details: their
    SHA-256 stand in for them)."""
    return {
        "iss": issuer,
        "iat": int(lead["consented_at"].timestamp()),
        "jti": receipt_id,
        "school": school,
        "school_id": lead["school_id"],
        "program": program,
        "program_id": lead["program_id"],
        "consent_text": lead["consent_text"],
        "consent_sha256": lead["consent_sha256"],
        "page_url": lead["page_url"],
        "form_sha256": lead["form_sha256"],
        "ip": lead["ip_address"],
        "user_agent": lead["user_agent"],
        "email_sha256": lead["email_sha256"],
        "phone_sha256": lead["phone_sha256"],
        "gpc": lead["gpc"],
    }


def sign_receipt(key: SigningKey, claims: dict) -> str:
    """The compact JWS of `claims`, signed with `key` and naming it (`kid`)."""
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def verify_receipt(text: str) -> CheckedReceipt:
    """Check a receipt against every key this site has signed with; InvalidReceipt if not."""
    return check_receipt(text, known_keys())


def check_receipt(text: str, keys: dict) -> CheckedReceipt:
    """Check a receipt against `keys` (kid: Ed25519 public key); InvalidReceipt says why not."""
    token = text.strip() if isinstance(text, str) else ""
    if not token:
        raise InvalidReceipt("it is empty.")
    if len(token) > MAX_RECEIPT_CHARS:
        raise InvalidReceipt(f"it is longer than {MAX_RECEIPT_CHARS:,} characters.")
    if not _COMPACT.fullmatch(token):
        raise InvalidReceipt(
            "it is not a JWS in compact form: three parts of base64url text joined by dots."
        )
    segments = token.split(".")
    if not all(_canonical(segment) for segment in segments):
        raise InvalidReceipt("a part of it is not well-formed base64url.")
    header = _header(segments[0])
    public_key = keys.get(header["kid"])
    if public_key is None:
        raise InvalidReceipt(
            f"it names a key this site has never signed with (kid {header['kid'][:80]!r})."
        )
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "iat", "jti"], "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        raise InvalidReceipt("the signature does not match its contents.") from None
    except jwt.PyJWTError as error:
        raise InvalidReceipt(f"its contents cannot be read ({error}).") from None
    return CheckedReceipt(header, claims)


def _canonical(segment: str) -> bool:
    """Whether a segment is base64url as a JWS writes it (no padding, no stray bits), so no
    two texts pass for one receipt."""
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return False
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") == segment


def _header(segment: str) -> dict:
    """The protected header, if it is one a receipt of ours can have."""
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):
        raise InvalidReceipt("its header is not JSON.") from None
    if not isinstance(header, dict):
        raise InvalidReceipt("its header is not a JSON object.")
    if header.get("alg") != ALGORITHM:
        raise InvalidReceipt(f"it is not signed with {ALGORITHM} (alg is {header.get('alg')!r}).")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise InvalidReceipt("its header names no key (kid).")
    unknown = sorted(set(header) - _HEADER_NAMES)
    if unknown:
        raise InvalidReceipt(f"its header has fields a receipt never has: {', '.join(unknown)}.")
    return header
