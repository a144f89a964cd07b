"""Hostile answers, attribution and headers on the request-info form.

Every request carries a real CSRF token and time stamp for a real listing, so it reaches the
form's validation. Whatever the answers, the visitor gets the form back with messages (422) or
the thank-you redirect (303), and every lead stored keeps its invariants.
"""

from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from tests.support.forms import form_inputs
from tests.support.hostile import (
    HOSTILE,
    SCRIPT,
    assert_answered,
    assert_lead_well_formed,
    hostile_text,
    stored_leads,
)
from tests.support.leads import GOOD_ANSWERS, form_url

NAMES = ["Jane", "Zoë", "O'Brien", "Jean-Luc", "Nguyễn", "José María", "  Ada  ", "李"]
EMAILS = ["Jane.Doe@Example.COM", " jane@example.com ", "zoë@exämple.com", "a+b@example.org"]
PHONES = ["(312) 555-0142", "+1 312 555 0142", "312.555.0142", "3125550142", "1-312-555-0142"]
ZIPS = ["60601", "60601-1234", " 60601 ", "60602", "10001", "99999"]

LETTERS = st.text(st.characters(categories=("L", "M")), min_size=1, max_size=60)
VALID = {
    "first_name": st.sampled_from(NAMES) | LETTERS,
    "last_name": st.sampled_from(NAMES) | LETTERS,
    "email": st.sampled_from(EMAILS),
    "phone": st.sampled_from(PHONES),
    "zip_code": st.sampled_from(ZIPS),
    "education_level": st.sampled_from(["high_school", "associate"]),
    "start_timeframe": st.sampled_from(["immediately", "researching"]),
    "consent": st.just("y"),
    "radius": st.sampled_from(["50", "100", ""]),
    "website": st.just(""),  # the honeypot: filled in, the request is quietly dropped
}


@st.composite
def answers(draw):
    """Plausible answers with up to three of them (any field) replaced by hostile text."""
    data = {field: draw(values) for field, values in VALID.items()}
    for field in draw(st.sets(st.sampled_from(sorted(VALID)), max_size=3)):
        data[field] = draw(hostile_text)
    return data


def header_text(text: str) -> str:
    """Text as a server hands a header to the app: UTF-8 bytes read as Latin-1, one line."""
    return text.replace("\r", "").replace("\n", "").encode("utf-8").decode("latin-1")


def open_and_send(app, program_id, data, landing_args=None, headers=None):
    """A new visitor lands (with `landing_args`), opens the form, and sends `data` over it.

    Returns the visitor (a client with its cookies) and the answer."""
    client = app.test_client()
    landing = client.get("/programs", query_string=landing_args or {}, headers=headers)
    assert_answered(landing, {200, 422})
    form = client.get(form_url(program_id), headers=headers)
    hidden = form_inputs(assert_answered(form, {200}))
    sent = {"csrf_token": hidden["csrf_token"], "started": hidden["started"], **data}
    response = client.post(form_url(program_id), data=sent, headers=headers)
    return client, response


def assert_all_leads_well_formed(app) -> None:
    """Every lead stored so far keeps its invariants."""
    with app.app_context():
        for lead in stored_leads():
            assert_lead_well_formed(lead)
        db.session.remove()


def test_hostile_answers_get_messages_or_thanks_never_a_crash(app, program_id):
    @HOSTILE
    @given(data=answers())
    def send(data):
        client, response = open_and_send(app, program_id, data)
        body = assert_answered(response, {303, 422})
        assert SCRIPT not in body
        if response.status_code == 303:
            thanks = client.get(response.headers["Location"])
            assert SCRIPT not in assert_answered(thanks, {200})
        assert_all_leads_well_formed(app)

    send()
    assert stored_leads_in(app), "no example got through validation: the strategy is too hostile"


@HOSTILE
@given(
    data=answers(),
    trap=st.sampled_from(["website", "started"]),
    value=hostile_text,
    zip_code=hostile_text,
)
def test_bots_with_hostile_answers_are_dropped_and_thanked(
    app, program_id, data, trap, value, zip_code
):
    before = len(stored_leads_in(app))
    data[trap] = value or "x"  # a filled honeypot, or a forged time stamp
    data["zip_code"] = zip_code  # a bot's answers are never validated
    client, response = open_and_send(app, program_id, data)
    assert_answered(response, {303, 422})
    if response.status_code == 303:
        assert len(stored_leads_in(app)) == before
        thanks = client.get(response.headers["Location"])
        assert SCRIPT not in assert_answered(thanks, {200})


@HOSTILE
@given(
    utm=st.fixed_dictionaries(
        {},
        optional={
            key: hostile_text
            for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
        },
    ),
    referrer=st.none() | hostile_text.map(header_text),
    user_agent=st.none() | hostile_text.map(header_text),
)
def test_hostile_attribution_and_headers_are_stored_safely(
    app, program_id, utm, referrer, user_agent
):
    headers = {"Referer": referrer, "User-Agent": user_agent}
    headers = {key: value for key, value in headers.items() if value is not None}
    before = len(stored_leads_in(app))
    _, response = open_and_send(app, program_id, GOOD_ANSWERS, landing_args=utm, headers=headers)
    assert_answered(response, {303})
    assert len(stored_leads_in(app)) == before + 1
    assert_all_leads_well_formed(app)


def stored_leads_in(app) -> list:
    """The stored leads, read in their own app context."""
    with app.app_context():
        leads = stored_leads()
        db.session.remove()
        return leads
