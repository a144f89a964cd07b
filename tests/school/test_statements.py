"""Statements that reconcile to the lead: a line per lead received in the month (charge,
duplicate, return_pending) and per credit or charge decided in it; a closed month never
changes, and a credit decided later lands on the month it was decided in, naming the month
it cancels; the summary is the sum of the lines; pages; the CSV; the admin's same figures."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import BillingChange, Lead, Program, Statement, StatementLine, utcnow
from portal.services.erasure import delete_person_data
from portal.services.lead_returns import decide_return, request_return
from portal.services.lead_status import Editor, StatusChange, change_status
from portal.services.school_leads import Actor
from portal.services.statements import (
    CSV_HEADER,
    month_totals,
    next_month,
    parse_month,
    statement,
    statement_csv,
)
from tests.support.factories import lead_values, make_admin, make_lead, make_program, make_school

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)
OPS = Editor("ops@example.com")


def at(day: int, month: int = 10, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def ask_return(school_id: int, lead_id: int, when: datetime) -> int:
    return request_return(school_id, lead_id, "disconnected", "", Actor("s@x"), when, 60).id


def approve(school_id: int, lead_id: int, when: datetime) -> None:
    decide_return(ask_return(school_id, lead_id, when), True, "", OPS, when)


def reject(lead_id: int, when: datetime, reason: str = "test") -> None:
    change_status([lead_id], StatusChange("rejected", reason), OPS, when)


def take_back(lead_id: int, when: datetime) -> None:
    change_status([lead_id], StatusChange("new"), OPS, when)


def csv_bytes(school_id: int, first: date, now: datetime) -> bytes:
    return b"".join(statement_csv(school_id, first, now))


def rows(school_id: int, first: date, now: datetime) -> list[dict]:
    text = csv_bytes(school_id, first, now).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def lines(school_id: int, first: date, now: datetime) -> list[tuple]:
    return [
        (row["line"], int(row["lead_id"]) if row["lead_id"] else None, row["amount_usd"])
        for row in rows(school_id, first, now)
    ]


def cents(text: str) -> int:
    return round(float(text) * 100)


def test_every_lead_received_has_one_line_and_every_credit_its_own(app):
    with app.app_context():
        school = make_school("Cedar College")
        nursing = make_program(school, title="Nursing Assistant")
        billing = make_program(school, title="Medical Billing")
        charged = make_lead(nursing, created_at=at(3), price_cents=2500)
        repeat = make_lead(nursing, created_at=at(5), billable=False, duplicate_of_id=charged.id)
        waiting = make_lead(nursing, created_at=at(8), price_cents=2500)
        returned = make_lead(billing, created_at=at(9), price_cents=1800)
        rejected = make_lead(billing, created_at=at(11), price_cents=1800)
        ask_return(school.id, waiting.id, at(10))
        approve(school.id, returned.id, at(12))
        reject(rejected.id, at(14))

        view = statement(school.id, OCTOBER, at(25))
        assert not view.closed
        found = rows(school.id, OCTOBER, at(25))
        assert [(r["line"], int(r["lead_id"]), r["amount_usd"], r["note"]) for r in found] == [
            ("charge", charged.id, "25.00", ""),
            ("duplicate", repeat.id, "0.00", f"repeats lead {charged.id}"),
            (
                "return_pending",
                waiting.id,
                "25.00",
                "return requested 2026-10-10; credit pending the admin's decision",
            ),
            ("charge", returned.id, "18.00", ""),
            ("charge", rejected.id, "18.00", ""),
            ("credit", returned.id, "-18.00", "return approved 2026-10-12; received this month"),
            (
                "credit",
                rejected.id,
                "-18.00",
                "rejected by an admin 2026-10-14 (Test or fake); received this month",
            ),
        ]
        assert found[0]["received_at"] == "2026-10-03T12:00:00Z"
        assert found[-1]["received_at"] == "2026-10-11T12:00:00Z"  # the lead's, not the credit's

        # The summary: by kind and program, one aggregate; it adds up to the lines.
        assert [(r.kind, r.program, r.count, r.amount_cents) for r in view.summary.rows] == [
            ("charge", "Medical Billing", 2, 3600),
            ("charge", "Nursing Assistant", 1, 2500),
            ("return_pending", "Nursing Assistant", 1, 2500),
            ("duplicate", "Nursing Assistant", 1, 0),
            ("credit", "Medical Billing", 2, -3600),
        ]
        assert view.total_cents == sum(cents(r["amount_usd"]) for r in found) == 5000
        assert view.summary.received == 5 and view.summary.line_count == len(found) == 7
        assert view.summary.charged_cents == 8600 and view.summary.credited_cents == 3600
        # What the leads are billed now is what the lines come to.
        billed = db.session.scalar(
            select(func.sum(Lead.price_cents)).where(
                Lead.school_id == school.id, Lead.billable.is_(True)
            )
        )
        assert billed == view.total_cents


def test_a_closed_month_never_changes_and_later_credits_name_it(app):
    with app.app_context():
        school = make_school()
        program = make_program(school, title="Surgical Technology")
        kept = make_lead(program, created_at=at(3), price_cents=2500)
        waiting = make_lead(program, created_at=at(20), price_cents=2500)
        rejected_later = make_lead(program, created_at=at(31, hour=23), price_cents=3000)
        return_id = ask_return(school.id, waiting.id, at(28))

        before = csv_bytes(school.id, OCTOBER, at(2, 11))
        view_before = statement(school.id, OCTOBER, at(2, 11))
        assert view_before.closed
        assert lines(school.id, OCTOBER, at(2, 11)) == [
            ("charge", kept.id, "25.00"),
            ("return_pending", waiting.id, "25.00"),
            ("charge", rejected_later.id, "30.00"),
        ]

        # After the close: the return is approved, another lead rejected, the listing renamed.
        decide_return(return_id, True, "", OPS, at(5, 11))
        reject(rejected_later.id, at(6, 11), "invalid_contact")
        db.session.execute(update(Program).values(title="Renamed"))
        db.session.commit()

        assert csv_bytes(school.id, OCTOBER, at(8, 11)) == before  # byte for byte
        assert statement(school.id, OCTOBER, at(8, 11)) == view_before
        assert [
            (r["line"], int(r["lead_id"]), r["amount_usd"], r["note"])
            for r in rows(school.id, NOVEMBER, at(8, 11))
        ] == [
            (
                "credit",
                waiting.id,
                "-25.00",
                "return approved 2026-11-05; received 2026-10, charged on the statement of 2026-10",
            ),
            (
                "credit",
                rejected_later.id,
                "-30.00",
                "rejected by an admin 2026-11-06 (Invalid contact details); received 2026-10,"
                " charged on the statement of 2026-10",
            ),
        ]
        november = statement(school.id, NOVEMBER, at(8, 11))
        assert november.total_cents == -5500 and november.summary.received == 0
        # October and November together bill exactly the lead that is billable now.
        assert view_before.total_cents + november.total_cents == 2500


def test_a_month_first_read_late_is_as_it_stood_at_its_end(app):
    """October is first read in December: what was decided in November is November's."""
    with app.app_context():
        school = make_school()
        program = make_program(school)
        rejected = make_lead(program, created_at=at(20), price_cents=2000)
        returned = make_lead(program, created_at=at(29), price_cents=2000)
        return_id = ask_return(school.id, returned.id, at(30))
        reject(rejected.id, at(3, 11))
        decide_return(return_id, True, "", OPS, at(4, 11))

        assert lines(school.id, OCTOBER, at(2, 12)) == [
            ("charge", rejected.id, "20.00"),
            ("return_pending", returned.id, "20.00"),
        ]
        assert lines(school.id, NOVEMBER, at(2, 12)) == [
            ("credit", rejected.id, "-20.00"),
            ("credit", returned.id, "-20.00"),
        ]
        assert statement(school.id, NOVEMBER, at(2, 12)).closed


