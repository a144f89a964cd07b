"""Checking a receipt: `flask --app wsgi verify-receipt FILE` (exit 0 and the claims, or exit 1
and why), the public page /receipts/verify (Valid with what it says, or Not valid and why;
never a 500), and receipts signed before a key change, which still verify after it."""

import base64
import json
import stat

import pytest

from portal import create_app
from portal.extensions import dispose_engines
from portal.services.consent_keys import load_key
from tests.receipts.conftest import SCHOOL, send_lead
from tests.support.forms import csrf_token
from tests.support.settings import base_settings


def tampered(receipt: str) -> str:
    """The receipt with one character of its payload changed."""
    header, payload, signature = receipt.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return ".".join([header, payload[:middle] + swapped + payload[middle + 1 :], signature])


def verify(runner, *args, stdin=None):
    return runner.invoke(args=["verify-receipt", *args], input=stdin)


def test_the_command_says_valid_and_prints_the_claims(app, runner, program_id, tmp_path):
    lead = send_lead(app, program_id)
    path = tmp_path / "receipt.jws"
    path.write_text(lead.consent_receipt + "\n")
    for result in (verify(runner, str(path)), verify(runner, "-", stdin=lead.consent_receipt)):
        assert result.exit_code == 0, result.output
        first, rest = result.output.split("\n", 1)
        assert first == "valid"
        claims = json.loads(rest)
        assert claims["jti"] == lead.receipt_id and claims["school"] == SCHOOL


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("not a receipt", "not a JWS in compact form"),
        ("eyJhbGciOiJub25lIn0.e30.", "not a JWS in compact form"),
        ("eyJhbGciOiJub25lIn0.e30.AA", "not signed with EdDSA"),
        ("e30.e30.AA", "not signed with EdDSA"),
        ("bm90IGpzb24.e30.AA", "header is not JSON"),
        ("W10.e30.AA", "not a JSON object"),
        ("eyJhbGciOiJFZERTQSJ9.e30.AA", "names no key"),
        ("x" * 30_000, "longer than"),
    ],
)
def test_the_command_says_invalid_and_why(app, runner, text, reason):
    result = verify(runner, "-", stdin=text)
    assert result.exit_code == 1
    assert result.output.startswith("invalid: ") and reason in result.output


def test_the_command_refuses_a_changed_receipt_and_a_missing_file(app, runner, program_id):
    lead = send_lead(app, program_id)
    result = verify(runner, "-", stdin=tampered(lead.consent_receipt))
    assert result.exit_code == 1 and "signature does not match" in result.output
    result = verify(runner, "/no/such/receipt.jws")
    assert result.exit_code == 1 and result.output.startswith("invalid: cannot read")


def check_on_the_page(client, text: str):
    token = csrf_token(client, "/receipts/verify")
    return client.post("/receipts/verify", data={"csrf_token": token, "receipt": text})


def test_the_page_says_valid_and_what_the_receipt_says(app, client, program_id):
    lead = send_lead(app, program_id, headers={"Sec-GPC": "1"})
    page = client.get("/receipts/verify")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    # Pasted with the line breaks an email or a terminal adds.
    wrapped = "\n".join(lead.consent_receipt[i : i + 76] for i in range(0, 2000, 76))
    response = check_on_the_page(client, wrapped)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Valid<" in html and "Not valid" not in html
    for shown in (SCHOOL, lead.receipt_id, lead.form_sha256, "Sec-GPC: 1", "matches the text"):
        assert shown in html


@pytest.mark.parametrize(
    "text", ["nonsense", "a.b.c", "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.e30.AA", "\x00\x01", "é.é.é"]
)
def test_the_page_says_not_valid_and_why(app, client, text):
    response = check_on_the_page(client, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ">Not valid<" in html and "This is not a valid consent receipt" in html


def test_the_page_refuses_a_changed_receipt_and_empty_or_huge_input(app, client, program_id):
    lead = send_lead(app, program_id)
    response = check_on_the_page(client, tampered(lead.consent_receipt))
    assert response.status_code == 422
    assert "signature does not match" in response.get_data(as_text=True)
    empty = check_on_the_page(client, "   ")
    assert empty.status_code == 422 and "Paste a receipt to check." in empty.get_data(as_text=True)
    huge = check_on_the_page(client, "e" * 100_000)
    assert huge.status_code == 422 and "shorter than" in huge.get_data(as_text=True)


def test_the_page_needs_its_csrf_token(app, client):
    assert client.post("/receipts/verify", data={"receipt": "a.b.c"}).status_code == 400


def test_receipts_signed_before_a_key_change_still_verify(
    app, runner, program_id, database_url, tmp_path
):
    before = send_lead(app, program_id)
    new_key = tmp_path / "next-key.pem"
    created = runner.invoke(args=["consent-keys", "create", str(new_key)])
    assert created.exit_code == 0, created.output
    assert load_key(new_key).kid in created.output
    assert stat.S_IMODE(new_key.stat().st_mode) == 0o600
    assert new_key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    # The site restarted with the new key.
    changed = create_app(base_settings(database_url) | {"CONSENT_SIGNING_KEY_FILE": str(new_key)})
    try:
        after = send_lead(changed, program_id, email="after@example.com")
        old_kid, new_kid = (
            json.loads(_header(r))["kid"] for r in (before.consent_receipt, after.consent_receipt)
        )
        assert old_kid != new_kid == load_key(new_key).kid
        new_runner = changed.test_cli_runner()
        for lead in (before, after):
            result = verify(new_runner, "-", stdin=lead.consent_receipt)
            assert result.exit_code == 0, result.output
        published = changed.test_client().get("/.well-known/jwks.json").get_json()
        assert [key["kid"] for key in published["keys"]] == [old_kid, new_kid]
        page = check_on_the_page(changed.test_client(), before.consent_receipt)
        assert page.status_code == 200
    finally:
        with changed.app_context():
            dispose_engines()


def _header(receipt: str) -> bytes:
    segment = receipt.split(".")[0]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_a_key_file_is_never_overwritten(app, runner, tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("precious")
    result = runner.invoke(args=["consent-keys", "create", str(path)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert path.read_text() == "precious"


def test_the_privacy_page_says_what_a_gpc_signal_does_and_every_page_links_the_check(client):
    html = client.get("/privacy").get_data(as_text=True)
    section = html.split('<h2 id="gpc">', 1)[1].split("<h2", 1)[0]
    assert "Sec-GPC: 1" in section
    for promise in ("opt out of the sale and sharing", "that one school only", "We record the"):
        assert promise in section
    assert 'href="/receipts/verify"' in html
    assert 'href="/receipts/verify">Check a consent receipt</a>' in client.get("/").get_data(
        as_text=True
    )
