"""Statements: billed leads by program and price, approved returns as credits in the month of
approval (naming the lead), the total; a closed month never changes; every school's totals."""

from datetime import UTC, date, datetime, timedelta

from portal.extensions import db
from portal.models import Lead, Program, utcnow
from portal.services.lead_returns import decide_return, request_return
from portal.services.lead_status import Editor
from portal.services.school_leads import Actor
from portal.services.statements import (
    month_totals,
    next_month,
    parse_month,
    statement,
    statement_csv,
)
from tests.support.factories import make_lead, make_program, make_school

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def at(day: int, month: int = 10, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def approve(school_id: int, lead_id: int, when: datetime) -> None:
    row = request_return(school_id, lead_id, "disconnected", "", Actor("s@x"), when, 60)
    decide_return(row.id, True, "", Editor("ops"), when)


def test_a_closed_month_never_changes_and_a_later_approval_is_credited_later(app):
    with app.app_context():
        school = make_school("Cedar College")
        nursing = make_program(school, title="Nursing Assistant")
        billing = make_program(school, title="Medical Billing")
        first = make_lead(nursing, created_at=at(3), price_cents=2500)
        make_lead(nursing, created_at=at(9), price_cents=2500)
        make_lead(nursing, created_at=at(20), price_cents=3000)  # the bid changed
        make_lead(billing, created_at=at(31, hour=23), price_cents=1800)
        make_lead(billing, created_at=at(1, 11), price_cents=1800)  # November
        make_lead(billing, created_at=at(5), billable=False, duplicate_of_id=first.id)

        before = statement(school.id, OCTOBER, at(2, 11))
        assert before.closed
        assert [(x.program, x.price_cents, x.quantity) for x in before.charges] == [
            ("Medical Billing", 1800, 1),
            ("Nursing Assistant", 2500, 2),
            ("Nursing Assistant", 3000, 1),
        ]
        assert before.credits == [] and before.total_cents == 9800

        approve(school.id, first.id, at(5, 11))
        db.session.execute(db.update(Program).values(title="Renamed"))
        db.session.commit()
        after = statement(school.id, OCTOBER, at(6, 11))
        assert after == before  # closed in words and cents: nothing moved

        november = statement(school.id, NOVEMBER, at(6, 11))
        assert not november.closed
        assert [(x.kind, x.lead_id, x.amount_cents) for x in november.lines] == [
            ("charge", None, 1800),
            ("credit", first.id, -2500),
        ]
        assert november.total_cents == -700
        csv_text = statement_csv(november).decode()
        assert (
            f"2026-11,credit,Renamed,{nursing.id},{first.id},2026-10-03 12:00:00,25.00,1,-25.00"
            in (csv_text)
        )
        assert csv_text.endswith("2026-11,total,,,,,,,-7.00\r\n")


def test_an_approval_within_the_month_charges_and_credits_it_alike(app):
    with app.app_context():
        school = make_school()
        program = make_program(school)
        lead = make_lead(program, created_at=at(3), price_cents=2000)
        approve(school.id, lead.id, at(4))
        october = statement(school.id, OCTOBER, at(1, 11))
        assert october.charged_cents == 2000 and october.credited_cents == 2000
        assert october.total_cents == 0
        assert db.session.get(Lead, lead.id).billable is False


def test_a_month_first_read_after_a_later_approval_still_charges_the_lead(app):
    with app.app_context():
        school = make_school()
        lead = make_lead(make_program(school), created_at=at(30), price_cents=2000)
        approve(school.id, lead.id, at(3, 11))
        assert statement(school.id, OCTOBER, at(4, 11)).total_cents == 2000
        assert statement(school.id, NOVEMBER, at(4, 11)).total_cents == -2000


def test_every_schools_statements_and_the_months_totals(app, admin_client):
    with app.app_context():
        one, two = make_school("One School"), make_school("Two School")
        make_lead(make_program(one), created_at=at(2), price_cents=1000)
        make_lead(make_program(two), created_at=at(2), price_cents=4000)
        totals = month_totals(OCTOBER, at(1, 11))
        assert [view.school for view in totals.statements] == ["One School", "Two School"]
        assert totals.total_cents == 5000 and totals.lead_count == 2
        two_id = two.id
    page = admin_client.get("/admin/statements?month=2026-10").get_data(as_text=True)
    assert "One School" in page and "$50.00" in page
    page = admin_client.get(f"/admin/schools/{two_id}/statement?month=2026-10")
    assert page.status_code == 200 and "$40.00" in page.get_data(as_text=True)
    assert admin_client.get("/admin/statements?month=2026-13").status_code == 422
    assert admin_client.get("/admin/schools/999/statement?month=2026-10").status_code == 404


def test_the_school_statement_page_and_csv(app, school_client, schools):
    # The month of school A's newest lead, and how many of its leads fall in it: read from the
    # rows, so the test holds on the first minutes of a month as on any other day.
    with app.app_context():
        made = [db.session.get(Lead, lead_id).created_at for lead_id in schools["A"].lead_ids]
    month = made[0].strftime("%Y-%m")
    in_month = sum(1 for when in made if when.strftime("%Y-%m") == month)
    page = school_client.get(f"/school/statement?month={month}")
    assert page.status_code == 200
    assert f"${25 * in_month}.00</strong>" in page.get_data(as_text=True)
    csv_response = school_client.get(f"/school/statement.csv?month={month}")
    assert csv_response.status_code == 200
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    for bad in ("2026-1", "nope", "2026-00", (utcnow() + timedelta(days=40)).strftime("%Y-%m")):
        assert school_client.get(f"/school/statement?month={bad}").status_code == 422


def test_months_parse_and_follow_each_other():
    assert parse_month(None, date(2026, 11, 30)) == NOVEMBER
    assert parse_month("2026-10", date(2026, 11, 30)) == OCTOBER
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
