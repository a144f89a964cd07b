"""The API contract (portal/api/openapi.py) and the code agree: the document is valid OpenAPI
3.1, documents exactly the /api/v1 routes, and its examples are what the app answers.

UPDATE_API_EXAMPLES=1 writes the examples (portal/api/examples/) from the app's answers
instead of comparing them; look at the diff before committing it.
"""

import json
import os
from datetime import UTC, date, datetime

import pytest
from openapi_spec_validator import validate

from portal.api import openapi, openapi_leads
from portal.api.openapi_common import EXAMPLES
from portal.models import today_utc
from portal.services.events import EVENT_COLUMNS
from portal.services.inbox import OptOutDraft, opt_out
from portal.services.school_api import create_token
from tests.support import openapi as contract
from tests.support.factories import make_campus, make_lead, make_program, make_school
from tests.support.settings import SITE_URL

UPDATE = os.environ.get("UPDATE_API_EXAMPLES") == "1"
EXAMPLE_SITE = "https://www.example.com"
START_DATES = [date(2027, 2, 1), date(2027, 5, 3), date(2027, 8, 2), date(2027, 11, 1)]
BOTH = pytest.mark.parametrize("school_api", [False, True], ids=["now", "with-leads-api"])


@BOTH
def test_the_document_is_valid_openapi_3_1(school_api):
    document = openapi.build(SITE_URL, school_api)
    validate(document)  # raises with the first problem
    assert document["openapi"] == "3.1.0"


def test_every_api_route_is_documented_and_every_documented_path_is_routed(app):
    with app.test_request_context():
        document = openapi.document()
    assert contract.documented(document) == contract.routed(app)


def test_the_leads_paths_wait_for_their_routes(app):
    """Issue 15's routes and the document's leads part are switched on together."""
    with app.test_request_context():
        document = openapi.document()
    leads_routed = any(path.startswith("/api/v1/leads") for _, path in contract.routed(app))
    assert leads_routed == openapi.SCHOOL_API
    assert ("/api/v1/leads" in document["paths"]) == openapi.SCHOOL_API
    assert "Lead" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["schoolToken"]["scheme"] == "bearer"


@BOTH
def test_every_example_matches_its_schema(school_api):
    document = openapi.build(SITE_URL, school_api)
    found = list(contract.examples(document))
    assert len(found) >= (6 if school_api else 4)
    for where, schema, value in found:
        assert contract.errors(document, schema, value) == [], where


def test_the_lead_is_the_webhooks_data_field_for_field():
    fields = list(openapi_leads.LEAD_FIELDS)
    assert fields == ["schema_version", *(name for name, _, _ in EVENT_COLUMNS)]
    assert openapi_leads.schemas()["Lead"]["required"] == fields


def search_example_listings(app) -> None:
    """The listings the search examples show: a campus listing and an online one."""
    with app.app_context():
        school = make_school("Riverside Career Academy (Demo)")
        make_program(
            school,
            make_campus(school, "60164", name="Melrose Park campus"),
            external_id="RCA-CMA",
            title="Clinical Medical Assistant",
            career="medical-assistant",
            duration="10 months",
            tuition_min_cents=1_475_000,
            schedule=("full_time", "evenings"),
            next_start_dates=tuple(START_DATES),
            accreditation="Council on Occupational Education (COE)",
            financial_aid=True,
            program_url="https://riverside-career-academy.example/programs/clinical-medical-assistant",
            bid_cents=3000,
        )
        online = make_school("Northern Plains College Online (Demo)")
        make_program(
            online,
            modality="online",
            states=("IL", "IN", "WI"),
            external_id="NPC-MBC",
            title="Medical Billing and Coding",
            career="medical-biller-and-coder",
            credential_level="diploma",
            duration="9 months",
            tuition_min_cents=989_900,
            tuition_max_cents=1_125_000,
            schedule=("part_time", "self_paced"),
            next_start_dates=(),
            financial_aid=None,
            bid_cents=2000,
        )


