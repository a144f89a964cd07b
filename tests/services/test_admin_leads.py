"""The admin's view of leads: filters, pages, one lead, and naming a school or program by id
or name (deleting a person's data: test_erasure.py)."""

from datetime import UTC, datetime

import pytest

from portal.extensions import db
from portal.models import Lead
from portal.services.admin_leads import (
    LeadFilters,
    LeadNotFound,
    UnknownChoice,
    get_lead,
    list_leads,
    resolve_program,
    resolve_school,
)
from tests.support.factories import make_lead, make_program, make_school


def at(day: int) -> datetime:
    """Noon UTC on a day of November 2026."""
    return datetime(2026, 11, day, 12, tzinfo=UTC)


@pytest.fixture
def leads(app):
    """Four leads: two programs, two states, one rejected."""
    with app.app_context():
        first = make_program(make_school("Acme"))
        second = make_program(make_school("Zenith"), career="phlebotomist")
        made = [
            make_lead(first, first_name="Anna", created_at=at(1)),
            make_lead(second, first_name="Boris", created_at=at(2), career="phlebotomist"),
            make_lead(first, first_name="Chen", created_at=at(3), state="WI"),
            make_lead(first, first_name="Dora", created_at=at(4), status="rejected"),
        ]
        return [lead.id for lead in made]


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        (LeadFilters(), ["Dora", "Chen", "Boris", "Anna"]),
        (LeadFilters(since=at(2), until=at(4)), ["Chen", "Boris"]),
        (LeadFilters(career="phlebotomist"), ["Boris"]),
        (LeadFilters(state="WI"), ["Chen"]),
        (LeadFilters(status="rejected"), ["Dora"]),
    ],
)
def test_leads_are_listed_newest_first_by_filter(app, leads, filters, names):
    with app.app_context():
        assert [lead.first_name for lead in list_leads(filters).items] == names


def test_list_service_pages(app, leads):
    with app.app_context():
        page = list_leads(LeadFilters(), page=2, per_page=3)
        assert page.total == 4 and [lead.first_name for lead in page.items] == ["Anna"]


def test_one_lead_or_not_found(app, leads):
    with app.app_context():
        assert get_lead(leads[0]).first_name == "Anna"
        with pytest.raises(LeadNotFound):
            get_lead(99999)


def test_schools_and_programs_are_named_by_id_or_name(app, leads):
    with app.app_context():
        program = db.session.get(Lead, leads[0]).program
        assert resolve_school("Acme") == resolve_school(str(program.school_id))
        assert resolve_program(program.external_id) == program.id
        with pytest.raises(UnknownChoice):
            resolve_school("Nobody")
