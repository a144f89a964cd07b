"""The contact form and the "Do Not Sell or Share" form: stored once (a message for the admins;
an opt-out done at once, with its reference), with the request-info form's measures against
bots (CSRF, honeypot, signed stamp, rate limit), a "please confirm" step instead of a false
"sent", problems beside the fields, nothing logged."""

import logging
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.core import stamps
from portal.extensions import db, dispose_engines
from portal.models import ContactMessage, PrivacyRequest, Suppression
from portal.services.contact_hashes import email_sha256, phone_sha256
from tests.support.forms import form_inputs
from tests.support.pages import GOOD_CONTACT, GOOD_OPT_OUT, open_page_form, send_page_form
from tests.support.settings import base_settings

CONTACT = ("/contact", GOOD_CONTACT, ContactMessage, "/contact/sent")
OPT_OUT = ("/privacy/do-not-sell", GOOD_OPT_OUT, PrivacyRequest, "/privacy/do-not-sell/sent")
FORMS = pytest.mark.parametrize(
    ("path", "answers", "model", "done"), [CONTACT, OPT_OUT], ids=["contact", "opt-out"]
)


def stored(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_contact_message_is_stored_for_the_admins(app, client):
    response = send_page_form(client, "/contact", GOOD_CONTACT)
    assert response.status_code == 303 and response.headers["Location"] == "/contact/sent"
    page = client.get("/contact/sent")
    assert "your message has been received" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    with app.app_context():
        message = db.session.scalars(select(ContactMessage)).one()
        assert (message.name, message.email, message.topic) == (
            "Pat Doe",
            "pat.doe@example.com",
            "listing",
        )
        assert message.body == "The phone number on a listing is wrong.\nPlease check it."
        assert message.handled_at is None


def landed(response) -> str:
    """Where a form's answer redirects, without its query string."""
    return urlsplit(response.headers["Location"]).path


def test_an_opt_out_acts_at_once_and_the_visitor_gets_its_reference(app, client):
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT, state="--")
    assert response.status_code == 303 and landed(response) == "/privacy/do-not-sell/sent"
    page = client.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "no-store"
    shown = re.search(r'<strong class="reference-code">(DNS-[0-9A-Z-]+)</strong>', page.text)
    assert "You have opted out" in page.text and shown
    with app.app_context():
        request = db.session.scalars(select(PrivacyRequest)).one()
        assert request.reference == shown.group(1)  # stable: the one stored
        assert (request.email, request.name, request.state) == (None, None, None)
        assert request.kind == "opt_out" and request.closed_at is not None
        assert request.closed_by_id is None  # no admin step
        listed = dict(db.session.execute(select(Suppression.sha256, Suppression.kind)).all())
    assert listed == {
        email_sha256("pat.doe@example.com"): "email",
        phone_sha256("+13125550199"): "phone",
    }


def test_the_reference_on_the_page_is_signed_not_taken_from_the_url(client):
    forged = client.get("/privacy/do-not-sell/sent?ref=DNS-AAAAA-AAAAA")
    assert forged.status_code == 200 and "DNS-AAAAA-AAAAA" not in forged.text
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT)
    token = parse_qs(urlsplit(response.headers["Location"]).query)["ref"][0]
    assert "DNS-" not in token  # signed and encoded, not the code itself in clear
    tampered = client.get("/privacy/do-not-sell/sent", query_string={"ref": token[:-2] + "xx"})
    assert "reference-code" not in tampered.text


def test_the_opt_out_phone_is_checked_and_optional(app, client):
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT, phone="555-01")
    assert response.status_code == 422
    assert 'id="phone-error" role="alert">Enter a valid US phone number' in response.text
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT, phone="")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Suppression.kind)).all() == ["email"]


@FORMS
def test_one_form_stores_once_however_often_it_is_sent(app, client, path, answers, model, done):
    form = open_page_form(client, path)
    responses = [client.post(path, data=form | answers) for _ in range(3)]
    assert [r.status_code for r in responses] == [303] * 3
    assert all(landed(r) == done for r in responses)
    # The same answer each time: an opt-out's repeats show the reference it got.
    assert len({r.headers["Location"] for r in responses}) == 1
    assert stored(app, model) == 1


@FORMS
@pytest.mark.parametrize(
    "bot",
    [
        {"website": "http://spam.example"},
        {"started": None},
        {"started": "forged.stamp.value"},
    ],
    ids=["honeypot", "no-stamp", "forged-stamp"],
)
def test_bots_are_answered_like_people_and_nothing_is_stored(
    app, client, path, answers, model, done, bot
):
    response = send_page_form(client, path, answers, **bot)
    assert response.status_code == 303 and response.headers["Location"] == done
    assert stored(app, model) == 0
    assert stored(app, Suppression) == 0


