"""Contact messages and privacy requests as stored for the admins: once per form, listed,
marked handled, deleted; their contents never logged."""

import logging

import pytest

from portal.extensions import db
from portal.models import ContactMessage
from portal.services.inbox import (
    AlreadySent,
    ContactDraft,
    MessageNotFound,
    OptOutDraft,
    closed_privacy_requests,
    delete_message,
    list_messages,
    open_privacy_requests,
    save_contact_message,
    save_privacy_request,
    set_message_handled,
)
from tests.support.factories import make_admin

DRAFT = ContactDraft("Pat Doe", "pat@example.com", "listing", "The phone number is wrong.")


def test_a_form_stores_one_message_however_often_it_is_sent(app):
    with app.app_context():
        first = save_contact_message(DRAFT, "nonce-1")
        with pytest.raises(AlreadySent):
            save_contact_message(DRAFT, "nonce-1")
        second = save_contact_message(DRAFT, "nonce-2")
        assert [m.id for m in list_messages().items] == [second, first]


def test_messages_are_marked_handled_listed_and_deleted(app):
    with app.app_context():
        admin_id = make_admin().id
        first = save_contact_message(DRAFT, "nonce-1")
        second = save_contact_message(DRAFT, "nonce-2")
        handled = set_message_handled(first, admin_id, True)
        assert handled.handled_at is not None and handled.handled_by_id == admin_id
        assert [m.id for m in list_messages(open_only=True).items] == [second]
        assert set_message_handled(first, admin_id, False).handled_at is None
        delete_message(second)
        assert db.session.get(ContactMessage, second) is None
        with pytest.raises(MessageNotFound):
            delete_message(second)
        with pytest.raises(MessageNotFound):
            set_message_handled(999, admin_id, True)


def test_requests_are_listed_open_oldest_first(app):
    with app.app_context():
        first = save_privacy_request(OptOutDraft("a@example.com", None, "CA"), "r-1")
        second = save_privacy_request(OptOutDraft("b@example.com", "B", None), "r-2")
        with pytest.raises(AlreadySent):
            save_privacy_request(OptOutDraft("c@example.com", None, None), "r-2")
        assert [r.id for r in open_privacy_requests()] == [first, second]
        assert closed_privacy_requests() == []


def test_nothing_a_visitor_wrote_reaches_the_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        save_contact_message(DRAFT, "nonce-1")
        save_privacy_request(OptOutDraft("secret@example.com", "Secret Name", "CA"), "r-1")
    logged = caplog.text
    assert "contact message 1 stored" in logged and "privacy request 1 stored" in logged
    for text in ("Pat Doe", "pat@example.com", "phone number", "secret@example.com", "Secret"):
        assert text not in logged
