"""The admin's inbox: contact messages (list, handled, delete), and "Do Not Sell or Share"
requests listed on the data deletion page and acted on there, recorded without the address."""

import logging
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ContactMessage, Lead, PrivacyRequest
from portal.services.inbox import ContactDraft, save_contact_message
from tests.support.factories import make_lead, make_open_privacy_request, make_program
from tests.support.forms import csrf_token

DELETE_PAGE = "/admin/privacy/delete"


@pytest.fixture
def inbox(app) -> dict:
    """Two messages (one with markup in it), an open opt-out request, and the leads of its
    address."""
    with app.app_context():
        first = save_contact_message(
            ContactDraft("Pat Doe", "pat@example.com", "listing", "Line one\nLine two"), "m-1"
        )
        second = save_contact_message(
            ContactDraft("Sam Roe", "sam@example.com", "other", "<script>alert(1)</script>"), "m-2"
        )
        program = make_program()
        make_lead(program, email="opt.out@example.com")
        make_lead(program, email="stays@example.com")
        request_id = make_open_privacy_request("opt.out@example.com", "Kim Lee", "CA", "r-1")
        return {"messages": [first, second], "request": request_id}


def test_messages_are_listed_newest_first_escaped_with_their_actions(admin_client, inbox):
    html = admin_client.get("/admin/messages").get_data(as_text=True)
    assert html.index("Sam Roe") < html.index("Pat Doe")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Line one\nLine two" in html and 'href="mailto:pat@example.com"' in html
    assert "2 messages." in html
    for message_id in inbox["messages"]:
        assert f'action="/admin/messages/{message_id}/handled?next=/admin/messages"' in html
    nav = re.search(r'<nav class="admin-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/admin/messages" aria-current="page">Messages</a>' in nav


def test_a_message_is_marked_handled_and_listed_apart(app, admin_client, admin, inbox):
    first = inbox["messages"][0]
    token = csrf_token(admin_client, "/admin/messages")
    url = f"/admin/messages/{first}/handled?next=/admin/messages"
    response = admin_client.post(url, data={"csrf_token": token, "handled": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/messages"
    with app.app_context():
        assert db.session.get(ContactMessage, first).handled_by_id == admin["id"]
    html = admin_client.get("/admin/messages?show=open").get_data(as_text=True)
    assert "Sam Roe" in html and "Pat Doe" not in html and "1 message." in html
    html = admin_client.get("/admin/messages").get_data(as_text=True)
    assert "handled" in html and f"by {admin['email']}" in html


def test_a_message_is_deleted(app, admin_client, inbox):
    first = inbox["messages"][0]
    token = csrf_token(admin_client, "/admin/messages")
    response = admin_client.post(f"/admin/messages/{first}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ContactMessage, first) is None
    assert (
        admin_client.post("/admin/messages/999/delete", data={"csrf_token": token}).status_code
        == 404
    )


def test_message_actions_need_csrf_and_good_values(admin_client, inbox):
    first = inbox["messages"][0]
    assert admin_client.post(f"/admin/messages/{first}/delete").status_code == 400
    token = csrf_token(admin_client, "/admin/messages")
    bad = {"csrf_token": token, "handled": "yes"}
    assert admin_client.post(f"/admin/messages/{first}/handled", data=bad).status_code == 400
    assert admin_client.get("/admin/messages?page=0").status_code == 400


def test_open_requests_are_shown_on_the_deletion_page(admin_client, inbox):
    html = admin_client.get(DELETE_PAGE).get_data(as_text=True)
    assert "opt.out@example.com" in html and "(Kim Lee)" in html and "CA" in html
    close_url = f"/admin/privacy/requests/{inbox['request']}/close"
    assert html.count(f'action="{close_url}"') == 2  # delete and close, or close with a note


def test_acting_on_a_request_deletes_the_data_and_records_it_without_the_address(
    app, admin_client, inbox
):
    token = csrf_token(admin_client, DELETE_PAGE)
    url = f"/admin/privacy/requests/{inbox['request']}/close"
    response = admin_client.post(url, data={"csrf_token": token, "action": "delete"})
    assert response.status_code == 302 and response.headers["Location"] == DELETE_PAGE
    html = admin_client.get(DELETE_PAGE).get_data(as_text=True)
    assert "opt.out@example.com" not in html and "Kim Lee" not in html
    assert "Data deleted (deletion 1): 1 request(s) for information" in html
    with app.app_context():
        assert db.session.scalars(select(Lead.email)).all() == ["stays@example.com"]
        request = db.session.get(PrivacyRequest, inbox["request"])
        assert request.closed_at and request.email is None and request.data_deletion_id == 1
    again = admin_client.post(url, data={"csrf_token": token, "action": "delete"})
    assert again.status_code == 404


def test_closing_without_deleting_needs_a_note_beside_the_request(app, admin_client, inbox):
    token = csrf_token(admin_client, DELETE_PAGE)
    url = f"/admin/privacy/requests/{inbox['request']}/close"
    response = admin_client.post(url, data={"csrf_token": token, "action": "close", "note": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error_id = f"note-{inbox['request']}-error"
    assert f'<p class="field-error" id="{error_id}" role="alert">Say what was done' in html
    note = {"csrf_token": token, "action": "close", "note": "No data held; confirmed by email."}
    assert admin_client.post(url, data=note).status_code == 302
    with app.app_context():
        request = db.session.get(PrivacyRequest, inbox["request"])
        assert request.outcome == "Closed without deleting data: No data held; confirmed by email."
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 2


def test_a_note_with_control_characters_is_refused_beside_the_request(admin_client, inbox):
    token = csrf_token(admin_client, DELETE_PAGE)
    url = f"/admin/privacy/requests/{inbox['request']}/close"
    data = {"csrf_token": token, "action": "close", "note": "no\x00data"}
    response = admin_client.post(url, data=data)
    assert response.status_code == 422
    assert "Remove the invisible control characters." in response.get_data(as_text=True)


def test_closing_needs_csrf_and_a_known_action(admin_client, inbox):
    url = f"/admin/privacy/requests/{inbox['request']}/close"
    assert admin_client.post(url, data={"action": "delete"}).status_code == 400
    token = csrf_token(admin_client, DELETE_PAGE)
    assert admin_client.post(url, data={"csrf_token": token, "action": "x"}).status_code == 400


def test_the_deletion_form_deletes_messages_too_and_closes_requests(app, admin_client, inbox):
    token = csrf_token(admin_client, DELETE_PAGE)
    data = {"csrf_token": token, "email": "PAT@example.com", "confirm": "y"}
    response = admin_client.post(DELETE_PAGE, data=data, follow_redirects=True)
    assert "Deleted 0 request(s) and 1 contact message(s)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactMessage)) == 1


def test_inbox_pages_log_no_personal_data(admin_client, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    admin_client.get("/admin/messages")
    admin_client.get(DELETE_PAGE)
    assert "pat@example.com" not in caplog.text and "opt.out@example.com" not in caplog.text
