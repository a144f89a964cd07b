"""Finding leads and acting on them through the admin pages: search, sort, the phone column,
statuses one at a time and in bulk (with reasons and notes), notes, and the lead page's
labels, times and history."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, LeadNote, LeadStatusChange
from tests.support.factories import make_lead, make_program, make_school
from tests.support.forms import csrf_token


def at(day: int, hour: int = 12) -> datetime:
    """A November 2026 time in UTC."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def leads(app):
    """Three people at two schools."""
    with app.app_context():
        acme = make_program(make_school("Acme"), title="Billing")
        zenith = make_program(make_school("Zenith"), title="Administration", career="phlebotomist")
        made = [
            make_lead(
                acme,
                first_name="José",
                email="jose@example.com",
                last_name="Núñez",
                phone_e164="+13125550142",
                created_at=at(3),
                state="IL",
            ),
            make_lead(
                zenith,
                first_name="Ada",
                email="ada@example.org",
                last_name="Lovelace",
                phone_e164="+17735550100",
                created_at=at(1),
                state="WI",
                career="phlebotomist",
                education_level="some_college",
                start_timeframe="within_1_month",
            ),
            make_lead(
                acme,
                first_name="Adam",
                email="adam@example.net",
                last_name="Smith",
                phone_e164="+13125550199",
                created_at=at(2),
                state="IN",
            ),
        ]
        return [lead.id for lead in made]


def first_names(html: str) -> list[str]:
    """The first names in the lead table, in order."""
    table = html.split('<table class="leads">', 1)[1]
    return re.findall(r'<span class="lead-name">(\w+) \w+</span>', table)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("q=(312)+555-0142", ["José"]),
        ("q=312.555.0142", ["José"]),
        ("q=%2B13125550142", ["José"]),
        ("q=ADA", ["Adam", "Ada"]),
        ("q=n%C3%BA%C3%B1ez", ["José"]),
        ("q=ada&state=WI", ["Ada"]),
    ],
)
def test_search_by_name_email_or_phone(admin_client, leads, query, names):
    response = admin_client.get(f"/admin/leads?{query}")
    assert response.status_code == 200
    assert first_names(response.get_data(as_text=True)) == names


def test_a_search_too_long_or_with_control_characters_is_a_400(admin_client, leads):
    assert admin_client.get("/admin/leads?q=" + "a" * 101).status_code == 400
    assert admin_client.get("/admin/leads?q=a%00b").status_code == 400


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["José", "Adam", "Ada"]),
        ("sort=date&order=asc", ["Ada", "Adam", "José"]),
        ("sort=school&order=asc", ["José", "Adam", "Ada"]),
        ("sort=school&order=desc", ["Ada", "José", "Adam"]),
        ("sort=program&order=asc", ["Ada", "José", "Adam"]),
        ("sort=state&order=desc", ["Ada", "Adam", "José"]),
    ],
)
def test_sort_both_ways(admin_client, leads, query, names):
    assert first_names(admin_client.get(f"/admin/leads?{query}").get_data(as_text=True)) == names


@pytest.mark.parametrize("query", ["sort=email", "order=up", "sort=date%00"])
def test_an_unknown_sort_is_a_400(admin_client, leads, query):
    response = admin_client.get(f"/admin/leads?{query}")
    assert response.status_code == 400 and "sort order is unknown" in response.text


def test_sort_links_keep_the_filters_and_flip_the_order(admin_client, leads):
    html = admin_client.get("/admin/leads?state=IL&sort=school&order=asc").get_data(as_text=True)
    assert '<th scope="col" aria-sort="ascending">' in html
    assert 'href="/admin/leads?state=IL&amp;sort=school&amp;order=desc"' in html
    assert 'href="/admin/leads?state=IL&amp;sort=state&amp;order=asc"' in html
    assert 'href="/admin/leads?state=IL&amp;sort=date&amp;order=desc"' in html
    # The filter form keeps the sort when filtering again.
    assert '<input type="hidden" name="sort" value="school">' in html


def test_the_list_has_a_phone_column_and_career_names(admin_client, leads):
    html = admin_client.get("/admin/leads").get_data(as_text=True)
    assert '<th scope="col">Phone</th>' in html and "(312) 555-0142" in html
    assert '<option value="phlebotomist">Phlebotomist</option>' in html


def test_pager_words_follow_the_sort(app, admin_client):
    with app.app_context():
        program = make_program()
        for n in range(51):
            make_lead(program, created_at=at(1 + n % 20))
    by_date = admin_client.get("/admin/leads").get_data(as_text=True)
    assert "Older &rarr;" in by_date
    oldest_first = admin_client.get("/admin/leads?sort=date&order=asc").get_data(as_text=True)
    assert "Newer &rarr;" in oldest_first
    by_state = admin_client.get("/admin/leads?sort=state&order=asc").get_data(as_text=True)
    assert "Next &rarr;" in by_state and "Older" not in by_state
    programs = admin_client.get("/admin/programs").get_data(as_text=True)
    assert "Older" not in programs and "Newer" not in programs


def bulk(admin_client, path="/admin/leads", **fields):
    """Send the list's "with the selected leads" form as a browser would (its fields are
    prefixed with bulk-)."""
    data = {f"bulk-{name}": value for name, value in fields.items()}
    data["csrf_token"] = csrf_token(admin_client, "/admin/leads")
    return admin_client.post(path, data=data)


