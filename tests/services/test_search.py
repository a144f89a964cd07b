"""The program search service: matching, ranking, paging, filters and the search log."""

import math
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import SearchLog, ZipCode
from portal.services import matching
from portal.services.geo import (
    EARTH_RADIUS_MILES,
    InvalidZip,
    UnknownZip,
    distance_miles,
    find_zip,
)
from portal.services.matching import Filters, find_candidates
from portal.services.search import find_programs
from tests.support.factories import make_campus, make_program, make_school

TODAY = date(2026, 11, 27)
CHICAGO = "60601"
ANY = Filters()


def north_of(zip_code: str, miles: float) -> dict:
    """Coordinates `miles` due north of a ZIP's centre (along its meridian)."""
    origin = db.session.get(ZipCode, zip_code)
    return {
        "latitude": origin.latitude + math.degrees(miles / EARTH_RADIUS_MILES),
        "longitude": origin.longitude,
    }


def program_at(miles: float, **fields):
    """A campus listing whose campus is `miles` north of Chicago's 60601."""
    school = make_school()
    campus = make_campus(school, CHICAGO, **north_of(CHICAGO, miles))
    return make_program(school, campus, **fields)


def ids(results) -> list[int]:
    return [listing.program_id for listing in results.listings]


def search(filters: Filters = ANY, page: int = 1, zip_code: str = CHICAGO, **kw):
    return find_programs(zip_code, filters, page, TODAY, **kw)


@pytest.mark.parametrize("radius", [10, 25, 50, 100])
def test_campus_just_inside_the_radius_matches_and_just_outside_does_not(app, radius):
    with app.app_context():
        inside = program_at(radius - 0.05)
        program_at(radius + 0.05)
        results = search(Filters(radius_miles=radius))
        assert ids(results) == [inside.id]
        assert results.listings[0].distance_miles == pytest.approx(radius - 0.05, abs=1e-6)


def test_online_program_matches_in_its_states_only(app):
    with app.app_context():
        open_here = make_program(modality="online", states=("IL", "WI"))
        make_program(modality="online", states=("CA", "NY"))
        results = search()
        assert ids(results) == [open_here.id]
        assert results.listings[0].distance_miles is None
        assert ids(search(zip_code="77002")) == []  # Houston: neither IL nor WI


def test_hybrid_matches_by_its_campus_not_by_state(app):
    with app.app_context():
        near = program_at(5, modality="hybrid")
        program_at(80, modality="hybrid")
        assert ids(search()) == [near.id]


@pytest.mark.parametrize(
    ("fields", "counters"),
    [
        ({"is_active": False}, {}),
        ({"ends_on": date(2026, 11, 26)}, {}),
        ({"starts_on": date(2026, 11, 28)}, {}),
        ({"daily_cap": 3}, {"count_day": TODAY, "day_count": 3}),
        ({"monthly_cap": 40}, {"count_month": date(2026, 11, 1), "month_count": 40}),
    ],
    ids=["inactive", "ended", "not-started", "daily-cap-reached", "monthly-cap-reached"],
)
def test_listings_not_running_are_hidden(app, fields, counters):
    with app.app_context():
        hidden = program_at(3, **fields)
        shown = program_at(4)
        for name, value in counters.items():
            setattr(hidden.sponsorship, name, value)
        db.session.commit()
        assert ids(search()) == [shown.id]


def test_caps_counted_on_another_day_or_month_do_not_hide(app):
    with app.app_context():
        program = program_at(3, daily_cap=1, monthly_cap=1)
        program.sponsorship.count_day = date(2026, 11, 26)
        program.sponsorship.day_count = 1
        program.sponsorship.count_month = date(2026, 10, 1)
        program.sponsorship.month_count = 1
        db.session.commit()
        assert ids(search()) == [program.id]


def test_ends_today_still_runs(app):
    with app.app_context():
        program = program_at(3, ends_on=TODAY, starts_on=TODAY)
        assert ids(search()) == [program.id]


def test_ranked_by_bid_then_distance_then_id(app):
    with app.app_context():
        cheap_near = program_at(1, bid_cents=1000)
        rich_far = program_at(30, bid_cents=5000)
        rich_near = program_at(2, bid_cents=5000)
        online = make_program(modality="online", states=("IL",), bid_cents=5000)
        mid = program_at(20, bid_cents=3000)
        school = make_school()
        campus = make_campus(school, CHICAGO, **north_of(CHICAGO, 2))
        twin = make_program(school, campus, bid_cents=5000)  # same bid and place: id decides
        assert ids(search()) == [
            rich_near.id,
            twin.id,
            rich_far.id,
            online.id,
            mid.id,
            cheap_near.id,
        ]


