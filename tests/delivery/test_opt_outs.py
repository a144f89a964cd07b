"""An opt-out against the real worker and real peers on loopback: deliveries of the person's
leads not yet made are cancelled (the delivery log says why) and never sent; each endpoint that
may have received a lead gets a signed `lead.opted_out` event, as documented; an email
destination gets a notice without contact details; a deletion's notices outlive the lead."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, LeadOptOut, School, Suppression
from portal.services import accounts
from portal.services.events import opt_out_data, opted_out_event
from portal.services.inbox import OptOutDraft, opt_out
from tests.delivery.conftest import (
    attempts,
    deliver,
    deliveries,
    email_destination,
    webhook,
)
from tests.delivery.receiver import Receiver, Reply, verify
from tests.delivery.test_webhook_contract import documented, mismatches
from tests.support.factories import make_admin, make_lead, make_program, make_school
from tests.support.forms import csrf_token, sign_in
from tests.support.leads import submit
from tests.support.pages import opt_out_by_form

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "webhook-lead-opted-out.example.json"
PERSON = "jane.doe@example.com"
CANCELLED = "Not sent: the person opted out (Do Not Sell or Share) first."


def send_lead(client, program_id: int, **answers) -> None:
    """A visitor sends the request-info form; it is acknowledged (303)."""
    assert submit(client, program_id, **answers).status_code == 303


def events(receiver: Receiver, secret: str) -> list[dict]:
    """Every event the receiver got, each signature checked with standardwebhooks."""
    return [verify(request, secret) for request in receiver.requests]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor, so signing an admin in stays fast."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


def admin_client(app):
    """A client signed in as an admin."""
    with app.app_context():
        make_admin()
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def test_an_opt_out_cancels_pending_and_retried_deliveries_and_tells_the_endpoint(
    app, client, runner, receiver, listing
):
    # Retries an hour apart: the failed first try stays waiting for its retry.
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 3600
    _, secret = webhook(app, listing["school_id"], receiver.url())
    with app.app_context():
        school = db.session.get(School, listing["school_id"])
        second_program = make_program(school, zip_code="60601").id
    receiver.answer(Reply(status=503))
    send_lead(client, listing["program_id"])  # Jane's first: tried once, waits for a retry
    deliver(runner)
    send_lead(client, listing["program_id"], email="sam.roe@example.com", phone="3125550177")
    send_lead(client, second_program)  # Jane's second, to the same school: not tried yet
    assert [(d.lead_id, d.status, d.attempts) for d in deliveries(app)] == [
        (1, "pending", 1),
        (2, "pending", 0),
        (3, "pending", 0),
    ]

    reference = opt_out_by_form(app, PERSON)

    cancelled = {d.lead_id: d for d in deliveries(app) if d.event == "lead.created"}
    assert (cancelled[1].status, cancelled[3].status) == ("cancelled", "cancelled")
    assert cancelled[1].cancel_reason == cancelled[3].cancel_reason == CANCELLED
    assert cancelled[2].status == "pending"  # Sam's lead goes on
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 0.01
    deliver(runner)
    received = events(receiver, secret)
    kinds = [(event["type"], event["data"]["lead_id"]) for event in received]
    # Jane's leads are never sent again; the endpoint that was tried with her first lead is
    # told; her second lead reached no one, so there is nothing to tell about it there.
    # (The worker's threads send Sam's lead and the notice in either order.)
    assert kinds[0] == ("lead.created", 1)
    assert sorted(kinds[1:]) == [("lead.created", 2), ("lead.opted_out", 1)]
    at = kinds.index(("lead.opted_out", 1))
    notice, request = received[at], receiver.requests[at]
    assert notice["data"]["reason"] == "do_not_sell"
    assert notice["data"]["school_id"] == listing["school_id"]
    assert notice["timestamp"] == notice["data"]["opted_out_at"]
    assert mismatches(documented(app), "lead.opted_out", request) == []
    assert "jane" not in request.body.decode().lower()
    assert reference.startswith("DNS-")

    # The delivery log says why, on the school's page and on the lead's.
    admin = admin_client(app)
    school_page = admin.get(f"/admin/schools/{listing['school_id']}").get_data(as_text=True)
    assert "Cancelled deliveries" in school_page and school_page.count(CANCELLED) == 2
    assert "(opt-out notice)" in school_page
    lead_page = admin.get("/admin/leads/1").get_data(as_text=True)
    assert "cancelled" in lead_page and CANCELLED in lead_page and "opt-out notice" in lead_page
    # No Redeliver for the opted-out lead's delivery (its notice may be sent again).
    assert f"/admin/deliveries/{cancelled[1].id}/redeliver" not in lead_page


def test_a_cancelled_delivery_cannot_be_redelivered(app, client, runner, receiver, listing):
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 3600
    webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(status=500))
    send_lead(client, listing["program_id"])
    deliver(runner)
    opt_out_by_form(app, PERSON)
    [delivery] = [d for d in deliveries(app) if d.event == "lead.created"]
    admin = admin_client(app)
    token = csrf_token(admin, f"/admin/leads/{delivery.lead_id}")
    response = admin.post(
        f"/admin/deliveries/{delivery.id}/redeliver",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "The person opted out" in response.get_data(as_text=True)
    assert [d.status for d in deliveries(app) if d.event == "lead.created"] == ["cancelled"]


def test_an_email_destination_gets_a_notice_without_contact_details(
    app, client, runner, listing, mailbox
):
    app.config.update(mailbox.settings(MAIL_FROM="Leads <leads@portal.example>"))
    email_destination(app, listing["school_id"], "admissions@school.example")
    send_lead(client, listing["program_id"])
    deliver(runner)
    opt_out_by_form(app, PERSON, phone="(312) 555-0142")
    deliver(runner)
    [(_, _, first), (_, recipients, notice)] = mailbox.messages
    assert first["Subject"].startswith("New request for information")
    assert recipients == ["admissions@school.example"]
    assert notice["Subject"] == "Opted out: lead 1" and notice["X-Lead-Id"] == "1"
    text = notice.get_body(("plain",)).get_content()
    assert "The person behind lead 1 told" in text and "(Do Not Sell or Share)" in text
    for detail in ("Jane", "Doe", PERSON, "555", "0142"):
        assert detail not in text
    assert all(a.succeeded for a in attempts(app))


def test_a_deletion_s_notice_is_sent_after_the_lead_is_gone(app, client, runner, receiver, listing):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    send_lead(client, listing["program_id"])
    deliver(runner)
    admin = admin_client(app)
    token = csrf_token(admin, "/admin/privacy/delete")
    data = {"csrf_token": token, "email": PERSON.upper(), "confirm": "y"}
    page = admin.post("/admin/privacy/delete", data=data, follow_redirects=True)
    assert "0 delivery(ies) cancelled, 1 school(s) told." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
        assert db.session.scalar(select(func.count()).select_from(LeadOptOut)) == 1
        assert db.session.scalar(select(func.count()).select_from(Suppression)) == 2
    deliver(runner)
    created, notice = events(receiver, secret)
    assert created["type"] == "lead.created"
    assert (notice["type"], notice["data"]["lead_id"], notice["data"]["reason"]) == (
        "lead.opted_out",
        1,
        "deletion",
    )
    assert mismatches(documented(app), "lead.opted_out", receiver.requests[1]) == []


def test_the_documented_example_is_what_is_sent(app):
    with app.app_context():
        program = make_program(make_school("Lakeshore Medical Institute"), zip_code="60601")
        make_lead(program, email=PERSON, phone_e164="+13125550142")
        at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
        opt_out(OptOutDraft(PERSON, None, None), "example", at)
        event = opted_out_event(opt_out_data(1))
    assert event == json.loads(EXAMPLE.read_text())