def test_reject_several_leads_at_once_with_a_note(app, admin_client, admin, leads):
    response = bulk(
        admin_client,
        "/admin/leads?state=IL",
        lead=[str(leads[0]), str(leads[2])],
        status="rejected",
        reason="test",
        note="Test submissions.",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/leads?state=IL"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 leads set to rejected." in page
    with app.app_context():
        leads_now = {lead.id: lead for lead in db.session.scalars(select(Lead))}
        assert [leads_now[i].status for i in leads] == ["rejected", "new", "rejected"]
        assert not leads_now[leads[0]].billable
        changes = db.session.scalars(select(LeadStatusChange)).all()
        assert {
            (c.lead_id, c.admin_id, c.actor, c.to_status, c.reason, c.note) for c in changes
        } == {
            (leads[0], admin["id"], "admin@example.com", "rejected", "test", "Test submissions."),
            (leads[2], admin["id"], "admin@example.com", "rejected", "test", "Test submissions."),
        }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "new"}, "Tick the leads to change first."),
        ({"lead": "1", "status": "rejected"}, "Choose why the lead is rejected."),
        ({"lead": "1", "status": "new", "reason": "test"}, "only given when rejecting"),
        ({"lead": "1", "status": "lost"}, "Not a valid choice"),
        ({"lead": "x", "status": "new"}, "not leads of this list"),
        ({"lead": "99999999999", "status": "new"}, "not leads of this list"),
        ({"lead": "1", "status": "new", "note": "a\x00b"}, "Remove the control characters"),
        ({"lead": "1", "status": "new", "note": "x" * 2001}, "2000"),
    ],
)
def test_bulk_changes_that_cannot_be_made_change_nothing(app, admin_client, leads, fields, message):
    response = bulk(admin_client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(LeadStatusChange)).all() == []


def test_bulk_changes_need_the_csrf_token(app, admin_client, leads):
    fields = {"bulk-lead": str(leads[0]), "bulk-status": "new"}
    response = admin_client.post("/admin/leads", data=fields)
    assert response.status_code == 400


def test_too_many_leads_at_once(admin_client, leads):
    response = bulk(admin_client, lead=[str(n) for n in range(1, 502)], status="new")
    assert response.status_code == 422 and "at most 500" in response.get_data(as_text=True)


def post_status(admin_client, lead_id, **fields):
    """Send the lead page's status form."""
    data = {"csrf_token": csrf_token(admin_client, f"/admin/leads/{lead_id}"), **fields}
    return admin_client.post(f"/admin/leads/{lead_id}/status", data=data)


def test_reject_one_lead_and_take_it_back(app, admin_client, leads):
    lead_id = leads[1]
    response = post_status(
        admin_client, lead_id, status="rejected", reason="out_of_area", note="Lives in Canada."
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/leads/{lead_id}"
    page = admin_client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "1 lead set to rejected." in page
    assert "Rejected: Out of area" in page and "Lives in Canada." in page
    assert "New → Rejected" in page and "admin@example.com" in page
    response = post_status(admin_client, lead_id, status="new", reason="")
    page = admin_client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Rejected → New" in page
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert (lead.status, lead.billable, lead.reject_reason) == ("new", True, None)


def test_a_status_form_with_errors_shows_them_on_the_lead_page(admin_client, leads):
    response = post_status(admin_client, leads[0], status="rejected", reason="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose why the lead is rejected." in html and "<h1>Lead" in html


def test_status_and_notes_of_a_lead_that_is_gone_are_404s(admin_client, leads):
    token = csrf_token(admin_client, "/admin/leads")
    data = {"csrf_token": token, "status": "new", "body": "Hello"}
    assert admin_client.post("/admin/leads/99999/status", data=data).status_code == 404
    assert admin_client.post("/admin/leads/99999/notes", data=data).status_code == 404


def test_notes_are_added_and_never_edited(app, admin_client, admin, leads):
    lead_id = leads[0]
    token = csrf_token(admin_client, f"/admin/leads/{lead_id}")
    url = f"/admin/leads/{lead_id}/notes"
    for body in ("Called, <b>no answer</b>.\r\nTry Monday.", "Reached; wants evening calls."):
        response = admin_client.post(url, data={"csrf_token": token, "body": body})
        assert response.status_code == 303
        assert response.headers["Location"] == f"/admin/leads/{lead_id}#history"
    page = admin_client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Called, &lt;b&gt;no answer&lt;/b&gt;.<br>Try Monday." in page
    assert page.index("Reached; wants evening") < page.index("Called, &lt;b&gt;")  # newest first
    with app.app_context():
        notes = db.session.scalars(select(LeadNote).order_by(LeadNote.id)).all()
        assert [(n.author, n.admin_id) for n in notes] == [("admin@example.com", admin["id"])] * 2
    empty = admin_client.post(url, data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "Write the note first." in empty.get_data(as_text=True)
    # No way to change or delete a note: only POST to add one.
    assert admin_client.delete(url).status_code == 405
    assert admin_client.put(url, data={"csrf_token": token, "body": "x"}).status_code == 405


def test_the_lead_page_shows_labels_money_and_local_times(app, admin_client, leads):
    app.config["ADMIN_TIMEZONE"] = "America/Chicago"
    html = admin_client.get(f"/admin/leads/{leads[1]}").get_data(as_text=True)
    assert "Some college, no degree" in html and "Within 1 month" in html
    assert "<td>Phlebotomist</td>" in html and "$25.00" in html
    assert ">2026-11-01 06:00:00 CST</time>" in html  # 12:00 UTC in Chicago
    assert '<time datetime="2026-11-01T12:00:00Z">' in html
    assert "some_college" not in html and "within_1_month" not in html
    assert "Times in America/Chicago." in html
