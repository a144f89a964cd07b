"""Contact messages as stored for the admins (once per form, listed, marked handled,
deleted), and opt-out requests done at once and recorded (once per form, with a reference);
their contents never logged."""

import logging
import re
from datetime import UTC, datetime

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
    new_reference,
    open_privacy_requests,
    opt_out,
    save_contact_message,
    set_message_handled,
)
from tests.support.factories import make_admin, make_open_privacy_request

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

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


def test_opt_outs_are_done_at_once_once_per_form_each_with_its_own_reference(app):
    with app.app_context():
        first = opt_out(OptOutDraft("a@example.com", None, "CA"), "r-1", NOW)
        second = opt_out(OptOutDraft("b@example.com", "+13125550199", None), "r-2", NOW)
        # The same form again (a double click) answers with the reference it got.
        assert opt_out(OptOutDraft("c@example.com", None, None), "r-2", NOW) == second
        assert first != second
        assert all(
            re.fullmatch(r"DNS-[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", r) for r in (first, second)
        )
        assert open_privacy_requests() == []
        done = closed_privacy_requests()
        assert [r.reference for r in done] == [second, first]
        assert all(r.email is None and r.name is None and r.closed_by_id is None for r in done)
        assert done[1].state == "CA" and done[0].outcome.startswith(
            "Done at once: the email and phone went on the suppression list; "
        )


def test_references_are_random(app):
    assert len({new_reference() for _ in range(200)}) == 200


def test_requests_left_open_from_before_are_listed_oldest_first(app):
    with app.app_context():
        first = make_open_privacy_request("a@example.com", None, "CA", "r-1")
        second = make_open_privacy_request("b@example.com", "B", None, "r-2")
        assert [r.id for r in open_privacy_requests()] == [first, second]
        assert closed_privacy_requests() == []


def test_nothing_a_visitor_wrote_reaches_the_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        save_contact_message(DRAFT, "nonce-1")
        opt_out(OptOutDraft("secret@example.com", "+13125550199", "CA"), "r-1", NOW)
    logged = caplog.text
    assert "contact message 1 stored" in logged and "privacy request 1 stored" in logged
    for text in ("Pat Doe", "pat@example.com", "phone number", "secret@example.com", "5550199"):
        assert text not in logged
