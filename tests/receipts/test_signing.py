"""A lead is stored with its consent receipt, signed in the same transaction: a compact JWS
(EdDSA, Ed25519) naming its key, that a second, independent JOSE library verifies against the
published JWKS, and that no changed byte, unknown key or other key passes."""

import base64
import hashlib
import json
import warnings

import pytest
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet, OKPKey

from portal.extensions import db
from portal.models import ConsentSigningKey
from portal.services.consent_keys import SigningKey, known_keys, signing_key
from portal.services.receipts import InvalidReceipt, check_receipt, sign_receipt
from tests.receipts.conftest import PROGRAM, SCHOOL, send_lead
from tests.support.settings import SITE_URL

B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def parts(receipt: str) -> tuple[dict, dict, bytes]:
    """The header and payload (JSON) and the signature of a compact JWS, decoded plainly."""
    header, payload, signature = (
        base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in receipt.split(".")
    )
    return json.loads(header), json.loads(payload), signature


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_stored_lead_carries_its_signed_receipt(app, program_id):
    lead = send_lead(app, program_id, headers={"Sec-GPC": "1", "User-Agent": "Receipt test/1"})
    header, claims, signature = parts(lead.consent_receipt)
    with app.app_context():
        key = signing_key()
    assert header == {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    assert len(signature) == 64  # an Ed25519 signature
    assert claims == {
        "iss": SITE_URL,
        "iat": int(lead.consented_at.timestamp()),
        "jti": lead.receipt_id,
        "school": SCHOOL,
        "school_id": lead.school_id,
        "program": PROGRAM,
        "program_id": program_id,
        "consent_text": lead.consent_text,
        "consent_sha256": sha256(lead.consent_text),
        "page_url": lead.page_url,
        "form_sha256": lead.form_sha256,
        "ip": lead.ip_address,
        "user_agent": "Receipt test/1",
        "email_sha256": sha256("jane.doe@example.com"),
        "phone_sha256": sha256("+13125550142"),
        "gpc": True,
    }
    assert lead.gpc is True and len(lead.form_sha256) == 64
    assert len(lead.receipt_id) == 32 and lead.receipt_id != str(lead.id)
    # No contact detail is in the receipt, only their hashes.
    for detail in ("Jane", "Doe", "jane.doe@example.com", "+13125550142", "5550142"):
        assert detail not in json.dumps(claims)


def test_without_the_gpc_header_the_receipt_says_so(app, program_id):
    lead = send_lead(app, program_id, headers={"Sec-GPC": "0"})
    assert lead.gpc is False and parts(lead.consent_receipt)[1]["gpc"] is False


def test_a_duplicate_is_stored_with_its_own_receipt(app, program_id):
    first = send_lead(app, program_id)
    second = send_lead(app, program_id)
    assert second.duplicate_of_id == first.id
    assert second.receipt_id != first.receipt_id
    assert parts(second.consent_receipt)[1]["jti"] == second.receipt_id


def test_the_signing_key_is_recorded_with_the_first_receipt(app, program_id):
    with app.app_context():
        assert db.session.query(ConsentSigningKey).count() == 0
    send_lead(app, program_id)
    send_lead(app, program_id, email="other@example.com")
    with app.app_context():
        [row] = db.session.query(ConsentSigningKey).all()
        assert row.kid == signing_key().kid


def test_a_second_library_verifies_a_receipt_against_the_published_jwks(app, client, program_id):
    lead = send_lead(app, program_id, headers={"Sec-GPC": "1"})
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age" in response.headers["Cache-Control"]
    published = response.get_json()
    [jwk] = published["keys"]
    assert {k: jwk[k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
    }
    assert "d" not in jwk  # never the private half
    # joserfc: its own key import, thumbprint (RFC 7638) and EdDSA check.
    keys = KeySet.import_key_set(published)
    assert OKPKey.import_key(jwk).thumbprint() == jwk["kid"]
    with warnings.catch_warnings():
        # joserfc notes that RFC 9864 prefers the fully-specified "Ed25519" to "EdDSA" (RFC
        # 8037, which every JOSE library knows): the same signature, another name.
        warnings.simplefilter("ignore", SecurityWarning)
        checked = jws.deserialize_compact(lead.consent_receipt, keys, algorithms=["EdDSA"])
    assert checked.headers()["kid"] == jwk["kid"]
    claims = json.loads(checked.payload)
    assert claims["jti"] == lead.receipt_id and claims["gpc"] is True
    assert claims["email_sha256"] == sha256("jane.doe@example.com")


def every_one_character_change(receipt: str):
    """The receipt with each of its characters in turn replaced by another base64url one."""
    for position, char in enumerate(receipt):
        if char == ".":
            continue
        other = B64URL[(B64URL.index(char) + 1) % len(B64URL)]
        yield receipt[:position] + other + receipt[position + 1 :]


def test_changing_any_byte_of_header_payload_or_signature_makes_it_invalid(app, program_id):
    receipt = send_lead(app, program_id).consent_receipt
    with app.app_context():
        keys = known_keys()
        check_receipt(receipt, keys)  # the original holds
        changed = 0
        for tampered in every_one_character_change(receipt):
            with pytest.raises(InvalidReceipt):
                check_receipt(tampered, keys)
            changed += 1
        assert changed == len(receipt) - 2
        # ... and each decoded byte of the three parts, re-encoded correctly.
        segments = receipt.split(".")
        for index, segment in enumerate(segments):
            raw = bytearray(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
            for position in range(len(raw)):
                flipped = bytearray(raw)
                flipped[position] ^= 0x01
                encoded = base64.urlsafe_b64encode(bytes(flipped)).rstrip(b"=").decode()
                tampered = ".".join(
                    encoded if i == index else part for i, part in enumerate(segments)
                )
                with pytest.raises(InvalidReceipt):
                    check_receipt(tampered, keys)


def test_a_receipt_naming_an_unknown_key_is_invalid(app, program_id):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    lead = send_lead(app, program_id)
    claims = parts(lead.consent_receipt)[1]
    stranger = SigningKey.of(Ed25519PrivateKey.generate())
    with app.app_context():
        keys = known_keys()
        with pytest.raises(InvalidReceipt, match="never signed with"):
            check_receipt(sign_receipt(stranger, claims), keys)
        # A stranger's signature under our kid does not pass either.
        impostor = SigningKey(stranger.private_key, stranger.x, signing_key().kid)
        with pytest.raises(InvalidReceipt, match="signature does not match"):
            check_receipt(sign_receipt(impostor, claims), keys)