def test_a_rejection_taken_back_is_charged_again_and_a_repeat_is_never_billed_twice(app):
    with app.app_context():
        school = make_school()
        program = make_program(school, title="Phlebotomy")
        lead = make_lead(program, created_at=at(3), price_cents=2500)
        reject(lead.id, at(20))
        assert lines(school.id, OCTOBER, at(1, 11)) == [
            ("charge", lead.id, "25.00"),
            ("credit", lead.id, "-25.00"),
        ]
        take_back(lead.id, at(10, 11))
        reject(lead.id, at(2, 12))
        november = rows(school.id, NOVEMBER, at(3, 12))
        assert [(r["line"], r["amount_usd"], r["note"]) for r in november] == [
            ("charge", "25.00", "rejection withdrawn 2026-11-10: billed again; received 2026-10")
        ]
        assert lines(school.id, DECEMBER, at(3, 12)) == [("credit", lead.id, "-25.00")]

        # Taken back while another request of the same person was billed: it becomes a repeat
        # of that one, so it stays credited, and is never charged again.
        first = make_lead(program, created_at=at(5, 12), email="sam@example.com")
        reject(first.id, at(5, 12, hour=13))
        twin = make_lead(program, created_at=at(5, 12, hour=14), email="sam@example.com")
        take_back(first.id, at(5, 12, hour=15))
        assert db.session.get(Lead, first.id).duplicate_of_id == twin.id
        assert lines(school.id, DECEMBER, at(5, 12, hour=16)) == [
            ("charge", first.id, "25.00"),
            ("charge", twin.id, "25.00"),
            ("credit", lead.id, "-25.00"),
            ("credit", first.id, "-25.00"),
        ]


