"""The request-info form over HTTP: showing it, sending it, and what gets stored."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest

from portal import create_app
from portal.extensions import db, dispose_engines
from portal.models import Program, utcnow
from portal.services.leads import consent_text
from tests.support.forms import form_inputs
from tests.support.htmlcheck import ParsedPage
from tests.support.leads import (
    GOOD_ANSWERS,
    all_leads,
    fill_today,
    form_url,
    lead_count,
    listing,
    open_form,
    submit,
)
from tests.support.settings import base_settings


def test_form_names_school_and_program_and_is_labelled(client, program_id, school_name):
    response = client.get(form_url(program_id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert school_name in html and "Medical Office Management" in html
    assert '<p class="sponsored-tag">Sponsored</p>' in html
    for field_id, label in [
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("email", "Email address"),
        ("phone", "Phone number"),
        ("zip_code", "ZIP code"),
        ("education_level", "Highest level of education"),
        ("start_timeframe", "When would you like to start?"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in html
    assert form_inputs(html)["zip_code"] == "60601"
    assert 'name="consent" required type="checkbox" value="y">' in html  # not ticked
    assert "aria-invalid" not in html


def test_consent_names_the_one_school_and_links_the_privacy_page(client, program_id, school_name):
    html = client.get(form_url(program_id)).get_data(as_text=True)
    text = consent_text(school_name)
    before, after = text.split("Privacy Policy")
    assert before in html and after in html
    assert '<a href="/privacy">Privacy Policy</a>' in html
    for words in [
        school_name,
        "email",
        "phone calls",
        "text messages",
        "automated",
        "not a condition",
    ]:
        assert words in text


def test_fields_help_autofill_with_values_html_allows(client, program_id):
    fields = {f["name"]: f for f in ParsedPage(client.get(form_url(program_id)).text).fields}
    autofill = {name: fields[name].get("autocomplete") for name in fields}
    assert autofill["phone"] == "tel"  # "tel-national" is not allowed on type=tel
    assert (autofill["first_name"], autofill["email"], autofill["zip_code"]) == (
        "given-name",
        "email",
        "postal-code",
    )
    assert "id" not in fields["csrf_token"]


def test_honeypot_is_hidden_by_class_and_skipped_by_keyboard(client, program_id):
    html = client.get(form_url(program_id)).get_data(as_text=True)
    assert '<div class="field honeypot">' in html
    assert '<label for="website">Leave this field empty</label>' in html
    assert 'autocomplete="off" id="website" name="website" tabindex="-1"' in html
    assert "style=" not in html


def test_radius_from_the_search_is_carried_to_the_form(client, program_id):
    assert open_form(client, program_id, radius=100)["radius"] == "100"
    assert open_form(client, program_id, radius=7)["radius"] == "50"


def test_happy_path_stores_the_lead_with_its_evidence(app, client, program_id, school_name):
    response = submit(client, program_id, headers={"User-Agent": "TestBrowser/1.0"})
    assert response.status_code == 303
    assert "/thanks" in response.headers["Location"]
    [lead] = all_leads(app)
    text = consent_text(school_name)
    assert (lead.first_name, lead.last_name) == ("Jane", "Doe")
    assert lead.email == "jane.doe@example.com"
    assert lead.phone_e164 == "+13125550142"
    assert (lead.zip_code, lead.state) == ("60601", "IL")
    assert (lead.education_level, lead.start_timeframe) == ("high_school", "within_1_month")
    assert lead.consent_text == text
    assert lead.consent_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert abs(lead.consented_at - utcnow()) < timedelta(minutes=1)
    assert lead.consented_at.utcoffset() == timedelta(0)
    assert lead.ip_address == "127.0.0.1"
    assert lead.user_agent == "TestBrowser/1.0"
    assert lead.page_url == f"http://localhost/programs/{program_id}/request-info?zip=60601"
    assert lead.email_sha256 == hashlib.sha256(b"jane.doe@example.com").hexdigest()
    assert lead.phone_sha256 == hashlib.sha256(b"+13125550142").hexdigest()
    assert (lead.program_id, lead.status, lead.billable, lead.price_cents) == (
        program_id,
        "new",
        True,
        3100,
    )
    with app.app_context():
        assert lead.school_id == db.session.get(Program, program_id).school_id


def test_thank_you_page_says_what_went_where_and_reload_sends_nothing(app, client, program_id):
    location = submit(client, program_id).headers["Location"]
    for _ in range(2):
        page = client.get(location)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Lakeshore Medical Institute" in html and "your request has been sent" in html
    assert lead_count(app) == 1
    assert location == "/requests/thanks"  # no ZIP, name or id in a URL an access log keeps


def test_thank_you_page_says_what_happens_next_and_leads_back_to_the_results(
    app, client, program_id
):
    html = client.get(submit(client, program_id).headers["Location"]).get_data(as_text=True)
    assert "What happens next" in html
    assert "Lakeshore Medical Institute contacts you, usually within" in html
    assert "<strong>24 hours</strong>" in html  # the default
    assert 'href="/programs?zip=60601">&larr; Back to your search results' in html
    with app.app_context():
        db.session.get(Program, program_id).school.response_hours = 4
        db.session.commit()
    location = submit(client, program_id, url_args={"radius": 25}).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "<strong>4 hours</strong>" in html
    assert 'href="/programs?zip=60601&amp;radius=25">&larr; Back to your search results' in html


def test_a_bots_thank_you_page_links_back_safely(app, client, program_id):
    location = submit(client, program_id, website="x", zip_code="<b>").headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert 'href="/programs">&larr; Back to your search results' in html


def test_thank_you_page_needs_the_visitors_own_session(app, client, program_id):
    location = submit(client, program_id).headers["Location"]
    assert app.test_client().get(location).status_code == 404
    assert client.get(location).status_code == 200


def test_thank_you_offers_three_other_programs_for_the_career_each_with_its_own_form(
    app, client, program_id
):
    others = [listing(app, zip_code="60614", bid_cents=bid) for bid in (4000, 3000, 2000, 1000)]
    listing(app, zip_code="60601", career="phlebotomist")  # another career
    listing(app, zip_code="53202")  # Milwaukee: outside 50 miles
    html = client.get(submit(client, program_id).headers["Location"]).get_data(as_text=True)
    shown = [pid for pid in others if f"/programs/{pid}/request-info?zip=60601" in html]
    assert shown == others[:3]
    assert html.count("Request Info") == 3


def test_thank_you_links_keep_a_wider_radius(app, client, program_id):
    far = listing(app, zip_code="53202")
    location = submit(client, program_id, url_args={"radius": 100}).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert f"/programs/{far}/request-info?zip=60601&amp;radius=100" in html


def test_thank_you_page_without_a_request_is_404(client):
    assert client.get("/requests/thanks").status_code == 404
    with client.session_transaction() as session:
        session["thanks"] = "garbage"
    assert client.get("/requests/thanks").status_code == 404


def test_unknown_or_inactive_program_is_404(app, client):
    inactive = listing(app, is_active=False)
    for program_id in (inactive, 987654):
        response = client.get(form_url(program_id))
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_program_deactivated_after_the_form_was_shown_is_404(app, client, program_id):
    form = open_form(client, program_id)
    with app.app_context():
        db.session.get(Program, program_id).is_active = False
        db.session.commit()
    response = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS})
    assert response.status_code == 404
    assert lead_count(app) == 0


def test_program_at_its_cap_is_not_taking_requests(app, client):
    program_id = listing(app, daily_cap=2)
    fill_today(app, program_id)
    response = client.get(form_url(program_id))
    assert response.status_code == 200
    assert "no longer taking requests" in response.get_data(as_text=True)


def test_program_that_reached_its_cap_after_the_form_was_shown_takes_no_lead(app, client):
    program_id = listing(app, daily_cap=1)
    form = open_form(client, program_id)
    fill_today(app, program_id)
    response = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS})
    assert response.status_code == 409
    assert "no longer taking requests" in response.get_data(as_text=True)
    assert lead_count(app) == 0


def test_zip_the_program_does_not_serve_is_refused_with_a_message(app, client, program_id):
    response = submit(client, program_id, zip_code="90210")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "does not offer this program near that ZIP code" in html
    assert 'id="zip_code-error"' in html
    assert lead_count(app) == 0


def test_unknown_zip_is_refused_with_a_message(app, client, program_id):
    response = submit(client, program_id, zip_code="00000")
    assert response.status_code == 422
    assert "We don&#39;t know the ZIP code 00000" in response.get_data(as_text=True)
    assert lead_count(app) == 0


def test_online_program_serves_its_states(app, client):
    online = listing(app, modality="online", states=("IL",))
    assert submit(client, online, zip_code="62701").status_code == 303  # Springfield, IL
    assert submit(client, online, zip_code="46204").status_code == 422  # Indianapolis, IN
    assert lead_count(app) == 1


def test_failed_submit_keeps_the_answers(app, client, program_id):
    response = submit(client, program_id, email="not-an-email", consent=None)
    html = response.get_data(as_text=True)
    values = form_inputs(html)
    assert response.status_code == 422
    assert values["first_name"] == "Jane" and values["email"] == "not-an-email"
    assert values["phone"] == "+13125550142" and values["zip_code"] == "60601"
    assert '<option selected value="high_school">' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="email-error"' in html
    assert "Tick the box to agree" in html
    assert lead_count(app) == 0


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_missing_or_wrong_csrf_token_is_rejected(app, client, program_id, token):
    response = submit(client, program_id, csrf_token=token)
    assert response.status_code == 400
    assert lead_count(app) == 0


def test_csrf_token_of_another_session_is_rejected(app, program_id):
    other_token = open_form(app.test_client(), program_id)["csrf_token"]
    response = submit(app.test_client(), program_id, csrf_token=other_token)
    assert response.status_code == 400
    assert lead_count(app) == 0


@pytest.mark.parametrize(
    "bot",
    [
        {"website": "http://spam.example"},
        {"started": None},
        {"started": "forged.stamp.value"},
        # A bot's ZIP is never validated; NUL in it made the thank-you page a 500 on PostgreSQL.
        {"website": "http://spam.example", "zip_code": "6\x00601"},
        {"started": None, "zip_code": "<b>60601</b>"},
    ],
)
def test_bots_are_quietly_dropped(app, client, program_id, bot):
    response = submit(client, program_id, **bot)
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert lead_count(app) == 0


def test_a_form_sent_back_too_fast_asks_to_confirm_with_answers_and_stamp_kept(
    app, client, program_id
):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    form = open_form(client, program_id)
    response = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS})
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # nothing wrong, nothing sent: not a thank-you page
    assert "Please confirm your request" in html and "Nothing has been sent yet" in html
    assert ">Confirm request</button>" in html
    kept = form_inputs(html)
    assert kept["first_name"] == "Jane" and kept["zip_code"] == "60601"
    assert kept["email"] == "jane.doe@example.com"
    assert " checked " in re.search(r'<input [^>]*name="consent"[^>]*>', html).group(0)
    assert kept["started"] == form["started"] and kept["confirmation"]
    assert lead_count(app) == 0
    # The visitor presses Confirm at once (well within the 60 seconds): the request is sent.
    confirmed = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS} | kept)
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/requests/thanks"
    assert lead_count(app) == 1


def test_a_confirmation_posted_again_and_again_stores_one_lead(app, client, program_id):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    form = open_form(client, program_id)
    asked = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS})
    confirmation = {**form, **GOOD_ANSWERS} | form_inputs(asked.get_data(as_text=True))
    answers = [
        client.post(form_url(program_id), data=confirmation | {"email": f"p{n}@example.com"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [303] * 3
    assert [lead.email for lead in all_leads(app)] == ["p0@example.com"]


@pytest.mark.parametrize("whose", ["forged", "another form", "another session"])
def test_a_confirmation_counts_only_for_its_own_form_and_session(app, client, program_id, whose):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    other = app.test_client() if whose == "another session" else client
    first = open_form(other, program_id)
    asked = other.post(form_url(program_id), data={**first, **GOOD_ANSWERS})
    confirmation = form_inputs(asked.get_data(as_text=True))["confirmation"]
    if whose == "forged":
        confirmation = confirmation[:-2] + ("AA" if confirmation[-2:] != "AA" else "BB")
    form = open_form(client, program_id)  # a newly shown form, sent back at once
    response = client.post(
        form_url(program_id), data={**form, **GOOD_ANSWERS, "confirmation": confirmation}
    )
    assert response.status_code == 200
    assert "Please confirm your request" in response.get_data(as_text=True)
    assert lead_count(app) == 0


def test_a_form_sent_back_too_fast_with_mistakes_shows_them_too(app, client, program_id):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    response = submit(client, program_id, phone="12")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please confirm your request" in html and "Enter a valid US phone number" in html
    assert lead_count(app) == 0


def test_a_filled_honeypot_stays_silent_even_when_fast(app, client, program_id):
    app.config["LEAD_MIN_FILL_SECONDS"] = 60
    response = submit(client, program_id, website="http://spam.example")
    assert response.status_code == 303
    assert lead_count(app) == 0


def test_a_stamp_for_another_program_is_a_bot(app, client, program_id):
    other = listing(app)
    stamp = open_form(client, other)["started"]
    assert submit(client, program_id, started=stamp).status_code == 303
    assert lead_count(app) == 0


def test_changed_consent_wording_asks_for_consent_again(app, client, program_id):
    form = open_form(client, program_id)
    with app.app_context():
        db.session.get(Program, program_id).school.name = "Lakeshore Medical College"
        db.session.commit()
    response = client.post(form_url(program_id), data={**form, **GOOD_ANSWERS})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The consent wording has changed" in html and "Lakeshore Medical College may" in html
    assert lead_count(app) == 0


def test_same_email_for_same_program_is_one_billable_lead(app, client, program_id):
    first = submit(client, program_id)
    second = submit(client, program_id, email="jane.doe@EXAMPLE.com", phone="312 555 0199")
    assert first.status_code == second.status_code == 303
    # The pages are the same but for the thank-you token's signing time (it may tick over).
    pages = [client.get(r.headers["Location"]).get_data(as_text=True) for r in (first, second)]
    assert pages[0] == pages[1]
    leads = all_leads(app)
    assert [lead.billable for lead in leads] == [True, False]
    assert leads[1].duplicate_of_id == leads[0].id and leads[1].price_cents == 0
    with app.app_context():
        assert db.session.get(Program, program_id).sponsorship.day_count == 1


def test_attribution_comes_from_the_landing_page_and_is_never_overwritten(app, client, program_id):
    client.get(
        "/programs?utm_source=newsletter&utm_medium=email&utm_campaign=fall&utm_term=mom"
        "&utm_content=top",
        headers={"Referer": "https://mail.example.com/inbox"},
    )
    client.get("/programs?utm_source=other", headers={"Referer": "https://elsewhere.example/"})
    submit(client, program_id)
    [lead] = all_leads(app)
    assert lead.referrer == "https://mail.example.com/inbox"
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("newsletter", "email", "fall")
    assert (lead.utm_term, lead.utm_content) == ("mom", "top")


def test_nul_bytes_in_attribution_and_headers_are_stored_as_replacement_characters(
    app, client, program_id
):
    # PostgreSQL refuses NUL in text: this was a 500 there, and a NUL stored on SQLite.
    client.get("/programs?utm_source=news%00letter", headers={"Referer": "https://a.example/\x00"})
    response = submit(client, program_id, headers={"User-Agent": "Bot\x00/1.0"})
    assert response.status_code == 303
    [lead] = all_leads(app)
    assert lead.utm_source == "news\ufffdletter"
    assert lead.referrer == "https://a.example/\ufffd"
    assert lead.user_agent == "Bot\ufffd/1.0"


def test_no_landing_page_means_empty_attribution(app, program_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["landing"] = "garbage"
    submit(client, program_id)
    [lead] = all_leads(app)
    assert (lead.referrer, lead.utm_source) == ("", "")


def test_ip_address_is_read_behind_the_configured_proxy(database_url, app, program_id):
    proxied = create_app(base_settings(database_url) | {"PROXY_COUNT": 1})
    proxied.config["LEAD_MIN_FILL_SECONDS"] = 0
    client = proxied.test_client()
    headers = {"X-Forwarded-For": "198.51.100.7"}
    client.get(form_url(program_id), headers=headers)
    assert submit(client, program_id, headers=headers).status_code == 303
    spoofed = {"X-Forwarded-For": "203.0.113.9, 198.51.100.8"}
    submit(client, program_id, headers=spoofed, email="second@example.com")
    with proxied.app_context():
        dispose_engines()
    assert [lead.ip_address for lead in all_leads(app)] == ["198.51.100.7", "198.51.100.8"]


def test_rate_limit_answers_429_with_a_friendly_page(database_url, app, program_id):
    limited = create_app(
        base_settings(database_url) | {"RATELIMIT_ENABLED": True, "LEAD_RATE_LIMIT": "3 per minute"}
    )
    limited.config["LEAD_MIN_FILL_SECONDS"] = 0
    client = limited.test_client()
    codes = [submit(client, program_id, email=f"n{i}@example.com").status_code for i in range(4)]
    page = submit(client, program_id, email="last@example.com")
    with limited.app_context():
        dispose_engines()
    assert codes == [303, 303, 303, 429]
    assert page.status_code == 429
    assert "Please wait a minute and try again" in page.get_data(as_text=True)
    assert lead_count(app) == 3


def test_a_submission_writes_no_personal_data_to_the_logs(app, client, program_id, caplog):
    app.config["SQLALCHEMY_ECHO"] = False
    with caplog.at_level(logging.DEBUG):
        submit(client, program_id, first_name="Quentinella", last_name="Marchbanks")
        submit(client, program_id, first_name="Quentinella", email="bad")  # a 422 too
    assert lead_count(app) == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(str(record.args) for record in caplog.records)
    assert "lead captured for program" in logged  # the log was captured at all
    for secret in ["Quentinella", "Marchbanks", "jane.doe", "Jane.Doe", "5550142", "555-0142"]:
        assert secret not in logged


def test_school_program_and_price_come_from_the_listing_not_the_form(app, client, program_id):
    other = listing(app, bid_cents=1)
    submit(client, program_id, program_id=str(other), school_id="999", price_cents="1")
    [lead] = all_leads(app)
    with app.app_context():
        school_id = db.session.get(Program, program_id).school_id
    assert (lead.program_id, lead.school_id, lead.price_cents) == (program_id, school_id, 3100)
