"""Hostile input on the admin's listing editor, school settings, messages and privacy requests:
a message and a 4xx status, never a 500; what is stored keeps the listing details' rules."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Program, School
from portal.services.inbox import ContactDraft, save_contact_message
from tests.support.factories import make_open_privacy_request, make_program
from tests.support.forms import csrf_token
from tests.support.hostile import HOSTILE, SCRIPT, assert_answered, maybe, query

NONCES = itertools.count()


@pytest.fixture
def program_id(app) -> int:
    with app.app_context():
        return make_program().id


details_answers = st.builds(
    query,
    tuition_min=st.none() | maybe(["12400", "12400.50", "0", ""]),
    tuition_max=st.none() | maybe(["16000", ""]),
    schedule=st.none() | maybe(["full_time", "evenings", ""]),
    **{f"starts-{n}": st.none() | maybe(["2027-01-04", ""]) for n in range(3)},
    accreditation=st.none() | maybe(["ABHES", ""]),
    financial_aid=st.none() | maybe(["yes", "no", ""]),
    program_url=st.none() | maybe(["https://x.example/p", ""]),
)


@HOSTILE
@given(answers=details_answers)
def test_the_listing_editor_answers_hostile_fields(app, admin_client, program_id, answers):
    url = f"/admin/programs/{program_id}/details"
    data = answers | {"csrf_token": csrf_token(admin_client, url)}
    body = assert_answered(admin_client.post(url, data=data), {302, 422})
    assert SCRIPT not in body
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert program.details.problems() == {}


@HOSTILE
@given(hours=maybe(["1", "24", "720", ""]))
def test_school_settings_answer_hostile_hours(app, admin_client, program_id, hours):
    with app.app_context():
        school_id = db.session.scalar(select(School.id))
    url = f"/admin/schools/{school_id}/settings"
    data = {"csrf_token": csrf_token(admin_client, url), "response_hours": hours}
    assert_answered(admin_client.post(url, data=data), {302, 422})
    with app.app_context():
        assert 1 <= db.session.get(School, school_id).response_hours <= 720


@HOSTILE
@given(
    args=st.builds(query, show=st.none() | maybe(["all", "open"]), page=st.none() | maybe(["1"])),
    action=maybe(["delete", "close"]),
    note=maybe(["A repeat request.", ""]),
)
def test_the_inbox_answers_hostile_input(app, admin_client, args, action, note):
    n = next(NONCES)
    with app.app_context():
        save_contact_message(ContactDraft("Pat", "pat@example.com", "other", SCRIPT), f"m{n}")
        request_id = make_open_privacy_request("pat@example.com", None, None, f"r{n}")
    body = assert_answered(admin_client.get("/admin/messages", query_string=args), {200, 400})
    assert SCRIPT not in body
    token = csrf_token(admin_client, "/admin/privacy/delete")
    url = f"/admin/privacy/requests/{request_id}/close"
    response = admin_client.post(url, data={"csrf_token": token, "action": action, "note": note})
    assert_answered(response, {302, 400, 404, 422})
