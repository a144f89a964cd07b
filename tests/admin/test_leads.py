"""The lead list and detail pages, and deleting a person's data on request."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select

from portal.extensions import db
from portal.models import DataDeletion, Lead
from portal.services.erasure import delete_person_data
from tests.support.factories import make_lead, make_program
from tests.support.forms import csrf_token


def at(day: int, hour: int = 12) -> datetime:
    """A November 2026 time in UTC."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def leads(app):
    """Four leads across two programs, states, statuses and days."""
    with app.app_context():
        first, second = make_program(), make_program(career="medical-billing")
        made = [
            make_lead(first, first_name="Anna", created_at=at(1)),
            make_lead(second, first_name="Boris", created_at=at(2), career="medical-billing"),
            make_lead(first, first_name="Chen", created_at=at(3), state="WI"),
            make_lead(first, first_name="Dora", created_at=at(4), status="rejected"),
        ]
        return {
            "ids": [lead.id for lead in made],
            "school_id": second.school_id,
            "program_id": first.id,
        }


def names(html: str) -> list[str]:
    """First names in the order the lead table shows them."""
    order = ["Anna", "Boris", "Chen", "Dora"]
    found = [(html.index(f">{n} "), n) for n in order if f">{n} " in html]
    return [n for _, n in sorted(found)]


def test_newest_first(admin_client, leads):
    html = admin_client.get("/admin/leads").get_data(as_text=True)
    assert names(html) == ["Dora", "Chen", "Boris", "Anna"]
    assert "4 leads</strong> match" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since=2026-11-02", ["Dora", "Chen", "Boris"]),
        ("until=2026-11-02", ["Boris", "Anna"]),
        ("since=2026-11-02&until=2026-11-03", ["Chen", "Boris"]),
        ("career=medical-billing", ["Boris"]),
        ("state=wi", ["Chen"]),
        ("status=rejected", ["Dora"]),
    ],
)
def test_filters(admin_client, leads, query, expected):
    response = admin_client.get(f"/admin/leads?{query}")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == expected


def test_school_and_program_filters(admin_client, leads):
    html = admin_client.get(f"/admin/leads?school={leads['school_id']}").get_data(as_text=True)
    assert names(html) == ["Boris"]
    html = admin_client.get(f"/admin/leads?program={leads['program_id']}").get_data(as_text=True)
    assert names(html) == ["Dora", "Chen", "Anna"]


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "state=Illinois",
        "status=lost",
        "school=abc",
        "page=0",
        # Numbers no id or page can be were 500s (too big for the database, or for a float).
        "school=99999999999999999999",
        "program=2147483648",
        "page=99999999999999999999",
        "page=" + "9" * 400,
        "career=a%00b",  # PostgreSQL refuses NUL in text: this was a 500 there
    ],
)
def test_bad_filters_get_a_message_not_a_crash(admin_client, leads, query):
    response = admin_client.get(f"/admin/leads?{query}")
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_until_before_since_is_refused(admin_client, leads):
    response = admin_client.get("/admin/leads?since=2026-11-03&until=2026-11-01")
    assert response.status_code == 400
    assert "must not be before" in response.get_data(as_text=True)


def test_pagination_keeps_the_filter_in_the_url(app, admin_client):
    with app.app_context():
        program = make_program()
        for n in range(52):
            make_lead(program, created_at=at(1 + n % 20), state="IL")
    html = admin_client.get("/admin/leads?state=IL").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert 'href="/admin/leads?state=IL&amp;page=2"' in html
    second = admin_client.get("/admin/leads?state=IL&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and len(re.findall(r"/admin/leads/\d+", second)) == 2


@pytest.mark.parametrize("stray", ["_method=POST", "_external=1", "_anchor=x", "utm_source=ad"])
def test_pagination_copies_only_the_pages_own_filters(app, admin_client, stray):
    """Any query key used to be copied into url_for: ?_method=POST was a 500."""
    with app.app_context():
        program = make_program()
        for n in range(52):
            make_lead(program, created_at=at(1 + n % 20), state="IL")
    for path in ("/admin/leads", "/admin/programs", "/admin/exports"):
        assert admin_client.get(f"{path}?state=IL&{stray}").status_code == 200, path
    html = admin_client.get(f"/admin/leads?state=IL&{stray}").get_data(as_text=True)
    pager = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="([^"]*)"', pager) == ["/admin/leads?state=IL&amp;page=2"]


def test_detail_shows_everything_including_consent(app, admin_client, leads):
    with app.app_context():
        lead = db.session.get(Lead, leads["ids"][0])
        expected = [lead.consent_text, lead.consent_sha256, lead.ip_address, lead.user_agent]
        expected += [lead.page_url, lead.referrer, lead.utm_source, lead.email, lead.phone_e164]
    html = admin_client.get(f"/admin/leads/{leads['ids'][0]}").get_data(as_text=True)
    for value in expected:
        assert value in html
    assert "2026-11-01T12:00:00Z" in html


def test_missing_lead_is_404(admin_client):
    assert admin_client.get("/admin/leads/999").status_code == 404


def test_delete_person_data(app, admin_client, admin):
    with app.app_context():
        program = make_program()
        first = make_lead(program, email="Gone@Example.com")
        make_lead(program, email="gone@example.com", billable=False, duplicate_of_id=first.id)
        make_lead(program, email="stays@example.com")
    token = csrf_token(admin_client, "/admin/privacy/delete")
    response = admin_client.post(
        "/admin/privacy/delete",
        data={"csrf_token": token, "email": "gone@EXAMPLE.com", "confirm": "y"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Deleted 2 request(s)" in html and "gone@" not in html.lower()
    with app.app_context():
        assert db.session.scalars(select(Lead.email)).all() == ["stays@example.com"]
        record = db.session.scalars(select(DataDeletion)).one()
        assert (record.admin_id, record.rows_deleted) == (admin["id"], 2)
        columns = {c.key for c in inspect(DataDeletion).columns}
        assert columns == {
            "id",
            "created_at",
            "admin_id",
            "rows_deleted",
            "messages_deleted",
            "deliveries_cancelled",
            "schools_told",
        }


def test_delete_needs_confirmation(admin_client, app):
    with app.app_context():
        make_lead(make_program(), email="kept@example.com")
    token = csrf_token(admin_client, "/admin/privacy/delete")
    data = {"csrf_token": token, "email": "kept@example.com"}
    response = admin_client.post("/admin/privacy/delete", data=data)
    assert response.status_code == 422
    assert "Tick the box" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Lead.email)) == "kept@example.com"


def test_delete_of_unknown_address_is_recorded_as_zero(app, admin):
    with app.app_context():
        assert delete_person_data("nobody@example.com", admin["id"]).record.rows_deleted == 0
