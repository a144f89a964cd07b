"""The matching rule shared by search and lead capture."""

from datetime import date

import pytest
from sqlalchemy import insert, select, text

from portal.extensions import db
from portal.models import Program, ZipCode, utcnow
from portal.services import matching
from portal.services.geo import bounding_box, distance_miles
from portal.services.matching import SORTS, Filters, find_candidates, program_serves, rank_page
from tests.support.factories import make_campus, make_program

TODAY = date(2026, 11, 27)


def chicago():
    return db.session.get(ZipCode, "60601")


def test_campus_within_radius_matches_and_far_one_does_not(app):
    with app.app_context():
        near = make_program(zip_code="60614")  # Lincoln Park, a few miles north
        far = make_program(zip_code="53202")  # Milwaukee, about 80 miles away
        ids = [c.program_id for c in find_candidates(chicago(), Filters(), TODAY)]
        assert ids == [near.id]
        wide = find_candidates(chicago(), Filters(radius_miles=100), TODAY)
        assert {c.program_id for c in wide} == {near.id, far.id}


def test_online_matches_only_in_its_states(app):
    with app.app_context():
        il = make_program(modality="online", states=("IL", "IN"))
        make_program(modality="online", states=("CA",))
        assert [c.program_id for c in find_candidates(chicago(), Filters(), TODAY)] == [il.id]


@pytest.mark.parametrize(
    "fields",
    [
        {"is_active": False},
        {"ends_on": date(2026, 11, 26)},
        {"starts_on": date(2026, 11, 28)},
    ],
)
def test_inactive_or_out_of_dates_listing_is_hidden(app, fields):
    with app.app_context():
        program = make_program(**fields)
        assert find_candidates(chicago(), Filters(), TODAY) == []
        assert not program_serves(program.id, chicago(), 50, TODAY)


def test_daily_cap_reached_hides_listing_until_the_next_day(app):
    with app.app_context():
        program = make_program(daily_cap=2)
        program.sponsorship.count_day = TODAY
        program.sponsorship.day_count = 2
        db.session.commit()
        assert find_candidates(chicago(), Filters(), TODAY) == []
        assert len(find_candidates(chicago(), Filters(), date(2026, 11, 28))) == 1


def test_ranked_by_bid_then_distance_then_id(app):
    with app.app_context():
        cheap_near = make_program(zip_code="60601", bid_cents=1000)
        rich_far = make_program(zip_code="60614", bid_cents=5000)
        rich_near = make_program(zip_code="60601", bid_cents=5000)
        online = make_program(modality="online", states=("IL",), bid_cents=5000)
        ids = [c.program_id for c in find_candidates(chicago(), Filters(), TODAY)]
        assert ids == [rich_near.id, rich_far.id, online.id, cheap_near.id]


@pytest.fixture
def sortable(app) -> dict[str, int]:
    """Campus and online listings with bids, distances and tuition to sort them by."""
    with app.app_context():
        made = {
            "near_cheap": make_program(zip_code="60601", bid_cents=1000, tuition_min_cents=500),
            "far_pricey": make_program(zip_code="60614", bid_cents=5000, tuition_min_cents=9000),
            "far_unpriced": make_program(zip_code="60640", bid_cents=3000),
            "online_mid": make_program(
                modality="online", states=("IL",), bid_cents=4000, tuition_min_cents=2000
            ),
            "online_unpriced": make_program(modality="online", states=("IL",), bid_cents=6000),
        }
        return {name: program.id for name, program in made.items()}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "sponsored",
            ["online_unpriced", "far_pricey", "online_mid", "far_unpriced", "near_cheap"],
        ),
        # Nearest campus first; online listings after every campus, the higher bid first.
        ("distance", ["near_cheap", "far_pricey", "far_unpriced", "online_unpriced", "online_mid"]),
        # Lowest tuition first; listings without tuition last, campus or online, by bid.
        ("tuition", ["near_cheap", "online_mid", "far_pricey", "online_unpriced", "far_unpriced"]),
    ],
)
def test_each_sort_orders_every_listing(app, sortable, sort, expected):
    with app.app_context():
        found = find_candidates(chicago(), Filters(sort=sort), TODAY)
        names = {program_id: name for name, program_id in sortable.items()}
        assert [names[c.program_id] for c in found] == expected
        total, page = rank_page(chicago(), Filters(sort=sort), TODAY, offset=2, limit=2)
        assert total == 5 and [names[c.program_id] for c in page] == expected[2:4]


