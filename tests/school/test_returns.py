"""Returning leads: the window's edges in UTC days, approval (not billable, credited) and
denial, one return per lead, and what the school's pages show."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, LeadNote, LeadReturn, today_utc, utcnow
from portal.services.lead_returns import decide_return, request_return
from portal.services.lead_status import Editor, StatusChange, change_status
from portal.services.school_leads import Actor
from tests.support.factories import make_admin, make_lead
from tests.support.forms import csrf_token, sign_in, sign_in_school


def received_days_ago(days: int, at: time = time(0, 0, 1)) -> datetime:
    """A capture time on the UTC day `days` before today."""
    return datetime.combine(today_utc() - timedelta(days=days), at, tzinfo=UTC)


def post_return(client, lead_id: int, reason="wrong_number", text=""):
    token = csrf_token(client, f"/school/leads/{lead_id}")
    return client.post(
        f"/school/leads/{lead_id}/return",
        data={"csrf_token": token, "reason": reason, "text": text},
    )


@pytest.mark.parametrize(
    ("days", "at", "allowed"),
    [
        (0, time(0, 0, 1), True),
        (30, time(0, 0, 1), True),  # day 30, received at its first second: still allowed
        (30, time(23, 59, 59), True),
        (31, time(23, 59, 59), False),  # day 31, even received at its last second
        (90, time(12), False),
    ],
)
def test_the_return_window_counts_utc_days(app, school_client, schools, days, at, allowed):
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Lead, a.lead_ids[0]).program
        lead_id = make_lead(program, created_at=received_days_ago(days, at)).id
    page = school_client.get(f"/school/leads/{lead_id}").get_data(as_text=True)
    assert ("Return this lead" in page) is allowed
    response = post_return(school_client, lead_id)
    assert response.status_code == (303 if allowed else 409)
    with app.app_context():
        returned = db.session.scalar(select(LeadReturn).where(LeadReturn.lead_id == lead_id))
        assert (returned is not None) is allowed
    if not allowed:
        assert "can no longer be" in response.get_data(as_text=True)


def test_a_shorter_window_from_the_setting(app, school_client, schools):
    app.config["LEAD_RETURN_DAYS"] = 7
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Lead, a.lead_ids[0]).program
        day7 = make_lead(program, created_at=received_days_ago(7)).id
        day8 = make_lead(program, created_at=received_days_ago(8)).id
    assert post_return(school_client, day7).status_code == 303
    assert post_return(school_client, day8).status_code == 409


def test_other_needs_words_and_a_lead_is_returned_once(app, school_client, schools):
    lead_id = schools["A"].lead_ids[0]
    response = post_return(school_client, lead_id, reason="other")
    assert response.status_code == 422
    assert "Say why the lead is returned." in response.get_data(as_text=True)
    assert post_return(school_client, lead_id, reason="other", text="A test").status_code == 303
    assert post_return(school_client, lead_id).status_code == 409
    page = school_client.get(f"/school/leads/{lead_id}").get_data(as_text=True)
    assert "Waiting for a decision" in page and "Return this lead" not in page


def decide(admin_client, return_id: int, decision: str, note: str):
    token = csrf_token(admin_client, "/admin/returns")
    return admin_client.post(
        f"/admin/returns/{return_id}",
        data={
            f"return-{return_id}-csrf_token": token,
            f"return-{return_id}-decision": decision,
            f"return-{return_id}-note": note,
        },
    )


def test_approval_makes_the_lead_not_billable_and_denial_does_not(app, client, schools):
    a = schools["A"]
    approved, denied = a.lead_ids[0], a.lead_ids[1]
    assert sign_in_school(client, a.user_email).status_code == 302
    assert post_return(client, approved).status_code == 303
    assert post_return(client, denied, reason="duplicate").status_code == 303
    with app.app_context():
        make_admin()
        ids = {row.lead_id: row.id for row in db.session.scalars(select(LeadReturn))}
    assert sign_in(client).status_code == 302
    page = client.get("/admin/returns").get_data(as_text=True)
    assert "Wrong number" in page and "Duplicate" in page
    assert decide(client, ids[approved], "approve", "Number out of service.").status_code == 303
    assert decide(client, ids[denied], "deny", "We reached them.").status_code == 303
    assert decide(client, ids[denied], "approve", "").status_code == 409
    assert decide(client, ids[approved], "", "").status_code == 422
    with app.app_context():
        assert db.session.get(Lead, approved).billable is False
        assert db.session.get(Lead, denied).billable is True
        notes = db.session.scalars(select(LeadNote.body).where(LeadNote.lead_id == approved))
        assert list(notes) == ["Return approved (Wrong number): Number out of service."]
    assert sign_in_school(client, a.user_email).status_code == 302
    page = client.get("/school/returns").get_data(as_text=True)
    assert "Approved" in page and "Denied" in page and "We reached them." in page


def test_taking_back_a_rejected_returned_lead_keeps_it_not_billable(app, schools):
    a = schools["A"]
    lead_id = a.lead_ids[0]
    with app.app_context():
        now = utcnow()
        row = request_return(a.id, lead_id, "wrong_number", "", Actor("s@x"), now, 30)
        decide_return(row.id, True, "", Editor("ops"), now)
        editor = Editor("ops")
        change_status([lead_id], StatusChange("rejected", "test"), editor, now)
        change_status([lead_id], StatusChange("new"), editor, now)
        assert db.session.get(Lead, lead_id).billable is False


def test_a_lead_that_is_not_billed_cannot_be_returned(app, school_client, schools):
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Lead, a.lead_ids[0]).program
        repeat = make_lead(program, billable=False, duplicate_of_id=a.lead_ids[0]).id
    page = school_client.get(f"/school/leads/{repeat}").get_data(as_text=True)
    assert "not billed" in page
    assert post_return(school_client, repeat).status_code == 409
