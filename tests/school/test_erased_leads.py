"""A lead whose personal details retention erased, as a school sees it: its pages say so and
show none, its CSV leaves the cells empty and says when, and the pull API and the webhook's
body carry null for each erased field and `erased_at`, as the OpenAPI document describes."""

import re
from datetime import timedelta

import pytest

from portal.api import openapi
from portal.extensions import db
from portal.models import Program, utcnow
from portal.services.events import lead_data
from portal.services.lead_returns import request_return
from portal.services.retention import run_retention
from portal.services.school_leads import Actor
from tests.support import openapi as contract
from tests.support.exports import read
from tests.support.factories import make_lead
from tests.support.forms import csrf_token

PERSONAL = ["first_name", "last_name", "email", "phone", "ip_address", "user_agent", "page_url"]
PERSONAL += ["referrer"]


@pytest.fixture
def erased(app, schools):
    """One of school A's leads, six years old and returned in its day, erased by retention."""
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        arrived = utcnow() - timedelta(days=6 * 365)
        lead = make_lead(program, first_name="Eleanor", last_name="Vance", created_at=arrived)
        request_return(
            a.id,
            lead.id,
            "other",
            "Eleanor says wrong number",
            Actor("staff"),
            arrived + timedelta(days=2),
            30,
        )
        run_retention(utcnow(), app.config["LEAD_RETENTION_DAYS"], "shell:test")
        return lead.id


def test_the_schools_pages_say_erased_and_show_no_details(app, school_client, erased):
    listing = school_client.get("/school/leads?since=2000-01-01").get_data(as_text=True)
    assert f'Lead {erased} <span class="erased">(details erased)</span>' in listing
    page = school_client.get(f"/school/leads/{erased}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r"<h1>Lead \d+</h1>", html) and "Personal details erased on" in html
    assert html.count('<span class="erased">Erased</span>') == 7  # contacts, evidence, the receipt
    returns = school_client.get("/school/returns").get_data(as_text=True)
    assert f'{erased}: <span class="erased">details erased</span>' in returns
    for html in (listing, page.get_data(as_text=True), returns):
        assert "Eleanor" not in html and "Vance" not in html
        assert not re.search(r"None(?! recorded)", html)  # no Python None shown


def test_the_schools_csv_leaves_the_cells_empty_and_says_when(app, school_client, erased):
    token = csrf_token(school_client, "/school/leads")
    response = school_client.post(
        "/school/leads/export.csv", data={"csrf_token": token, "since": "2000-01-01"}
    )
    assert response.status_code == 200
    rows = read(response.get_data())
    row = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == str(erased))
    for name in ("First name", "Last name", "Email", "Phone", "Consent page"):
        assert row[name] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["Details erased (UTC)"])
    assert "Eleanor" not in response.get_data(as_text=True)


def test_the_api_and_the_webhook_body_carry_nulls_and_erased_at(app, client, schools, erased):
    response = client.get(
        "/api/v1/leads", headers={"Authorization": f"Bearer {schools['A'].token}"}
    )
    assert response.status_code == 200
    leads = {lead["lead_id"]: lead for lead in response.get_json()["leads"]}
    gone, kept = leads[erased], leads[schools["A"].lead_ids[0]]
    assert all(gone[name] is None for name in PERSONAL)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", gone["erased_at"])
    assert gone["price_cents"] == 2500 and gone["consent_sha256"]
    assert kept["erased_at"] is None and all(kept[name] is not None for name in PERSONAL)
    with app.test_request_context():
        document = openapi.document()
    schema = {"$ref": "#/components/schemas/LeadPage"}
    assert contract.errors(document, schema, response.get_json()) == []
    with app.app_context():
        body = lead_data(erased)
    assert body == gone
    assert contract.errors(document, {"$ref": "#/components/schemas/Lead"}, body) == []
