"""The documented webhook body (docs/webhook-lead-created.example.json) is exactly what is sent
for the lead it describes; signing headers follow Standard Webhooks."""

import json
from datetime import UTC, datetime
from pathlib import Path

from portal.delivery.signing import signed_headers
from portal.extensions import db
from portal.services.events import encode, lead_data, lead_event, new_secret
from portal.services.exports import EXPORT_HEADER
from portal.services.leads import consent_sha256, consent_text
from portal.services.outbox import queue_deliveries
from tests.delivery.conftest import deliver, webhook
from tests.delivery.receiver import verify
from tests.support.factories import make_lead, make_program, make_school

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "webhook-lead-created.example.json"
CAPTURED = datetime(2026, 11, 2, 15, 4, 5, tzinfo=UTC)


def documented_lead(app) -> int:
    """The lead the documented example describes; its id."""
    with app.app_context():
        school = make_school("Lakeshore Medical Institute")
        program = make_program(
            school,
            zip_code="60601",
            external_id="LMI-MOM-LOOP",
            title="Medical Office Management Certificate",
        )
        disclosure = consent_text(school.name)
        lead = make_lead(
            program,
            created_at=CAPTURED,
            consent_text=disclosure,
            consent_sha256=consent_sha256(disclosure),
            price_cents=3100,
            first_name="Jane",
            last_name="Doe",
            email="jane.doe@example.com",
            phone_e164="+13125550142",
            education_level="high_school",
            start_timeframe="within_1_month",
            ip_address="203.0.113.7",
            user_agent="Mozilla/5.0 (X11; Linux x86_64)",
            page_url="https://www.example.com/programs/1/request-info?zip=60601",
            referrer="https://www.google.com/",
            utm_source="google",
            utm_medium="cpc",
            utm_campaign="medical-office-manager",
            # A real receipt of this lead (tests/receipts/test_examples.py checks it).
            consent_receipt=json.loads(EXAMPLE.read_text())["data"]["consent_receipt"],
        )
        return lead.id


def test_the_documented_example_is_what_is_sent(app, runner, receiver):
    lead_id = documented_lead(app)
    with app.app_context():
        event = lead_event(lead_data(lead_id))
    documented = json.loads(EXAMPLE.read_text())
    assert event == documented
    assert list(event["data"]) == list(documented["data"])  # the same order, too

    # ... and through the real sending path, to a real receiver.
    with app.app_context():
        from portal.models import Lead

        lead = db.session.get(Lead, lead_id)
        _, secret = webhook(app, lead.school_id, receiver.url())
        queue_deliveries(lead_id, lead.school_id, CAPTURED)
        db.session.commit()
    deliver(runner)
    [request] = receiver.requests
    assert verify(request, secret) == documented


def test_the_event_has_the_exports_fields_but_its_bookkeeping_then_the_receipt():
    documented = json.loads(EXAMPLE.read_text())
    fields = [f for f in EXPORT_HEADER if f not in ("status", "exported_at", "export_id")]
    assert list(documented["data"]) == ["schema_version", *fields, "gpc", "consent_receipt"]


def test_signed_headers_carry_one_signature_per_secret():
    keys = [new_secret(), new_secret()]
    now = datetime(2026, 11, 2, 15, 4, 5, tzinfo=UTC)
    headers = signed_headers("msg_x", encode({"a": 1}), keys, now)
    assert headers["webhook-id"] == "msg_x"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert all(k.startswith("whsec_") and len(k) == 50 for k in keys)