def test_pages_follow_the_full_ranking(app):
    with app.app_context():
        for n in range(23):
            program_at(1 + n, bid_cents=1000 + 100 * (n % 4))
        everything = [
            c.program_id for c in find_candidates(ZipCode(**_chicago()), Filters(), TODAY)
        ]
        pages = [search(page=n, per_page=10) for n in (1, 2, 3)]
        assert [r.total for r in pages] == [23, 23, 23]
        assert [len(r.listings) for r in pages] == [10, 10, 3]
        assert sum((ids(r) for r in pages), []) == everything
        assert pages[0].pages == 3 and pages[0].has_next and not pages[0].has_previous
        assert pages[2].has_previous and not pages[2].has_next
        assert pages[1].first_position == 11
        past_the_end = search(page=4, per_page=10)
        assert past_the_end.total == 23 and past_the_end.listings == []


def _chicago() -> dict:
    row = db.session.get(ZipCode, CHICAGO)
    return {c: getattr(row, c) for c in ("code", "city", "state", "latitude", "longitude")}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(career="medical-assistant"), {"assistant", "online"}),
        (Filters(credential_level="diploma"), {"diploma"}),
        (Filters(modality="campus"), {"diploma", "assistant"}),
        (Filters(modality="hybrid"), {"hybrid"}),
        (Filters(modality="online"), {"online"}),
        (Filters(career="medical-assistant", modality="online"), {"online"}),
        (Filters(radius_miles=10), {"diploma", "hybrid", "online"}),
    ],
)
def test_each_filter_narrows_the_results(app, filters, expected):
    with app.app_context():
        made = {
            "diploma": program_at(5, credential_level="diploma"),
            "assistant": program_at(20, career="medical-assistant"),
            "hybrid": program_at(6, modality="hybrid"),
            "online": make_program(modality="online", states=("IL",), career="medical-assistant"),
        }
        names = {program.id: name for name, program in made.items()}
        assert {names[i] for i in ids(search(filters))} == expected


def test_result_carries_what_the_page_shows(app):
    with app.app_context():
        school = make_school("Lakeside Health Institute")
        campus = make_campus(school, "60614")
        program = make_program(
            school, campus, title="Medical Office Administration", duration="9 months"
        )
        listing = search().listings[0]
        chicago, lincoln_park = (db.session.get(ZipCode, z) for z in (CHICAGO, "60614"))
        assert listing.program_id == program.id
        assert listing.school == "Lakeside Health Institute"
        assert listing.title == "Medical Office Administration"
        assert (listing.credential_level, listing.modality) == ("certificate", "campus")
        assert (listing.campus_city, listing.campus_state) == ("Chicago", "IL")
        assert listing.duration == "9 months"
        assert listing.distance_miles == pytest.approx(
            distance_miles(
                chicago.latitude, chicago.longitude, lincoln_park.latitude, lincoln_park.longitude
            )
        )


def test_no_results_offers_the_wider_radius_and_online_programs_of_the_state(app):
    with app.app_context():
        program_at(60)
        online = make_program(modality="online", states=("IL",))
        make_program(modality="online", states=("IL",), career="phlebotomist")
        results = search(Filters(career="medical-office-manager", modality="campus"))
        assert results.total == 0 and results.listings == []
        assert results.wider_radius == 100
        assert [listing.program_id for listing in results.online_in_state] == [online.id]
        assert search(Filters(radius_miles=100, modality="hybrid")).wider_radius is None


def test_results_found_offer_no_online_fallback(app):
    with app.app_context():
        program_at(5)
        make_program(modality="online", states=("IL",))
        assert search(Filters(modality="campus")).online_in_state == []


def test_unknown_zip_is_raised_and_the_service_logs_nothing(app):
    """The views log each search once (hit or miss of the page cache); the search does not."""
    with app.app_context():
        program_at(5)
        search()
        with pytest.raises(UnknownZip, match="00000"):
            search(zip_code="00000")
        assert db.session.scalars(select(SearchLog)).all() == []


@pytest.mark.parametrize("text", ["", "6060", "606011", "abcde", "60 601", "６０６０１"])
def test_malformed_zip_raises_and_logs_nothing(app, text):
    with app.app_context():
        with pytest.raises(InvalidZip):
            search(zip_code=text)
        assert db.session.scalars(select(SearchLog)).all() == []


