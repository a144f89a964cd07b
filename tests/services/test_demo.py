"""The demo data set: plausible details on every listing, no two identical result cards for
any ZIP, start dates that move on with the months, and old demo listings switched off."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Program, School, today_utc
from portal.services.demo import METRO_ZIPS, demo_records, seed_demo
from portal.services.matching import Filters
from portal.services.search import find_programs
from tests.support.factories import make_program


@pytest.fixture
def demo(app):
    """The demo set, loaded."""
    with app.app_context():
        report = seed_demo()
        assert report.ok, report.errors


def card(listing) -> tuple:
    """What a result card shows of a listing."""
    miles = None if listing.distance_miles is None else round(listing.distance_miles, 1)
    return (
        listing.school,
        listing.title,
        listing.credential_level,
        listing.modality,
        listing.duration,
        listing.campus_city,
        miles,
        listing.tuition_min_cents,
        listing.tuition_max_cents,
        listing.schedule,
    )


@pytest.mark.parametrize("radius", [50, 100])
def test_no_zip_shows_two_identical_cards(app, demo, radius):
    with app.app_context():
        for zip_code in [*METRO_ZIPS, "59001", "82001", "04401"]:
            results = find_programs(zip_code, Filters(radius_miles=radius), 1, today_utc(), 500)
            cards = [card(item) for item in results.listings + results.online_in_state]
            assert cards and len(cards) == len(set(cards)), zip_code


def test_every_listing_has_plausible_details(app, demo):
    today = today_utc()
    with app.app_context():
        programs = db.session.scalars(select(Program)).all()
        for program in programs:
            assert program.schedule and program.accreditation, program.external_id
            assert 3 <= len(program.next_start_dates) <= 6
            starts = program.next_start_dates
            assert all(today < day <= date(today.year + 2, 12, 31) for day in starts)
            assert all(day.weekday() == 0 for day in starts)  # Mondays
            assert program.program_url.startswith("https://") and ".example/" in program.program_url
            assert program.details.problems() == {}
            if program.tuition_min_cents is not None:
                assert 50_000 <= program.tuition_min_cents <= 6_500_000
        priced = [p for p in programs if p.tuition_min_cents is not None]
        ranges = [p for p in priced if p.tuition_max_cents is not None]
        assert 0.8 < len(priced) / len(programs) < 0.95 and ranges
        assert {p.financial_aid for p in programs} == {True, False, None}
        online = [p for p in programs if p.modality == "online"]
        assert all("self_paced" in p.schedule or "part_time" in p.schedule for p in online)
        websites = db.session.scalars(select(School.website)).all()
        assert all(site.endswith(".example") for site in websites)


def test_start_dates_follow_the_day_the_set_is_made(app):
    with app.app_context():
        january = demo_records(date(2027, 1, 15))
        march = demo_records(date(2027, 3, 2))
    firsts = {record["next_start_dates"].split()[0] for record in january}
    assert min(firsts) == "2027-02-01" and all(first >= "2027-02-01" for first in firsts)
    assert all(r["next_start_dates"].split()[0] >= "2027-04-05" for r in march)
    assert [r["external_id"] for r in january] == [r["external_id"] for r in march]
    same = {k: v for k, v in january[0].items() if k != "next_start_dates"}
    assert same == {k: v for k, v in march[0].items() if k != "next_start_dates"}


def test_seeding_again_changes_nothing_and_old_demo_listings_are_switched_off(app, demo):
    with app.app_context():
        old = make_program(external_id="DEMO-ONLINE-6-3", modality="online", states=("IL",))
        mine = make_program(external_id="MY-1")
        report = seed_demo()
        assert (report.created, report.updated) == (0, 0)
        assert db.session.get(Program, old.id).is_active is False
        assert db.session.get(Program, mine.id).is_active is True
