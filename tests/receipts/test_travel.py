"""The receipt travels with its lead: in the `lead.created` webhook (to a real receiver on
loopback), in every lead of GET /api/v1/leads, as a download on the school's and the admin's
lead pages, and as a column of the school's CSV. Leads stored before receipts carry null."""

import csv
import io

import pytest

from portal.extensions import db
from portal.models import Program
from portal.services import accounts
from portal.services.school_api import create_token
from tests.delivery.conftest import deliver, webhook
from tests.delivery.receiver import Receiver, verify
from tests.receipts.conftest import send_lead
from tests.support.factories import make_admin, make_lead, make_program, make_school_user
from tests.support.forms import csrf_token, sign_in, sign_in_school

STAFF = "admissions@lakeshore.example"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor, so sign-ins stay fast."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def receiver():
    """A webhook receiver on a free loopback port."""
    server = Receiver()
    yield server
    server.stop()


def school_id_of(app, program_id: int) -> int:
    with app.app_context():
        return db.session.get(Program, program_id).school_id


def old_lead(app, program_id: int) -> int:
    """A lead stored before receipts (no receipt, no form hash); its id."""
    with app.app_context():
        return make_lead(db.session.get(Program, program_id), email="old@example.com").id


def test_the_webhook_carries_the_receipt(app, runner, program_id, receiver):
    _, secret = webhook(app, school_id_of(app, program_id), receiver.url())
    lead = send_lead(app, program_id, headers={"Sec-GPC": "1"})
    deliver(runner)
    [request] = receiver.requests
    data = verify(request, secret)["data"]
    assert data["consent_receipt"] == lead.consent_receipt and data["gpc"] is True
    checked = runner.invoke(args=["verify-receipt", "-"], input=data["consent_receipt"])
    assert checked.exit_code == 0 and checked.output.startswith("valid\n")


def test_every_lead_of_the_pull_api_carries_its_receipt(app, client, program_id):
    before = old_lead(app, program_id)
    lead = send_lead(app, program_id)
    with app.app_context():
        _, token = create_token(lead.school_id, "crm@lakeshore.example")
    page = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).get_json()
    receipts = {item["lead_id"]: item["consent_receipt"] for item in page["leads"]}
    assert receipts == {before: None, lead.id: lead.consent_receipt}
    assert {item["lead_id"]: item["gpc"] for item in page["leads"]} == {
        before: False,
        lead.id: False,
    }


def school_client(app, program_id: int):
    with app.app_context():
        make_school_user(db.session.get(Program, program_id).school, STAFF)
    client = app.test_client()
    assert sign_in_school(client, STAFF).status_code == 302
    return client


def test_the_school_downloads_the_receipt_from_its_lead_page(app, program_id):
    before = old_lead(app, program_id)
    lead = send_lead(app, program_id, headers={"Sec-GPC": "1"})
    with app.app_context():
        # Another school's lead, with a receipt: refused for being another school's.
        stranger = make_lead(
            make_program(zip_code="60601"), email="x@example.com", consent_receipt="e30.e30.AA"
        ).id
    client = school_client(app, program_id)
    page = client.get(f"/school/leads/{lead.id}").get_data(as_text=True)
    assert f'href="/school/leads/{lead.id}/receipt.jws"' in page
    assert "Sec-GPC: 1" in page and f"/receipts/forms/{lead.form_sha256}" in page
    download = client.get(f"/school/leads/{lead.id}/receipt.jws")
    assert download.status_code == 200 and download.mimetype == "application/jose"
    assert download.get_data(as_text=True) == lead.consent_receipt
    assert f"consent-receipt-lead-{lead.id}.jws" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    old_page = client.get(f"/school/leads/{before}").get_data(as_text=True)
    assert "receipt.jws" not in old_page and "stored before receipts" in old_page
    assert client.get(f"/school/leads/{before}/receipt.jws").status_code == 404
    assert client.get(f"/school/leads/{stranger}/receipt.jws").status_code == 404
    assert app.test_client().get(f"/school/leads/{lead.id}/receipt.jws").status_code == 302


def test_the_school_csv_has_the_receipt(app, program_id):
    before = old_lead(app, program_id)
    lead = send_lead(app, program_id)
    client = school_client(app, program_id)
    token = csrf_token(client, "/school/leads")
    response = client.post("/school/leads/export.csv", data={"csrf_token": token})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    receipts = {int(row["Lead ID"]): row["Consent receipt"] for row in rows}
    assert receipts == {before: "", lead.id: lead.consent_receipt}


def test_the_admin_downloads_the_receipt_from_the_lead_page(app, program_id):
    lead = send_lead(app, program_id)
    with app.app_context():
        make_admin()
    client = app.test_client()
    assert sign_in(client).status_code == 302
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert f'href="/admin/leads/{lead.id}/receipt.jws"' in page and "No signal" in page
    download = client.get(f"/admin/leads/{lead.id}/receipt.jws")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == lead.consent_receipt
    assert client.get("/admin/leads/999999/receipt.jws").status_code == 404
    assert app.test_client().get(f"/admin/leads/{lead.id}/receipt.jws").status_code == 302
