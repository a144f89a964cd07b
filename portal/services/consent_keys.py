"""The Ed25519 keys that sign consent receipts: the key file, the public keys recorded in the
database, and the JWKS that publishes them.

The private key is read once per process from the PEM (PKCS#8) file CONSENT_SIGNING_KEY_FILE
names: development makes one under instance/ when it is missing, testing makes one per app in
memory, production refuses to start without it. Each public key is recorded
(`consent_signing_key`) in the transaction of the first receipt it signs, and never removed,
so a receipt still verifies after the key has been replaced. A key is named by its RFC 7638
JWK thumbprint, the `kid` of the receipts it signs.
"""

import base64
import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from config import ConfigError
from portal.extensions import db
from portal.models import ConsentSigningKey, utcnow

EXTENSION = "consent_signing_key"


class KeyFileExists(FileExistsError):
    """`consent-keys create` was given a file that already exists (it is never overwritten)."""


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes binary values."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(x: str) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key given as its JWK
    `x`: the hash of the required members in lexicographic order, without whitespace."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url(hashlib.sha256(members.encode("ascii")).digest())


def public_jwk(kid: str, x: str) -> dict:
    """A public key as the JWKS lists it (RFC 8037)."""
    return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig", "x": x}


@dataclass
class SigningKey:
    """The private key this process signs with, its public `x` and `kid`, and whether this
    app has already recorded it in the database."""

    private_key: Ed25519PrivateKey
    x: str
    kid: str
    recorded: bool = field(default=False, compare=False)

    @classmethod
    def of(cls, private_key: Ed25519PrivateKey) -> "SigningKey":
        """The signing key with its public half's `x` and thumbprint."""
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = b64url(raw)
        return cls(private_key, x, thumbprint(x))


def new_key_pem() -> bytes:
    """A new Ed25519 private key as PEM (PKCS#8, unencrypted)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_new_key(path: Path) -> SigningKey:
    """Write a new key to `path` (mode 600), never over an existing file (KeyFileExists).

    Written to a draft beside it, then linked into place: of two processes making it at once,
    one key wins and both use it.
    """
    if path.exists():
        raise KeyFileExists(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    draft.write_bytes(new_key_pem())
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        raise KeyFileExists(str(path)) from None
    finally:
        draft.unlink()
    return load_key(path)


def load_key(path: Path) -> SigningKey:
    """The key in a PEM (PKCS#8) file; ConfigError when it cannot be read or is not Ed25519."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"CONSENT_SIGNING_KEY_FILE: cannot read {path} ({error.strerror}); make a key with "
            "flask --app wsgi consent-keys create FILE"
        ) from None
    try:
        private_key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        private_key = None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ConfigError(
            f"CONSENT_SIGNING_KEY_FILE: {path} holds no unencrypted Ed25519 private key (PEM, "
            "PKCS#8)"
        )
    return SigningKey.of(private_key)


def init_consent_keys(app: Flask) -> SigningKey:
    """Load the app's signing key: from CONSENT_SIGNING_KEY_FILE, made there first in
    development when missing; without a file in testing, a new one for this app."""
    name = app.config.get("CONSENT_SIGNING_KEY_FILE")
    if not name:
        if app.config["PORTAL_ENV"] != "testing":
            raise ConfigError("CONSENT_SIGNING_KEY_FILE must name the receipts' signing key")
        key = SigningKey.of(Ed25519PrivateKey.generate())
    else:
        path = Path(name)
        if app.config["PORTAL_ENV"] == "development" and not path.exists():
            # Another process may have made it a moment ago: then that key is the one.
            with contextlib.suppress(KeyFileExists):
                write_new_key(path)
        key = load_key(path)
    app.extensions[EXTENSION] = key
    return key


def signing_key() -> SigningKey:
    """The current app's signing key."""
    return current_app.extensions[EXTENSION]


def record_key(key: SigningKey) -> None:
    """Record the key in the session's transaction (once per app): it signs in that
    transaction, so it is known whenever a receipt it signed is. Race-safe (ON CONFLICT)."""
    if key.recorded:
        return
    make = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = make(ConsentSigningKey).on_conflict_do_nothing(index_elements=["kid"])
    db.session.execute(statement, {"kid": key.kid, "x": key.x, "first_used_at": utcnow()})


def mark_recorded(key: SigningKey) -> None:
    """Note, after the commit, that the key is in the database."""
    key.recorded = True


def known_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key that has signed a receipt, by kid."""
    rows = db.session.execute(select(ConsentSigningKey.kid, ConsentSigningKey.x))
    return {kid: public_key(x) for kid, x in rows}


def public_key(x: str) -> Ed25519PublicKey:
    """The public key a JWK's `x` holds."""
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


def jwks() -> dict:
    """The JWK Set of every key that has signed a receipt, oldest first."""
    rows = db.session.execute(
        select(ConsentSigningKey.kid, ConsentSigningKey.x).order_by(
            ConsentSigningKey.first_used_at, ConsentSigningKey.kid
        )
    )
    return {"keys": [public_jwk(kid, x) for kid, x in rows]}
