"""Hostile query strings on /programs and /api/v1/programs: a clear answer, never a crash."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import CREDENTIAL_LEVELS, SearchLog
from portal.services.matching import RADIUS_CHOICES
from tests.support.factories import make_program
from tests.support.hostile import HOSTILE, ZIP5, assert_answered, maybe, query

ZIPS = ["60601", "60601-1234", " 60601 ", "10001", "00000", "99999", ""]
CAREERS = ["medical-office-manager", "medical-assistant", ""]
LEVELS = [*CREDENTIAL_LEVELS, ""]
MODALITIES = ["campus", "online", "hybrid", ""]
RADII = [str(r) for r in RADIUS_CHOICES] + [""]
PAGES = ["1", "2", "1000", ""]
SORTS = ["sponsored", "distance", "tuition", ""]

search_args = st.builds(
    query,
    zip=st.none() | maybe(ZIPS),
    career=st.none() | maybe(CAREERS),
    level=st.none() | maybe(LEVELS),
    modality=st.none() | maybe(MODALITIES),
    radius=st.none() | maybe(RADII),
    page=st.none() | maybe(PAGES),
    sort=st.none() | maybe(SORTS),
)


@pytest.fixture
def listing(app):
    """One campus listing in Chicago, so some searches find something to show."""
    with app.app_context():
        make_program(zip_code="60601", states=("IL",))


def assert_search_log_well_formed(app) -> None:
    """Every logged search holds a five-digit ZIP and only known filter values."""
    with app.app_context():
        for row in db.session.scalars(select(SearchLog)):
            assert ZIP5.fullmatch(row.zip_code)
            assert row.credential_level in (None, *CREDENTIAL_LEVELS)
            assert row.modality in (None, "campus", "online", "hybrid")
            assert row.radius_miles in RADIUS_CHOICES


@HOSTILE
@given(args=search_args)
def test_search_page_answers_hostile_parameters(app, client, listing, args):
    response = client.get("/programs", query_string=args)
    body = assert_answered(response, {200, 422})
    assert "<script>alert" not in body
    assert_search_log_well_formed(app)


@HOSTILE
@given(args=search_args)
def test_api_answers_hostile_parameters_with_json(app, client, listing, args):
    response = client.get("/api/v1/programs", query_string=args)
    assert_answered(response, {200, 422})
    assert response.is_json
    if response.status_code == 422:
        assert response.json["error"]["fields"]
    assert_search_log_well_formed(app)


@HOSTILE
@given(
    raw=st.lists(
        st.sampled_from(
            [
                "zip=",
                "60601",
                "%00",
                "%FF",
                "%C0%AE",
                "&",
                "=",
                "+",
                "career[]=",
                "page=",
                "radius=",
                "%",
                "%2",
                ";",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_search_survives_malformed_query_strings(client, listing, raw):
    for path in ("/programs", "/api/v1/programs"):
        assert_answered(client.get(f"{path}?{raw}"), {200, 422})


@HOSTILE
@given(
    args=st.builds(query, zip=st.none() | maybe(ZIPS), radius=st.none() | maybe(RADII)),
    program=st.sampled_from(["1", "2", "0", "2147483648", "x"]),
)
def test_program_page_answers_hostile_parameters(app, client, listing, args, program):
    response = client.get(f"/programs/{program}", query_string=args)
    body = assert_answered(response, {200, 404})
    assert "<script>alert" not in body
    if response.status_code == 200:
        assert 'rel="canonical" href="http://localhost/programs/' in body
