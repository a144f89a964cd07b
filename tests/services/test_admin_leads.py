"""The admin's view of leads: filters, pages, one lead, and naming a school or program by id
or name (deleting a person's data: test_erasure.py)."""

import json
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
    phone_in_e164,
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


@pytest.fixture
def people(app):
    """Leads of three people at two schools, with phones and names to search for."""
    with app.app_context():
        acme = make_program(make_school("Acme"), title="Billing")
        zenith = make_program(make_school("Zenith"), title="Administration")
        made = [
            make_lead(
                acme,
                first_name="José",
                last_name="Núñez",
                email="jose@example.com",
                phone_e164="+13125550142",
                created_at=at(3),
                state="IL",
            ),
            make_lead(
                zenith,
                first_name="Ada",
                last_name="Lovelace",
                email="ada_l@example.org",
                phone_e164="+17735550100",
                created_at=at(1),
                state="WI",
            ),
            make_lead(
                acme,
                first_name="Adam",
                last_name="Smith",
                email="adam%1@example.com",
                phone_e164="+13125550199",
                created_at=at(2),
                state="IN",
                status="rejected",
            ),
        ]
        return [lead.id for lead in made]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ada", ["Ada", "Adam"]),  # part of a first name, any case
        ("LOVELACE", ["Ada"]),
        ("ada lovelace", ["Ada"]),  # the whole name
        ("  ada   lovelace ", ["Ada"]),  # spaces as typed
        ("NÚÑEZ", ["José"]),  # any alphabet, any case (SQLite's lower() only knows ASCII)
        ("example.org", ["Ada"]),
        ("JOSE@EXAMPLE", ["José"]),
        ("_", ["Ada"]),  # a literal underscore, not LIKE's "any character"
        ("%", ["Adam"]),
        ("(312) 555-0142", ["José"]),  # a phone in any format is matched in E.164
        ("312.555.0142", ["José"]),
        ("+1 312 555 0142", ["José"]),
        ("13125550142", ["José"]),
        ("312-555-014", []),  # part of a number is no number
        ("nobody", []),
    ],
)
def test_search_by_name_email_or_phone(app, people, text, names):
    with app.app_context():
        found = list_leads(LeadFilters(), search=text).items
        assert sorted(lead.first_name for lead in found) == names


def test_search_and_filters_combine(app, people):
    with app.app_context():
        found = list_leads(LeadFilters(state="WI"), search="ad").items
        assert [lead.first_name for lead in found] == ["Ada"]


def test_phone_search_reads_any_us_format():
    assert phone_in_e164("(312) 555-0142") == "+13125550142"
    assert phone_in_e164("1-312-555-0142") == "+13125550142"
    assert phone_in_e164("ada") is None and phone_in_e164("555-0142") is None
    assert phone_in_e164("(999) 555-0142") is None  # no such area code


@pytest.mark.parametrize(
    ("sort", "descending", "names"),
    [
        ("date", True, ["José", "Adam", "Ada"]),
        ("date", False, ["Ada", "Adam", "José"]),
        ("school", False, ["José", "Adam", "Ada"]),  # Acme (newest first), then Zenith
        ("school", True, ["Ada", "José", "Adam"]),
        ("program", False, ["Ada", "José", "Adam"]),  # Administration, then Billing
        ("state", False, ["José", "Adam", "Ada"]),  # IL, IN, WI
        ("state", True, ["Ada", "Adam", "José"]),
        ("status", False, ["José", "Ada", "Adam"]),  # new, new, rejected
        ("status", True, ["Adam", "José", "Ada"]),
    ],
)
def test_sorting_both_ways(app, people, sort, descending, names):
    with app.app_context():
        found = list_leads(LeadFilters(), sort=sort, descending=descending).items
        assert [lead.first_name for lead in found] == names


def test_filters_round_trip_through_the_export_record(app):
    filters = LeadFilters(since=at(1), until=at(3), school_id=4, state="IL", status="new")
    assert LeadFilters.from_record(json.loads(json.dumps(filters.as_record()))) == filters
