"""Opt-outs on the schools' side: a lead whose person opted out is shown as "Opted out" without
contact details, left out of the school's CSV and of GET /api/v1/leads, and listed by GET
/api/v1/opt-outs (paged, each school its own only)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, Program, utcnow
from portal.services.school_api import OPT_OUT_FEED, encode_cursor
from tests.support.exports import read
from tests.support.factories import make_lead
from tests.support.forms import csrf_token
from tests.support.pages import opt_out_by_form

KIM = {"first_name": "Kimberly", "last_name": "Leeward", "email": "kim.leeward@example.com"}
KIM_PHONE = "+13125550111"


@pytest.fixture
def kim(app, schools) -> dict[str, int]:
    """Kim asked school A and school B; she then opted out. Her leads' ids by school."""
    with app.app_context():
        ids = {}
        for name in ("A", "B"):
            program = db.session.get(Program, schools[name].program_id)
            ids[name] = make_lead(program, phone_e164=KIM_PHONE, **KIM).id
    opt_out_by_form(app, KIM["email"])
    return ids


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def no_contact_details(html: str) -> None:
    for detail in (*KIM.values(), "555-0111", "5550111", "kim.leeward"):
        assert detail not in html, detail


def test_the_school_pages_show_opted_out_without_contact_details(school_client, schools, kim):
    listing = school_client.get("/school/leads").get_data(as_text=True)
    assert listing.count("Opted out</span>") == 1
    assert f'<a href="/school/leads/{kim["A"]}">Lead {kim["A"]}</a>' in listing
    assert "Alderson0" in listing  # the others are shown as before
    no_contact_details(listing)
    page = school_client.get(f"/school/leads/{kim['A']}").get_data(as_text=True)
    assert "Opted out</span></h1>" in page and "opted out on" in page
    assert page.count("Opted out: not shown") == 3  # name, email, phone
    assert "mailto:" not in page and "tel:" not in page
    no_contact_details(page)


def test_the_school_csv_leaves_the_opted_out_lead_out(school_client, schools, kim):
    token = csrf_token(school_client, "/school/leads")
    response = school_client.post("/school/leads/export.csv", data={"csrf_token": token})
    ids = [int(row[0]) for row in read(response.get_data())[1:]]
    assert sorted(ids) == sorted(schools["A"].lead_ids)
    no_contact_details(response.get_data(as_text=True))


def test_the_pull_api_leaves_it_out_and_moves_past_it(app, client, schools, kim):
    a = schools["A"]
    page = client.get("/api/v1/leads", headers=auth(a.token)).get_json()
    assert [lead["lead_id"] for lead in page["leads"]] == sorted(a.lead_ids)
    assert all(lead["explicit_request"] is False for lead in page["leads"])
    with app.app_context():
        later = make_lead(db.session.get(Program, a.program_id), phone_e164="+13125550144").id
    after = client.get(
        "/api/v1/leads", headers=auth(a.token), query_string={"cursor": page["next_cursor"]}
    ).get_json()
    assert [lead["lead_id"] for lead in after["leads"]] == [later]


def test_each_school_lists_its_own_opt_outs(app, client, schools, kim):
    for name in ("A", "B"):
        response = client.get("/api/v1/opt-outs", headers=auth(schools[name].token))
        assert response.status_code == 200
        body = response.get_json()
        assert body["has_more"] is False
        [item] = body["opt_outs"]
        assert item["lead_id"] == kim[name] and item["school_id"] == schools[name].id
        assert item["reason"] == "do_not_sell" and item["schema_version"] == 1
        assert item["opted_out_at"].endswith("Z")
        no_contact_details(response.get_data(as_text=True))


def test_the_opt_out_feed_pages_and_polls(app, client, schools, kim):
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        for n in range(230):
            make_lead(program, email="many@example.com", phone_e164=f"+1312555{2000 + n}")
    opt_out_by_form(app, "many@example.com")
    seen, cursor, sizes = [], None, []
    while True:
        query = {"cursor": cursor} if cursor else {}
        page = client.get("/api/v1/opt-outs", headers=auth(a.token), query_string=query)
        body = page.get_json()
        sizes.append(len(body["opt_outs"]))
        seen += [item["lead_id"] for item in body["opt_outs"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert sizes == [100, 100, 31]
    with app.app_context():
        expected = db.session.scalars(
            select(Lead.id).where(Lead.school_id == a.id, Lead.opted_out_at.is_not(None))
        ).all()
    assert sorted(seen) == sorted(expected) and len(set(seen)) == len(seen) == 231
    # Polling with the last cursor: nothing, then exactly what opted out since.
    empty = client.get("/api/v1/opt-outs", headers=auth(a.token), query_string={"cursor": cursor})
    assert empty.get_json()["opt_outs"] == []
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        newest = make_lead(program, email="last@example.com", phone_e164="+13125550155").id
    opt_out_by_form(app, "last@example.com")
    polled = client.get("/api/v1/opt-outs", headers=auth(a.token), query_string={"cursor": cursor})
    assert [item["lead_id"] for item in polled.get_json()["opt_outs"]] == [newest]


def test_since_and_bad_input(app, client, schools, kim):
    a, b = schools["A"], schools["B"]
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = client.get("/api/v1/opt-outs", headers=auth(a.token), query_string={"since": tomorrow})
    assert later.get_json()["opt_outs"] == []
    earlier = client.get(
        "/api/v1/opt-outs", headers=auth(a.token), query_string={"since": "2020-01-01T00:00:00Z"}
    )
    assert [item["lead_id"] for item in earlier.get_json()["opt_outs"]] == [kim["A"]]
    for query, status in (
        ({"since": "last week"}, 422),
        ({"since": "2020-01-01"}, 422),  # RFC 3339 wants a time and its zone
        ({"cursor": "nonsense"}, 404),
        ({"cursor": encode_cursor(a.id, 0)}, 404),  # the lead feed's cursor is not this feed's
        ({"cursor": encode_cursor(b.id, 0, OPT_OUT_FEED)}, 404),  # nor is another school's
    ):
        response = client.get("/api/v1/opt-outs", headers=auth(a.token), query_string=query)
        assert response.status_code == status, query
        assert list(response.get_json()["error"]["fields"]) == list(query)
    assert client.get("/api/v1/opt-outs").status_code == 401
