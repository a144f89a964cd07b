"""The documented receipt (in docs/webhook-lead-created.example.json) is a real one: it
verifies against the documented example key set (docs/receipt-example-jwks.json) and says
exactly what a receipt of the example's lead says.

UPDATE_RECEIPT_EXAMPLE=1 signs it again with a new example key (written to both files), for
when the example lead changes; the example key's private half is thrown away.
"""

import json
import os
import warnings
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet

from portal.services.consent_keys import SigningKey, public_jwk
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.receipts import receipt_claims, sign_receipt

DOCS = Path(__file__).resolve().parents[2] / "docs"
WEBHOOK_EXAMPLE = DOCS / "webhook-lead-created.example.json"
EXAMPLE_JWKS = DOCS / "receipt-example-jwks.json"
EXAMPLE_SITE = "https://www.example.com"
EXAMPLE_RECEIPT_ID = "3f2b8c1d9e7a4f6b8c0d1e2f3a4b5c6d"
EXAMPLE_FORM_SHA256 = "9b1c4e0f6a2d8b7c5e3f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"


def expected_claims(data: dict) -> dict:
    """The claims a receipt of the example's lead carries."""
    lead = {
        "consented_at": datetime.fromisoformat(data["consented_at"].replace("Z", "+00:00")),
        "school_id": data["school_id"],
        "program_id": data["program_id"],
        "consent_text": data["consent_text"],
        "consent_sha256": data["consent_sha256"],
        "page_url": data["page_url"],
        "form_sha256": EXAMPLE_FORM_SHA256,
        "ip_address": data["ip_address"],
        "user_agent": data["user_agent"],
        "email_sha256": email_sha256(data["email"]),
        "phone_sha256": phone_sha256(data["phone"]),
        "gpc": data["gpc"],
    }
    return receipt_claims(EXAMPLE_SITE, EXAMPLE_RECEIPT_ID, lead, data["school"], data["program"])


def test_the_documented_receipt_is_a_real_receipt_of_the_documented_lead():
    example = json.loads(WEBHOOK_EXAMPLE.read_text())
    data = example["data"]
    if os.environ.get("UPDATE_RECEIPT_EXAMPLE") == "1":
        key = SigningKey.of(Ed25519PrivateKey.generate())
        data["consent_receipt"] = sign_receipt(key, expected_claims(data))
        WEBHOOK_EXAMPLE.write_text(json.dumps(example, indent=2, ensure_ascii=False) + "\n")
        jwks = {"keys": [public_jwk(key.kid, key.x)]}
        EXAMPLE_JWKS.write_text(json.dumps(jwks, indent=2) + "\n")
    keys = KeySet.import_key_set(json.loads(EXAMPLE_JWKS.read_text()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)  # RFC 9864's "Ed25519" is EdDSA too
        checked = jws.deserialize_compact(data["consent_receipt"], keys, algorithms=["EdDSA"])
    assert json.loads(checked.payload) == expected_claims(data)


def test_the_readmes_offline_check_works_as_written(tmp_path, monkeypatch):
    readme = (DOCS.parent / "README.md").read_text()
    section = readme.split("## Consent receipts", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    data = json.loads(WEBHOOK_EXAMPLE.read_text())["data"]
    (tmp_path / "jwks.json").write_text(EXAMPLE_JWKS.read_text())
    (tmp_path / "consent-receipt-lead-4812.jws").write_text(data["consent_receipt"] + "\n")
    monkeypatch.chdir(tmp_path)
    found: dict = {}
    exec(code, found)
    assert found["claims"] == expected_claims(data)
