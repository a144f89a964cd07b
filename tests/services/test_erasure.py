"""Deleting a person's data and closing their privacy requests: everything of one address goes
(in any case), the record keeps counts and what was done, never the address."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ContactMessage, DataDeletion, Lead, PrivacyRequest
from portal.services.erasure import (
    NoteRequired,
    PrivacyRequestNotFound,
    close_privacy_request,
    delete_person_data,
    recent_deletions,
)
from portal.services.inbox import ContactDraft, save_contact_message
from tests.support.factories import make_admin, make_lead, make_open_privacy_request, make_program

EMAIL = "pat.doe@example.com"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def everything_of(email: str) -> str:
    """Every row of every table holding personal data, as text, to look for an address in."""
    rows = []
    for model in (Lead, ContactMessage, PrivacyRequest, DataDeletion):
        rows += [str(vars(row)) for row in db.session.scalars(select(model))]
    return "\n".join(rows).lower()


@pytest.fixture
def person(app):
    """Two leads and a message of EMAIL, a lead and a message of someone else, an admin."""
    with app.app_context():
        program = make_program()
        first = make_lead(program, email=EMAIL)
        make_lead(program, email=EMAIL.upper(), billable=False, duplicate_of_id=first.id)
        make_lead(program, email="other@example.com")
        save_contact_message(ContactDraft("Pat", " Pat.Doe@Example.com", "privacy", "Hi"), "n-1")
        save_contact_message(ContactDraft("Sam", "sam@example.com", "other", "Hello"), "n-2")
        return make_admin().id


def test_deleting_a_persons_data_keeps_only_the_counts(app, person):
    with app.app_context():
        deleted = delete_person_data(EMAIL.upper(), person)
        assert (deleted.leads, deleted.messages) == (2, 1)
        assert (count(Lead), count(ContactMessage)) == (1, 1)
        record = db.session.scalars(select(DataDeletion)).one()
        assert (record.rows_deleted, record.messages_deleted, record.admin_id) == (2, 1, person)
        assert "pat.doe" not in everything_of(EMAIL)
        assert recent_deletions() == [record]


def test_a_deletion_closes_the_persons_open_requests(app, person):
    with app.app_context():
        request_id = make_open_privacy_request(EMAIL, "Pat Doe", "CA", "r-1")
        other_id = make_open_privacy_request("sam@example.com", None, None, "r-2")
        deleted = delete_person_data(EMAIL, person)
        closed = db.session.get(PrivacyRequest, request_id)
        assert closed.closed_at is not None and closed.closed_by_id == person
        assert (closed.email, closed.name, closed.state) == (None, None, "CA")
        assert closed.data_deletion_id == deleted.record.id and closed.leads_deleted == 2
        assert "2 request(s) for information and 1 contact message(s)" in closed.outcome
        assert db.session.get(PrivacyRequest, other_id).closed_at is None


def test_closing_a_request_with_a_deletion(app, person):
    with app.app_context():
        request_id = make_open_privacy_request(EMAIL, None, "CA", "r-1")
        closed = close_privacy_request(request_id, person, delete_data=True, note="Verified.")
        assert closed.outcome.startswith("Data deleted (deletion ")
        assert closed.outcome.endswith("Note: Verified.")
        assert count(Lead) == 1 and "pat.doe" not in everything_of(EMAIL)


def test_closing_a_request_without_a_deletion_needs_a_note(app, person):
    with app.app_context():
        request_id = make_open_privacy_request(EMAIL, "Pat", None, "r-1")
        with pytest.raises(NoteRequired):
            close_privacy_request(request_id, person, delete_data=False, note="  ")
        still = db.session.get(PrivacyRequest, request_id)
        assert still.closed_at is None and still.email == EMAIL
        closed = close_privacy_request(request_id, person, delete_data=False, note="A repeat.")
        assert closed.outcome == "Closed without deleting data: A repeat."
        assert closed.email is None and closed.data_deletion_id is None
        assert count(Lead) == 3  # nothing deleted
        with pytest.raises(PrivacyRequestNotFound):  # closed already
            close_privacy_request(request_id, person, delete_data=True)
        with pytest.raises(PrivacyRequestNotFound):
            close_privacy_request(999, person, delete_data=True)


def test_the_database_keeps_an_open_request_s_address(app, person):
    with app.app_context():
        db.session.add(PrivacyRequest(kind="opt_out", email=None, form_nonce="x"))
        with pytest.raises(Exception, match="(?i)check|constraint"):
            db.session.commit()
        db.session.rollback()
