"""Long lists page with a count that stops at COUNT_CAP (portal.services.paging): the admin's
leads, a school's leads and the delivery log say "more than" past it and still page on; the
returns page a hundred at a time, waiting ones first."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.services import paging
from portal.services.admin_leads import LeadFilters, list_leads
from portal.services.lead_returns import decide_return, list_returns, request_return
from portal.services.lead_status import Editor
from portal.services.school_leads import Actor, SchoolLeadFilters, list_school_leads
from tests.support.factories import make_admin, make_lead, make_program
from tests.support.forms import sign_in

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def seven_leads(app):
    """Seven leads of one school, a minute apart (the newest last); their ids."""
    with app.app_context():
        program = make_program()
        return [make_lead(program, created_at=NOW - timedelta(minutes=10 - n)).id for n in range(7)]


def test_a_count_past_the_cap_stops_and_the_pages_go_on(app, seven_leads, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    with app.app_context():
        pages = [list_leads(LeadFilters(), page=n, per_page=2) for n in (1, 2, 3, 4)]
        assert [(p.total, p.capped) for p in pages] == [(3, True)] * 4
        assert [[lead.id for lead in p.items] for p in pages] == [
            seven_leads[6:4:-1],
            seven_leads[4:2:-1],
            seven_leads[2:0:-1],
            seven_leads[:1],
        ]
        assert [p.has_next for p in pages] == [True, True, True, False]
        school = list_school_leads(pages[0].items[0].school_id, SchoolLeadFilters(), 1, 2)
        assert (school.total, school.capped, school.has_next) == (3, True, True)
        uncapped = list_leads(LeadFilters(), page=1, per_page=50)
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    with app.app_context():
        exact = list_leads(LeadFilters(), page=1, per_page=50)
    assert (exact.total, exact.capped, exact.has_next) == (7, False, False)
    assert (uncapped.total, uncapped.capped, uncapped.has_next) == (3, True, False)


def test_the_lead_list_says_more_than_past_the_cap(app, client, seven_leads, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    with app.app_context():
        make_admin()
    sign_in(client)
    html = client.get("/admin/leads").get_data(as_text=True)
    assert "More than 5 leads</strong> match." in html
    monkeypatch.setattr(paging, "COUNT_CAP", 7)
    html = client.get("/admin/leads").get_data(as_text=True)
    assert "<strong>7 leads</strong> match." in html


def test_returns_page_waiting_ones_first(app, seven_leads, monkeypatch):
    monkeypatch.setattr("portal.services.lead_returns.PER_PAGE", 2)
    with app.app_context():
        school_id = list_leads(LeadFilters()).items[0].school_id
        returns = [
            request_return(school_id, lead_id, "wrong_number", "", Actor("s"), NOW, 30)
            for lead_id in seven_leads[:5]
        ]
        for row in returns[:2]:  # the two oldest requests are decided, the first one last
            decide_return(row.id, True, "", Editor("ops"), NOW + timedelta(minutes=row.id))
        db.session.expire_all()
        pages = [list_returns(page=n) for n in (1, 2, 3)]
        assert [p.total for p in pages] == [5, 5, 5]
        order = [[row.item.lead_id for row in p.items] for p in pages]
    # Waiting: leads 4, 3, 2 (newest request first); then decided, the latest decision first.
    assert order == [
        [seven_leads[4], seven_leads[3]],
        [seven_leads[2], seven_leads[1]],
        [seven_leads[0]],
    ]