def still_to_come(example: dict) -> dict:
    """The example as a search today answers it: start dates already past are left out."""
    today = today_utc().isoformat()
    shown = json.loads(json.dumps(example))
    for listing in shown.get("results", []) + shown.get("online_in_state", []):
        listing["next_start_dates"] = [d for d in listing["next_start_dates"] if d >= today]
    return shown


def check_example(name: str, answered: dict, today_adjusted: bool = False) -> None:
    """Compare the app's answer with the stored example, or store it (UPDATE_API_EXAMPLES=1)."""
    path = EXAMPLES / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(answered, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    stored = json.loads(path.read_text("utf-8"))
    assert answered == (still_to_come(stored) if today_adjusted else stored)


def test_the_examples_are_what_the_app_answers(app, client):
    app.config["SITE_URL"] = EXAMPLE_SITE
    search_example_listings(app)
    found = client.get("/api/v1/programs?zip=60601&radius=25")
    assert found.status_code == 200
    check_example("search-results", found.get_json(), today_adjusted=True)
    refused = client.get("/api/v1/programs?zip=6060&radius=7&level=x")
    assert refused.status_code == 422
    check_example("search-invalid", refused.get_json())
    unknown = client.get("/api/v1/programs?zip=00000")
    assert unknown.status_code == 404
    check_example("search-unknown-zip", unknown.get_json())


def test_the_leads_examples_are_what_the_app_answers(app, client):
    app.config["SITE_URL"] = EXAMPLE_SITE
    with app.app_context():
        school = make_school("Lakeshore Medical Institute")
        program = make_program(
            school, zip_code="60601", title="Medical Office Administration", external_id="MOA-101"
        )
        arrived = datetime(2026, 11, 3, 14, 5, 9, tzinfo=UTC)
        lead = make_lead(program, created_at=arrived, last_name="Doe", email="jane@example.com")
        lead_id = lead.id
        _, token = create_token(school.id, "crm@lakeshore.example")
    signed = {"Authorization": f"Bearer {token}"}
    page = client.get("/api/v1/leads?since=2026-11-01T00:00:00Z", headers=signed)
    assert page.status_code == 200
    check_example("leads-page", page.get_json())
    body = {"outcome": "contacted", "date": "2026-11-04"}
    recorded = client.post(f"/api/v1/leads/{lead_id}/outcome", json=body, headers=signed)
    assert recorded.status_code == 201
    check_example("leads-outcome", recorded.get_json())
    refused = client.get("/api/v1/leads", headers={"Authorization": "Bearer mcg_wrong"})
    assert refused.status_code == 401
    check_example("leads-unauthorized", refused.get_json())
    with app.app_context():
        draft = OptOutDraft(email="jane@example.com", phone_e164=None, state="IL")
        opt_out(draft, "contract-example", datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    opted_out = client.get("/api/v1/opt-outs?since=2026-11-01T00:00:00Z", headers=signed)
    assert opted_out.status_code == 200
    check_example("opt-outs-page", opted_out.get_json())


def test_the_document_is_served_as_public_json(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"]
    assert (
        client.get(
            "/api/v1/openapi.json", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
    document = response.get_json()
    with app.test_request_context():
        assert document == openapi.document()
    assert document["servers"] == [{"url": SITE_URL, "description": "This site"}]
    assert list(document["webhooks"]) == ["lead.created", "lead.opted_out", "webhook.test"]


def test_the_reference_page_shows_every_operation_webhook_and_object(app, client):
    home = client.get("/")
    assert 'href="/api/docs">API for partners</a>' in home.text
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "public, max-age=300"
    with app.test_request_context():
        document = openapi.document()
    for method, path, operation in contract.operations(document):
        assert f'id="op-{operation["operationId"]}"' in page.text, (method, path)
    for name in document["webhooks"]:
        assert f"<code>{name}</code>" in page.text
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page.text
    assert 'href="/api/v1/openapi.json"' in page.text
    assert "<script" not in page.text  # read without any script, first-party or not
    # Values come from the code: every radius and every career slug is listed.
    assert all(f"<code>{miles}</code>" in page.text for miles in (10, 25, 50, 100))
    assert "<code>medical-office-manager</code>" in page.text