def test_a_return_approved_after_a_rejection_is_not_credited_twice(app):
    with app.app_context():
        school = make_school()
        lead = make_lead(make_program(school), created_at=at(3), price_cents=2500)
        return_id = ask_return(school.id, lead.id, at(4))
        reject(lead.id, at(5))
        assert lines(school.id, OCTOBER, at(6)) == [
            ("charge", lead.id, "25.00"),  # no longer billed, so no credit pending
            ("credit", lead.id, "-25.00"),
        ]
        decide_return(return_id, True, "", OPS, at(7))
        assert statement(school.id, OCTOBER, at(8)).total_cents == 0
        assert db.session.scalar(select(func.count()).select_from(BillingChange)) == 1


def test_leads_deleted_on_request_leave_ended_months_alone_and_open_ones_without_them(app):
    """A lead of an ended month stays on its statement (closed before the deletion), and its
    credit of this month stays; one received this month leaves with its credit."""
    with app.app_context():
        school = make_school()
        program = make_program(school)
        now = utcnow()
        this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
        last_month = (this_month - timedelta(days=1)).date().replace(day=1)
        earlier = make_lead(
            program, created_at=this_month - timedelta(hours=5), email="gone@example.com"
        )
        later = make_lead(
            program, created_at=this_month + (now - this_month) / 3, email="gone@example.com"
        )
        stays = make_lead(program, created_at=this_month + (now - this_month) / 3)
        earlier_id, stays_id = earlier.id, stays.id
        for lead in (earlier, later):
            reject(lead.id, this_month + (now - this_month) / 2)
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 0
        delete_person_data("gone@example.com", make_admin().id)

        assert lines(school.id, last_month, utcnow()) == [("charge", earlier_id, "25.00")]
        assert lines(school.id, this_month.date(), utcnow()) == [
            ("charge", stays_id, "25.00"),
            ("credit", earlier_id, "-25.00"),
        ]


def make_leads(program: Program, count: int, start: datetime) -> list[int]:
    """`count` leads a minute apart from `start`, in one commit."""
    leads = [
        Lead(**lead_values(program, created_at=start + timedelta(minutes=i))) for i in range(count)
    ]
    db.session.add_all(leads)
    db.session.commit()
    return [lead.id for lead in leads]