@FORMS
def test_a_stamp_of_another_session_or_form_stores_nothing(app, path, answers, model, done):
    other_session = open_page_form(app.test_client(), path)["started"]
    client = app.test_client()
    assert send_page_form(client, path, answers, started=other_session).status_code == 303
    other_form = "/privacy/do-not-sell" if path == "/contact" else "/contact"
    wrong_form = open_page_form(client, other_form)["started"]
    assert send_page_form(client, path, answers, started=wrong_form).status_code == 303
    assert stored(app, model) == 0


@FORMS
@pytest.mark.parametrize("token", [None, "forged"])
def test_a_missing_or_wrong_csrf_token_is_a_400(app, client, path, answers, model, done, token):
    assert send_page_form(client, path, answers, csrf_token=token).status_code == 400
    assert stored(app, model) == 0


def later(seconds: float) -> type:
    """A datetime class whose now() is `seconds` ahead (for the stamps' clock)."""

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=seconds)

    return Later


@FORMS
def test_a_form_sent_back_too_fast_asks_to_confirm_then_is_stored(
    app, client, path, answers, model, done
):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    form = open_page_form(client, path)
    response = client.post(path, data=form | answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please confirm" in html and "Nothing has been sent yet" in html
    kept = form_inputs(html)
    assert kept["email"] == "pat.doe@example.com" and kept["started"] == form["started"]
    assert stored(app, model) == 0
    # Confirmed at once, well within the 60 seconds: stored, and once however often it is sent.
    confirmed = [client.post(path, data=answers | kept) for _ in range(3)]
    assert [c.status_code for c in confirmed] == [303] * 3 and stored(app, model) == 1


@FORMS
def test_a_confirmation_counts_only_for_its_own_form(app, client, path, answers, model, done):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    asked = client.post(path, data=open_page_form(client, path) | answers)
    confirmation = form_inputs(asked.get_data(as_text=True))["confirmation"]
    again = client.post(
        path, data=open_page_form(client, path) | answers | {"confirmation": confirmation}
    )
    assert again.status_code == 200 and "Please confirm" in again.text
    assert stored(app, model) == 0


@FORMS
def test_a_form_kept_open_too_long_is_shown_again(
    app, client, path, answers, model, done, monkeypatch
):
    form = open_page_form(client, path)
    monkeypatch.setattr(stamps, "datetime", later(3 * 3600 + 60))
    response = client.post(path, data=form | answers)
    assert response.status_code == 422
    assert "open for more than 3 hours" in response.get_data(as_text=True)
    assert stored(app, model) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name."),
        ({"name": "<b>Pat</b>"}, "name", "Use letters, spaces, hyphens"),
        ({"email": "pat@"}, "email", "Enter a valid email address"),
        ({"topic": "gossip"}, "topic", "Choose what your message is about."),
        ({"body": "   "}, "body", "Write your message."),
        ({"body": "x" * 5001}, "body", "Use at most 5,000 characters."),
        ({"body": "bell\x07"}, "body", "Remove the invisible control characters."),
    ],
)
def test_contact_problems_show_beside_their_fields(app, client, changes, field, message):
    response = send_page_form(client, "/contact", GOOD_CONTACT, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error" role="alert">{message}' in html
    assert form_inputs(html)["email"] == "pat.doe@example.com" or field == "email"
    assert stored(app, ContactMessage) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "Enter your email address."),
        ({"state": "ZZ"}, "state", "Choose a state from the list."),
        ({"phone": "x" * 26}, "phone", "Use at most 25 characters."),
        ({"phone": "call me"}, "phone", "Enter a valid US phone number"),
    ],
)
def test_opt_out_problems_show_beside_their_fields(app, client, changes, field, message):
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT, **changes)
    assert response.status_code == 422
    assert f'id="{field}-error" role="alert">{message}' in response.get_data(as_text=True)
    assert stored(app, PrivacyRequest) == 0 and stored(app, Suppression) == 0


def test_the_opt_out_phone_and_state_may_be_left_out(app, client):
    response = send_page_form(client, "/privacy/do-not-sell", GOOD_OPT_OUT, phone="", state="")
    assert response.status_code == 303 and stored(app, PrivacyRequest) == 1


@FORMS
def test_sending_is_rate_limited_per_address(database_url, path, answers, model, done):
    limited = create_app(
        base_settings(database_url)
        | {
            "RATELIMIT_ENABLED": True,
            "CONTACT_RATE_LIMIT": "2 per minute",
            "LEAD_MIN_FILL_SECONDS": 0,
        }
    )
    client = limited.test_client()
    statuses = [
        send_page_form(client, path, answers, email=f"p{n}@example.com").status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]
    with limited.app_context():
        dispose_engines()


@FORMS
def test_what_visitors_write_never_reaches_the_log(app, client, path, answers, model, done, caplog):
    caplog.set_level(logging.DEBUG)
    send_page_form(client, path, answers)
    send_page_form(client, path, answers, email="")  # with an error
    logged = caplog.text.lower()
    assert "stored" in logged
    for secret in ("pat doe", "pat.doe", "phone number on a listing", "555-0199", "5550199"):
        assert secret not in logged