def test_zip_plus_four_searches_its_zip(app):
    with app.app_context():
        program = program_at(5)
        results = search(zip_code="60601-1234")
        assert results.zip_code == CHICAGO and ids(results) == [program.id]


def nearest(**filters):
    """The nearest-campus part of a first page searched with these filters."""
    results = search(Filters(**filters), nearest=True)
    return results.nothing_on_campus, results.nearest_campus, results.campus_radius


def test_a_first_page_with_nothing_on_campus_names_the_nearest_campus_and_its_radius(app):
    with app.app_context():
        make_program(modality="online", states=("IL",))
        far, near = program_at(80, modality="hybrid"), program_at(63)
        none_here, found, radius = nearest()
        assert none_here and found.program_id == near.id and radius == 100
        assert found.distance_miles == pytest.approx(63, abs=1e-6)
        assert (found.city, found.state) == ("Chicago", "IL")
        # The filters of the search decide which campus counts.
        assert nearest(modality="hybrid")[1].program_id == far.id
        assert nearest(radius_miles=10, credential_level="diploma") == (True, None, None)


def test_a_campus_beyond_the_widest_radius_is_named_with_no_radius_to_offer(app):
    with app.app_context():
        program = program_at(300)
        assert nearest() == (True, nearest()[1], None)
        assert nearest()[1].program_id == program.id
        program_at(600)
        assert nearest(career="medical-office-manager")[1].program_id == program.id


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"ends_on": date(2026, 11, 1)},
        {"career": "phlebotomist"},
        {"miles": 510},
    ],
    ids=str,
)
def test_only_a_campus_the_search_would_show_counts_as_nearest(app, change):
    with app.app_context():
        change = dict(change)  # the same dict serves each backend
        program_at(change.pop("miles", 70), **change)
        assert nearest(career="medical-office-manager") == (True, None, None)


def test_a_campus_within_the_radius_on_a_later_page_is_no_news(app):
    with app.app_context():
        for _ in range(10):
            make_program(modality="online", states=("IL",), bid_cents=9000)
        program_at(20, bid_cents=100)  # ranked 11th: on page 2
        results = search(nearest=True)
        assert all(x.distance_miles is None for x in results.listings)
        assert not results.nothing_on_campus and results.nearest_campus is None


def count_nearest_queries(app, run, monkeypatch) -> int:
    """How many nearest-campus statements `run()` sends to the database (either backend: reads
    on PostgreSQL skip SQLAlchemy's events, so the calls are counted where they are made)."""
    sent = []
    real = matching.read_rows

    def counted(statement, values):
        sent.append(") AS nearest" in str(statement))
        return real(statement, values)

    with app.app_context(), monkeypatch.context() as patch:
        patch.setattr(matching, "read_rows", counted)
        run()
    return sum(sent)


def test_the_nearest_campus_is_looked_for_only_when_a_first_page_has_none(app, monkeypatch):
    with app.app_context():
        program_at(5)
        make_program(modality="online", states=("IL",))
        program_at(70)

    def queries(filters=ANY, page=1, nearest=True) -> int:
        run = lambda: search(filters, page, nearest=nearest)  # noqa: E731
        return count_nearest_queries(app, run, monkeypatch)

    assert queries() == 0  # a campus on the first page
    assert queries(Filters(modality="online")) == 0  # none wanted
    assert queries(Filters(radius_miles=10), page=2) == 0  # said on the first page only
    assert queries(Filters(modality="hybrid")) == 1
    assert queries(Filters(modality="hybrid"), nearest=False) == 0  # the API never asks


@pytest.mark.parametrize(
    ("career", "index"),
    [(False, "ix_program_campus_lat_lon"), (True, "ix_program_career_active")],
)
def test_the_nearest_campus_query_reads_listings_through_an_index(app, career, index):
    """The bounding box's index, or (for one career, which SQLite finds narrower) the career's:
    never a scan of every listing."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the plan is read on SQLite; PostgreSQL's depends on its statistics")
        statement = matching._nearest_statement(("campus", "hybrid"), career, False)
        filters = Filters(career="x" if career else None, radius_miles=100)
        values = matching._parameters(find_zip(CHICAGO), filters, TODAY, None)
        compiled = statement.compile(db.engine)
        params = compiled.construct_params(values)
        sql = "EXPLAIN QUERY PLAN " + str(compiled)
        args = tuple(params[k] for k in compiled.positiontup)
        plan = db.session.connection().exec_driver_sql(sql, args).all()
        text = " ".join(str(row[-1]) for row in plan)
        assert f"SEARCH program USING INDEX {index}" in text, text
        assert "SCAN program" not in text, text