def test_lines_page_in_order_and_the_closed_month_keeps_what_the_open_one_showed(app):
    with app.app_context():
        school = make_school()
        program = make_program(school)
        ids = make_leads(program, 230, at(1, hour=8))
        for lead_id in ids[:3]:
            reject(lead_id, at(20))

        def pages(now):
            found, number = [], 1
            while True:
                view = statement(school.id, OCTOBER, now, page=number, per_page=100)
                found.append([(line.kind, line.lead_id, line.note) for line in view.lines])
                if number == view.pages:
                    return view, found
                number += 1

        open_view, open_pages = pages(at(31, hour=23))
        assert not open_view.closed and open_view.pages == 3
        assert [len(page) for page in open_pages] == [100, 100, 33]
        assert open_pages[0][0][1] == ids[0] and open_pages[2][29][1] == ids[-1]
        assert [kind for kind, _, _ in open_pages[2][30:]] == ["credit"] * 3
        closed_view, closed_pages = pages(at(1, 11))
        assert closed_view.closed and closed_pages == open_pages
        assert closed_view.summary == open_view.summary
        everything = [line for page in closed_pages for line in page]
        assert [(kind, lead_id) for kind, lead_id, _ in everything] == [
            (kind, lead_id) for kind, lead_id, _ in lines(school.id, OCTOBER, at(2, 11))
        ]
        beyond = statement(school.id, OCTOBER, at(2, 11), page=9, per_page=100)
        assert beyond.lines == [] and beyond.summary.line_count == 233


def test_the_csv_has_exactly_its_columns_and_defuses_formulas(app):
    with app.app_context():
        school = make_school()
        program = make_program(school, title='=HYPERLINK("http://x")')
        lead_id = make_lead(program, created_at=at(3), price_cents=2500).id
        body = csv_bytes(school.id, OCTOBER, at(4)).decode("utf-8")
    assert CSV_HEADER == ["line", "lead_id", "received_at", "program", "amount_usd", "note"]
    assert body.splitlines() == [
        "line,lead_id,received_at,program,amount_usd,note",
        f'charge,{lead_id},2026-10-03T12:00:00Z,"\'=HYPERLINK(""http://x"")",25.00,',
    ]


