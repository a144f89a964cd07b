"""Hostile input on the contact and "Do Not Sell or Share" forms: a clear answer, never a 500;
whatever is stored keeps the forms' rules; markup shows escaped to the admins."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.core.validators import has_control_characters
from portal.extensions import db
from portal.models import CONTACT_TOPICS, ContactMessage, PrivacyRequest
from tests.support.hostile import HOSTILE, SCRIPT, assert_answered, maybe, query
from tests.support.pages import GOOD_CONTACT, GOOD_OPT_OUT, open_page_form

contact_answers = st.builds(
    query,
    name=st.none() | maybe(["Pat Doe", "Zoë O’Brien", ""]),
    email=st.none() | maybe(["pat@example.com", "PAT@Example.com", ""]),
    topic=st.none() | maybe([*CONTACT_TOPICS, ""]),
    body=st.none() | maybe(["Hello", "Two\nlines", ""]),
    website=st.none() | st.just(""),
)
opt_out_answers = st.builds(
    query,
    email=st.none() | maybe(["pat@example.com", ""]),
    name=st.none() | maybe(["Pat Doe", ""]),
    state=st.none() | maybe(["CA", "--", ""]),
)


def assert_stored_well_formed() -> None:
    """Every stored message and request keeps the forms' rules."""
    for message in db.session.scalars(select(ContactMessage)):
        assert message.topic in CONTACT_TOPICS and message.email == message.email.lower()
        assert message.name and not has_control_characters(message.name)
        assert message.body and "\x00" not in message.body and len(message.body) <= 5000
    for request in db.session.scalars(select(PrivacyRequest)):
        assert request.email and request.email == request.email.lower()
        assert request.state is None or len(request.state) == 2


@pytest.mark.parametrize(
    ("path", "good"), [("/contact", GOOD_CONTACT), ("/privacy/do-not-sell", GOOD_OPT_OUT)]
)
@HOSTILE
@given(contact=contact_answers, opt_out=opt_out_answers)
def test_the_forms_answer_hostile_fields(app, client, path, good, contact, opt_out):
    answers = contact if path == "/contact" else opt_out
    form = open_page_form(client, path)
    response = client.post(path, data=form | answers)
    body = assert_answered(response, {200, 303, 422})
    assert SCRIPT not in body
    with app.app_context():
        assert_stored_well_formed()


@HOSTILE
@given(stamp=maybe(["", "x.y.z"]), token=maybe([""]))
def test_forged_stamps_and_tokens_are_answered_without_a_crash(app, client, stamp, token):
    form = open_page_form(client, "/contact")
    response = client.post("/contact", data=form | GOOD_CONTACT | {"started": stamp})
    assert_answered(response, {303})
    response = client.post("/contact", data=GOOD_CONTACT | {"csrf_token": token})
    assert_answered(response, {400})
    with app.app_context():
        assert db.session.scalars(select(ContactMessage)).all() == []
