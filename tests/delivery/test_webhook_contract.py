"""What the delivery worker sends matches the `webhooks` of the OpenAPI document: the body of
each event validates against its schema and the signing headers against theirs, as captured
by a real receiver on loopback."""

import json

from portal.api import openapi
from portal.delivery.send import send_test_to_destination
from portal.models import utcnow
from portal.services.destinations import get_destination, rotate_secret
from portal.services.transport import DeliverySettings
from tests.delivery.conftest import deliver, webhook
from tests.delivery.receiver import verify
from tests.support import openapi as contract
from tests.support.leads import submit

# Answers with accents, an apostrophe and a ZIP+4, as visitors type them.
ODD_ANSWERS = {"first_name": "Zoë", "last_name": "O'Brien-Ñúñez", "zip_code": "60601-1234"}


def documented(app) -> dict:
    """The OpenAPI document as the app serves it."""
    with app.test_request_context():
        return openapi.document()


def mismatches(document: dict, event_type: str, request) -> list[str]:
    """Why a received webhook request does not match the document's `event_type` (empty: it
    does): its body against the body's schema, each signing header against its schema."""
    operation = document["webhooks"][event_type]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    found = contract.errors(document, schema, json.loads(request.body))
    headers = {name.lower(): value for name, value in request.headers.items()}
    if headers.get("content-type") != "application/json":
        found.append(f"Content-Type is {headers.get('content-type')!r}")
    for parameter in operation["parameters"]:
        name = parameter["name"]
        if name not in headers:
            found.append(f"header {name} is missing")
            continue
        found += [
            f"{name}: {e}" for e in contract.errors(document, parameter["schema"], headers[name])
        ]
    return found


def test_a_lead_the_worker_sends_matches_the_documented_webhook(
    app, client, runner, listing, receiver
):
    destination_id, secret = webhook(app, listing["school_id"], receiver.url())
    assert submit(client, listing["program_id"], **ODD_ANSWERS).status_code == 303
    deliver(runner)
    [request] = receiver.requests
    event = verify(request, secret)  # signed as documented
    document = documented(app)
    assert event["type"] == "lead.created"
    assert mismatches(document, "lead.created", request) == []
    # Every field sent is documented, in the documented order.
    assert list(event["data"]) == list(document["components"]["schemas"]["Lead"]["properties"])


def test_two_signatures_after_a_rotation_match_the_documented_header(
    app, client, runner, listing, receiver
):
    destination_id, old = webhook(app, listing["school_id"], receiver.url())
    with app.app_context():
        new = rotate_secret(destination_id, utcnow()).secret
    assert submit(client, listing["program_id"]).status_code == 303
    deliver(runner)
    [request] = receiver.requests
    verify(request, old, new)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert mismatches(documented(app), "lead.created", request) == []


def test_a_test_event_matches_the_documented_webhook(app, listing, receiver):
    destination_id, secret = webhook(app, listing["school_id"], receiver.url())
    with app.app_context():
        settings = DeliverySettings.from_config(app.config)
        assert send_test_to_destination(
            get_destination(destination_id), settings, utcnow()
        ).succeeded
    [request] = receiver.requests
    assert verify(request, secret)["type"] == "webhook.test"
    assert mismatches(documented(app), "webhook.test", request) == []