def test_the_school_statement_page_pages_and_its_csv(app, school_client, schools):
    a = schools["A"]
    with app.app_context():
        made = [db.session.get(Lead, lead_id).created_at for lead_id in a.lead_ids]
        program = db.session.get(Program, a.program_id)
        month_start = datetime(made[0].year, made[0].month, 1, tzinfo=UTC)
        extra = make_leads(program, 120, month_start)
    month = made[0].strftime("%Y-%m")
    in_month = sum(1 for when in made if when.strftime("%Y-%m") == month) + 120
    page = school_client.get(f"/school/statement?month={month}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<dd>${25 * in_month:,}.00</dd>" in text  # the total, in the figures
    assert f"Lines 1–100 of {in_month}" in text and f"/school/leads/{extra[0]}" in text
    assert f'href="/school/statement?month={month}&amp;page=2" rel="next"' in text
    second = school_client.get(f"/school/statement?month={month}&page=2").get_data(as_text=True)
    assert f"Lines 101–{in_month} of {in_month}" in second
    assert f"/school/leads/{extra[0]}" not in second and f"/school/leads/{extra[-1]}" in second
    download = school_client.get(f"/school/statement.csv?month={month}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="statement-{month}.csv"'
    )
    body = download.get_data(as_text=True)
    assert body.startswith("line,lead_id,received_at,program,amount_usd,note\r\n")
    assert body.count("\r\n") == in_month + 1
    for bad in ("2026-1", "nope", "2026-00", (utcnow() + timedelta(days=40)).strftime("%Y-%m")):
        assert school_client.get(f"/school/statement?month={bad}").status_code == 422
        assert school_client.get(f"/school/statement.csv?month={bad}").status_code == 422


def test_the_admins_figures_are_the_schools(app, admin_client):
    with app.app_context():
        one, two = make_school("One School"), make_school("Two School")
        one_program = make_program(one, title="Dental Assisting")
        first = make_lead(one_program, created_at=at(2), price_cents=1000)
        make_lead(one_program, created_at=at(3), billable=False, duplicate_of_id=first.id)
        waiting = make_lead(one_program, created_at=at(4), price_cents=1000)
        ask_return(one.id, waiting.id, at(5))
        old = make_lead(make_program(two), created_at=at(20, 9), price_cents=4000)
        make_lead(make_program(two), created_at=at(2), price_cents=4000)
        reject(old.id, at(6))
        totals = month_totals(OCTOBER, at(1, 11))
        assert [item.school for item in totals.schools] == ["One School", "Two School"]
        for item in totals.schools:
            assert item.summary == statement(item.school_id, OCTOBER, at(1, 11)).summary
        assert totals.sum("total_cents") == 2000 + 4000 - 4000
        assert totals.sum("received") == 4 and totals.count("duplicate") == 1
        assert totals.count("return_pending") == 1
        one_id, two_id, old_id = one.id, two.id, old.id
    page = admin_client.get("/admin/statements?month=2026-10").get_data(as_text=True)
    one_row = re.search(r"One School</a>.*?</tr>", page, re.S)[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', one_row)
    assert cells == ["3", "1", "1", "$20.00", "$0.00", "$20.00"]
    two_row = re.search(r"Two School</a>.*?</tr>", page, re.S)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', two_row) == [
        "1",
        "0",
        "0",
        "$40.00",
        "$40.00",
        "$0.00",
    ]
    detail = admin_client.get(f"/admin/schools/{two_id}/statement?month=2026-10")
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200 and f'href="/admin/leads/{old_id}"' in text
    assert "rejected by an admin 2026-10-06 (Test or fake); received 2026-09" in text
    download = admin_client.get(f"/admin/schools/{one_id}/statement?month=2026-10&format=csv")
    assert download.get_data(as_text=True).count("\r\n") == 4
    assert admin_client.get("/admin/statements?month=2026-13").status_code == 422
    assert admin_client.get("/admin/schools/999/statement?month=2026-10").status_code == 404
    csv_404 = admin_client.get("/admin/schools/999/statement?month=2026-10&format=csv")
    assert csv_404.status_code == 404


def test_months_parse_and_follow_each_other():
    assert parse_month(None, date(2026, 11, 30)) == NOVEMBER
    assert parse_month("2026-10", date(2026, 11, 30)) == OCTOBER
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_every_flip_of_billable_is_entered_once(app):
    """Billed at arrival, plus the charges again, less the credits: what billable says now."""
    with app.app_context():
        school = make_school()
        program = make_program(school)
        leads = [make_lead(program, created_at=at(2 + i)).id for i in range(4)]
        reject(leads[0], at(10))
        take_back(leads[0], at(11))
        reject(leads[0], at(12))
        reject(leads[1], at(10))
        take_back(leads[1], at(11))
        approve(school.id, leads[2], at(13))
        reject(leads[2], at(14))  # already credited: nothing more
        take_back(leads[2], at(15))  # returned: stays credited
        for lead_id in leads:
            net = db.session.scalar(
                select(func.coalesce(func.sum(BillingChange.amount_cents), 0)).where(
                    BillingChange.lead_id == lead_id
                )
            )
            lead = db.session.get(Lead, lead_id)
            assert lead.price_cents + net == (lead.price_cents if lead.billable else 0)
        assert db.session.scalar(select(func.count()).select_from(BillingChange)) == 6
        assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 0


def test_a_month_closes_a_few_minutes_after_its_end_with_what_was_decided_before_it(app):
    """A rejection dated 23:59:59 whose transaction commits just after midnight is on the
    month it is dated in: the month is written only CLOSE_AFTER past its end."""
    with app.app_context():
        school = make_school()
        lead = make_lead(make_program(school), created_at=at(3), price_cents=2500)
        just_after = datetime(2026, 11, 1, 0, 1, tzinfo=UTC)
        view = statement(school.id, OCTOBER, just_after)
        assert not view.closed and view.ended and view.total_cents == 2500
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 0
        reject(lead.id, datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC))
        closed = statement(school.id, OCTOBER, just_after + timedelta(minutes=5))
        assert closed.closed and closed.total_cents == 0
        assert statement(school.id, NOVEMBER, at(2, 11)).summary.line_count == 0
