"""Hostile input on the schools' pages and the pull API: a message and a 4xx, never a 500;
what is stored stays within the rules; nothing of another school shows."""

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import LEAD_OUTCOMES, RETURN_REASONS, Lead, LeadReturn
from tests.support.forms import csrf_token
from tests.support.hostile import HOSTILE, SCRIPT, assert_answered, maybe, query

DATES = ["2026-11-01", "2026-01-31", ""]


@HOSTILE
@given(
    since=st.none() | maybe(DATES),
    until=st.none() | maybe(DATES),
    program=st.none() | maybe(["1", "2", ""]),
    campus=st.none() | maybe(["1", "2", ""]),
    outcome=st.none() | maybe([*LEAD_OUTCOMES, "none", ""]),
    page=st.none() | maybe(["1", "2", ""]),
)
def test_lead_filters_answer_hostile_parameters(school_client, schools, **args):
    body = assert_answered(
        school_client.get("/school/leads", query_string=query(**args)), {200, 400}
    )
    assert SCRIPT not in body and schools["B"].marker not in body


@HOSTILE
@given(
    outcome=st.none() | maybe([*LEAD_OUTCOMES, ""]),
    occurred_on=st.none() | maybe(["2026-11-30", "2026-02-30", ""]),
    reason=st.none() | maybe([*RETURN_REASONS, ""]),
    text=st.none() | maybe(["Not a person", ""]),
)
def test_outcome_and_return_forms_answer_hostile_input(
    app, school_client, schools, outcome, occurred_on, reason, text
):
    lead_id = schools["A"].lead_ids[0]
    token = csrf_token(school_client, f"/school/leads/{lead_id}")
    data = query(csrf_token=token, outcome=outcome, occurred_on=occurred_on)
    response = school_client.post(f"/school/leads/{lead_id}/outcome", data=data)
    assert_answered(response, {303, 422})
    data = query(csrf_token=token, reason=reason, text=text)
    response = school_client.post(f"/school/leads/{lead_id}/return", data=data)
    assert_answered(response, {303, 409, 422})
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead.outcome in (None, *LEAD_OUTCOMES)
        for row in db.session.scalars(select(LeadReturn)):
            assert row.reason in RETURN_REASONS and len(row.text) <= 1000


@HOSTILE
@given(
    since=st.none() | maybe(["2026-11-01T00:00:00Z", "2026-11-01", ""]),
    cursor=st.none() | maybe(["djE6MTow", ""]),
    body=st.none()
    | st.dictionaries(maybe(["outcome", "date"]), maybe([*LEAD_OUTCOMES, "2026-11-30"])),
)
def test_the_api_answers_hostile_input(client, schools, since, cursor, body):
    auth = {"Authorization": f"Bearer {schools['A'].token}"}
    response = client.get(
        "/api/v1/leads", headers=auth, query_string=query(since=since, cursor=cursor)
    )
    assert response.status_code in {200, 404, 422}  # 404: a cursor this API did not give
    assert response.is_json
    lead_id = schools["A"].lead_ids[0]
    response = client.post(f"/api/v1/leads/{lead_id}/outcome", headers=auth, json=body)
    assert response.status_code in {201, 400, 422}  # 400: a body over 16 KB
    assert response.is_json
