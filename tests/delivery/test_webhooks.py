"""Webhooks against a real receiver on loopback, every signature checked with standardwebhooks
as a school's endpoint would: once, retried with the same webhook-id, 410, timeouts,
redirects, secret rotation, and the SSRF guard."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from standardwebhooks.webhooks import WebhookVerificationError

from portal.extensions import db
from portal.models import Delivery, Destination, utcnow
from portal.services.destinations import rotate_secret
from tests.delivery.conftest import (
    attempts,
    deliver,
    deliver_until,
    deliveries,
    webhook,
)
from tests.delivery.receiver import Receiver, Reply, verify
from tests.support.leads import submit

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "webhook-lead-created.example.json"


def send_lead(client, listing, **answers):
    """A visitor sends the request-info form; it is acknowledged (303)."""
    response = submit(client, listing["program_id"], **answers)
    assert response.status_code == 303


def test_a_lead_from_the_form_arrives_once_with_the_documented_body(
    app, client, runner, receiver, listing
):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    send_lead(client, listing, first_name="Jane", last_name="Doe")
    assert [d.status for d in deliveries(app)] == ["pending"]

    deliver(runner)
    deliver(runner)  # nothing more is due: it is not sent twice

    [request] = receiver.requests
    event = verify(request, secret)
    documented = json.loads(EXAMPLE.read_text())
    assert list(event) == list(documented) == ["type", "timestamp", "data"]
    assert list(event["data"]) == list(documented["data"])
    assert event["type"] == "lead.created"
    assert event["data"]["schema_version"] == 1
    assert event["timestamp"] == event["data"]["created_at"]
    assert event["data"]["first_name"] == "Jane"
    assert event["data"]["email"] == "jane.doe@example.com"
    assert event["data"]["school"] == "Lakeshore Medical Institute"
    assert event["data"]["price_cents"] == 3100
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["webhook-id"] == deliveries(app)[0].webhook_id
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    [attempt] = attempts(app)
    assert (attempt.succeeded, attempt.status_code, attempt.response_excerpt) == (
        True,
        200,
        '{"ok":true}',
    )


def test_a_duplicate_request_is_not_delivered_again(app, client, runner, receiver, listing):
    webhook(app, listing["school_id"], receiver.url())
    send_lead(client, listing)
    send_lead(client, listing)  # the same email again: stored, not billable, not sent
    deliver(runner)
    assert len(receiver.requests) == 1


def test_errors_are_retried_with_the_same_webhook_id_until_accepted(
    app, client, runner, receiver, listing
):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(500, b"down"), Reply(503, b"still down"), Reply(429), Reply(400))
    send_lead(client, listing)

    deliver_until(runner, lambda: deliveries(app)[0].status == "delivered")

    assert len(receiver.requests) == 5
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {deliveries(app)[0].webhook_id}
    bodies = {verify(r, secret)["data"]["lead_id"] for r in receiver.requests}
    assert len(bodies) == 1
    assert len({r.body for r in receiver.requests}) == 1  # the same body every time
    log = attempts(app)
    assert [a.status_code for a in log] == [500, 503, 429, 400, 200]
    assert [a.succeeded for a in log] == [False, False, False, False, True]
    assert log[0].response_excerpt == "down"
    assert deliveries(app)[0].attempts == 5


def test_410_gone_switches_the_destination_off(app, client, runner, receiver, listing):
    destination_id, _ = webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(410, b"gone"))
    send_lead(client, listing)
    deliver(runner)
    send_lead(client, listing, email="someone.else@example.com")
    deliver(runner)

    assert len(receiver.requests) == 1
    [delivery] = deliveries(app)  # the second lead was not queued for a switched-off endpoint
    assert delivery.status == "failed"
    assert "410" in delivery.last_error
    with app.app_context():
        destination = db.session.get(Destination, destination_id)
        assert not destination.is_enabled
        assert "410 Gone" in destination.disabled_reason


def test_a_slow_receiver_times_out_and_is_tried_again(app, client, runner, receiver, listing):
    app.config["DELIVERY_TIMEOUT_SECONDS"] = 0.3
    webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(200, delay=1.0))
    send_lead(client, listing)

    deliver_until(runner, lambda: deliveries(app)[0].status == "delivered")

    first, *_, last = attempts(app)
    assert not first.succeeded and first.status_code is None
    assert first.error == "timed out after 0.3 s"
    assert last.succeeded
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_a_redirect_is_not_followed(app, client, runner, receiver, listing):
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 60
    elsewhere = receiver.url("/elsewhere")
    webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(302, b"", headers={"Location": elsewhere}))
    send_lead(client, listing)
    deliver(runner)

    assert [r.path for r in receiver.requests] == ["/hooks/leads"]
    [attempt] = attempts(app)
    assert not attempt.succeeded and attempt.status_code == 302
    assert f"redirect to {elsewhere}, not followed" in attempt.error
    assert deliveries(app)[0].status == "pending"  # retried later, like any other failure


def test_after_rotation_both_secrets_sign_for_24_hours(app, client, runner, receiver, listing):
    destination_id, old = webhook(app, listing["school_id"], receiver.url())
    with app.app_context():
        new = rotate_secret(destination_id, utcnow()).secret
    send_lead(client, listing)
    deliver(runner)
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify(request, old, new)

    with app.app_context():
        destination = db.session.get(Destination, destination_id)
        destination.previous_secret_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    send_lead(client, listing, email="second@example.com")
    deliver(runner)
    second = receiver.requests[1]
    verify(second, new)
    with pytest.raises(WebhookVerificationError):
        verify(second, old)


def test_a_forged_body_fails_verification(app, client, runner, receiver, listing):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    send_lead(client, listing)
    deliver(runner)
    [request] = receiver.requests
    request.body = request.body.replace(b"Jane", b"John")
    with pytest.raises(WebhookVerificationError):
        verify(request, secret)


def test_private_targets_are_refused_when_not_allowed(app, client, runner, receiver, listing):
    app.config.update(DELIVERY_ALLOW_PRIVATE_TARGETS=False, DELIVERY_RETRY_BASE_SECONDS=60)
    webhook(app, listing["school_id"], receiver.url())
    send_lead(client, listing)
    deliver(runner)

    assert receiver.requests == []  # nothing reached the loopback receiver
    [attempt] = attempts(app)
    assert not attempt.succeeded and attempt.status_code is None
    assert "127.0.0.1, a loopback address" in attempt.error
    assert "DELIVERY_ALLOW_PRIVATE_TARGETS" in attempt.error
    assert deliveries(app)[0].status == "pending"


def test_a_host_name_resolving_to_loopback_is_refused_too(app, client, runner, receiver, listing):
    app.config.update(DELIVERY_ALLOW_PRIVATE_TARGETS=False, DELIVERY_RETRY_BASE_SECONDS=60)
    webhook(app, listing["school_id"], f"http://localhost:{receiver.port}/hooks")
    send_lead(client, listing)
    deliver(runner)
    assert receiver.requests == []
    assert "loopback address" in attempts(app)[0].error


def test_a_receiver_that_is_down_gets_every_lead_once_it_is_up(app, client, runner, listing):
    from tests.support.servers import free_port

    port = free_port()
    _, secret = webhook(app, listing["school_id"], f"http://127.0.0.1:{port}/hooks/leads")
    for n in range(3):
        send_lead(client, listing, email=f"person{n}@example.com")
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 60
    deliver(runner)
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 0.01
    with app.app_context():  # the receiver is up now: its retries fall due at once
        db.session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert {a.error for a in attempts(app)} == {"connection refused"}

    receiver = Receiver(port=port)
    try:
        deliver_until(runner, lambda: all(d.status == "delivered" for d in deliveries(app)))
        assert len(receiver.requests) == 3
        assert {verify(r, secret)["data"]["email"] for r in receiver.requests} == {
            f"person{n}@example.com" for n in range(3)
        }
    finally:
        receiver.stop()


def test_retries_stop_after_the_maximum_age(app, client, runner, receiver, listing):
    app.config["DELIVERY_MAX_AGE_HOURS"] = 0.0
    webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(500))
    send_lead(client, listing)
    deliver(runner)
    [delivery] = deliveries(app)
    assert delivery.status == "failed"
    assert delivery.last_error == "HTTP 500"


def test_logs_carry_ids_and_statuses_but_no_lead_data(
    app, client, runner, receiver, listing, caplog
):
    webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(500))
    send_lead(client, listing, first_name="Philomena", last_name="Quartermaine")
    caplog.clear()
    with caplog.at_level("DEBUG"):
        deliver_until(runner, lambda: deliveries(app)[0].status == "delivered")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "delivery 1 to destination 1: delivered (status 200" in logged
    assert "will retry (status 500)" in logged
    for secret in ("Philomena", "Quartermaine", "jane.doe", "312", "60601"):
        assert secret not in logged