def test_the_sort_is_part_of_the_statements_shape(app):
    with app.app_context():
        shapes = {sort: matching._shape(Filters(sort=sort), None) for sort in SORTS}
        assert len(set(shapes.values())) == 3
        statements = [matching._statements(shape) for shape in shapes.values()]
        assert len({id(s) for s in statements}) == 3
        assert matching._statements(shapes["tuition"]) is statements[2]  # built once


def test_bounding_box_of_a_circle_across_the_antimeridian_takes_every_longitude():
    box = bounding_box(52.0, 179.8, 50)
    assert (box.min_lon, box.max_lon) == (-180.0, 180.0)
    assert distance_miles(52.0, 179.8, 52.0, -179.8) < 50  # just across, inside the box
    assert box.min_lat < 52.0 < box.max_lat


def test_bounding_box_contains_the_circle():
    box = bounding_box(40.0, -100.0, 50)
    for bearing_lat, bearing_lon in [(box.max_lat, -100.0), (40.0, box.max_lon)]:
        assert distance_miles(40.0, -100.0, bearing_lat, bearing_lon) >= 50 - 1e-6


def test_a_listing_is_found_where_its_campus_is_after_the_campus_moves(app):
    with app.app_context():
        program = make_program(zip_code="53202")  # Milwaukee: outside 50 miles of Chicago
        assert find_candidates(chicago(), Filters(), TODAY) == []
        program.campus.latitude, program.campus.longitude = 41.9, -87.65  # into Chicago
        db.session.commit()
        found = find_candidates(chicago(), Filters(), TODAY)
        assert [c.program_id for c in found] == [program.id]
        assert found[0].distance_miles == pytest.approx(
            distance_miles(41.8858, -87.6181, 41.9, -87.65), abs=0.5
        )


def test_a_listing_moved_to_another_campus_is_found_there(app):
    with app.app_context():
        program = make_program(zip_code="60614")
        milwaukee = make_campus(program.school, "53202")
        program.campus = milwaukee
        db.session.commit()
        assert find_candidates(chicago(), Filters(), TODAY) == []
        assert not program_serves(program.id, chicago(), 50, TODAY)


def test_the_database_keeps_the_listing_coordinates_whoever_writes(app):
    """Rows written in plain SQL, with wrong coordinates even, carry their campus's."""
    with app.app_context():
        program = make_program(zip_code="60614")
        campus = program.campus
        db.session.execute(
            text("UPDATE program SET campus_latitude = 0, campus_longitude = 0 WHERE id = :id"),
            {"id": program.id},
        )
        db.session.commit()
        row = db.session.execute(
            text("SELECT campus_latitude, campus_longitude FROM program WHERE id = :id"),
            {"id": program.id},
        ).one()
        assert tuple(row) == (campus.latitude, campus.longitude)
        inserted = db.session.scalar(
            insert(Program)
            .values(
                external_id="RAW-1",
                school_id=campus.school_id,
                campus_id=campus.id,
                career="medical-office-manager",
                title="Inserted without the ORM",
                credential_level="diploma",
                modality="campus",
                duration="1 year",
                description="",
                is_active=True,
                created_at=utcnow(),
                updated_at=utcnow(),
                campus_latitude=0,
                campus_longitude=0,
            )
            .returning(Program.id)
        )
        db.session.commit()
        row = db.session.execute(
            select(Program.campus_latitude, Program.campus_longitude).where(Program.id == inserted)
        ).one()
        assert tuple(row) == (campus.latitude, campus.longitude)
        online = make_program(modality="online", states=("IL",))
        db.session.execute(
            text("UPDATE program SET campus_latitude = 1 WHERE id = :id"), {"id": online.id}
        )
        db.session.commit()
        stored = db.session.scalar(
            text("SELECT campus_latitude FROM program WHERE id = :id"), {"id": online.id}
        )
        assert stored is None
