"""The form's signed stamp: one stored lead per form shown, to the session it was shown to,
for a few hours; and listings that take no requests answer bots as they answer people."""

import threading
import time

from itsdangerous.timed import TimestampSigner

from portal.extensions import db
from portal.models import Program
from tests.support.forms import form_inputs
from tests.support.leads import (
    GOOD_ANSWERS,
    all_leads,
    fill_today,
    form_url,
    lead_count,
    listing,
    open_form,
)


def post(client, program_id: int, form: dict, **answers):
    """POST a form opened earlier, with GOOD_ANSWERS changed by `answers`."""
    return client.post(form_url(program_id), data={**form, **GOOD_ANSWERS, **answers})


def test_one_form_stores_one_lead_however_often_it_is_sent(app, client, program_id):
    form = open_form(client, program_id)
    answers = [post(client, program_id, form, email=f"person{n}@example.com") for n in range(4)]
    assert [a.status_code for a in answers] == [303] * 4
    assert [lead.email for lead in all_leads(app)] == ["person0@example.com"]


def test_a_double_click_sees_the_thank_you_page_both_times(app, client, program_id):
    form = open_form(client, program_id)
    first, second = post(client, program_id, form), post(client, program_id, form)
    assert first.headers["Location"] == second.headers["Location"] == "/requests/thanks"
    assert "your request has been sent" in client.get("/requests/thanks").get_data(as_text=True)
    assert lead_count(app) == 1


def test_a_stamp_pasted_into_another_session_stores_nothing(app, program_id):
    shown_to_one = open_form(app.test_client(), program_id)
    other = app.test_client()
    form = open_form(other, program_id) | {"started": shown_to_one["started"]}
    response = post(other, program_id, form)
    assert response.status_code == 303  # answered like any bot: quietly
    assert lead_count(app) == 0
    assert post(other, program_id, open_form(other, program_id)).status_code == 303
    assert lead_count(app) == 1  # the session's own stamp still works


def test_a_form_sent_together_from_many_threads_stores_one_lead(app, program_id):
    client = app.test_client()
    form = open_form(client, program_id)
    cookie = client.get_cookie("session").value
    barrier = threading.Barrier(10)
    statuses, errors = [], []

    def send(n: int) -> None:
        try:
            visitor = app.test_client()
            visitor.set_cookie("session", cookie)
            barrier.wait(timeout=30)
            statuses.append(post(visitor, program_id, form, email=f"t{n}@example.com").status_code)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and statuses == [303] * 10
    assert lead_count(app) == 1


def test_a_form_kept_open_too_long_is_shown_again_with_the_answers_and_a_new_stamp(
    app, client, program_id, monkeypatch
):
    hours = app.config["LEAD_FORM_MAX_AGE_HOURS"]
    now = time.time()
    with monkeypatch.context() as patch:  # the form is shown 3 hours and a minute ago
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - hours * 3600 - 60))
        form = open_form(client, program_id)
    response = post(client, program_id, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"open for more than {hours:g} hours" in html
    kept = form_inputs(html)
    assert kept["first_name"] == "Jane" and kept["started"] != form["started"]
    assert lead_count(app) == 0
    assert post(client, program_id, form | {"started": kept["started"]}).status_code == 303
    assert lead_count(app) == 1


def test_a_form_within_its_time_is_accepted(app, client, program_id, monkeypatch):
    hours = app.config["LEAD_FORM_MAX_AGE_HOURS"]
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - hours * 3600 + 60))
        form = open_form(client, program_id)
    assert post(client, program_id, form).status_code == 303
    assert lead_count(app) == 1


def test_a_bots_form_for_a_listing_deactivated_since_is_a_404_not_a_thank_you(app, client):
    program_id = listing(app)
    form = open_form(client, program_id)
    with app.app_context():
        db.session.get(Program, program_id).is_active = False
        db.session.commit()
    response = post(client, program_id, form, website="spam")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert client.get("/requests/thanks").status_code == 404


def test_a_bots_form_for_a_full_listing_is_told_it_takes_no_requests(app, client):
    program_id = listing(app, daily_cap=1)
    form = open_form(client, program_id)
    fill_today(app, program_id)
    response = post(client, program_id, form, website="spam")
    assert response.status_code == 409
    assert "no longer taking requests" in response.get_data(as_text=True)


def test_ids_a_database_integer_cannot_hold_are_404(client):
    for program_id in ("2147483648", "9" * 23, "0"):
        assert client.get(f"/programs/{program_id}/request-info").status_code == 404
        assert client.post(f"/programs/{program_id}/request-info").status_code == 404
    assert client.get("/programs/2147483647/request-info").status_code == 404  # no such row
