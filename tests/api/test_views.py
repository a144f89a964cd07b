"""/api/v1/programs: the search as JSON, with JSON errors."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import SearchLog, ZipCode, today_utc
from portal.services.matching import Filters, find_candidates
from tests.support.factories import make_campus, make_program, make_school

LISTING_FIELDS = {
    "program_id",
    "school",
    "program",
    "career",
    "credential_level",
    "modality",
    "duration",
    "campus",
    "distance_miles",
    "tuition_min_usd",
    "tuition_max_usd",
    "schedule",
    "next_start_dates",
    "accreditation",
    "financial_aid",
    "program_url",
    "sponsored",
    "request_info_url",
    "program_page_url",
}


def test_results_as_json(app, client):
    with app.app_context():
        school = make_school("Lakeside Health Institute")
        campus = make_program(
            school,
            make_campus(school, "60614"),
            title="Medical Office Administration",
            tuition_min_cents=1_240_050,
            tuition_max_cents=1_500_000,
            schedule=("full_time", "evenings"),
            next_start_dates=(date(2020, 1, 6), date(2099, 1, 4)),
            accreditation="Accrediting Bureau of Health Education Schools (ABHES)",
            financial_aid=True,
            program_url="https://lakeside.example/moa",
        ).id
        online = make_program(modality="online", states=("IL",), bid_cents=10).id
    response = client.get("/api/v1/programs?zip=60601&radius=25&unknown=1")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["zip"], body["city"], body["state"]) == ("60601", "Chicago", "IL")
    assert body["filters"] == {"career": None, "level": None, "modality": None, "radius": 25}
    assert body["sort"] == "sponsored"
    assert body["pagination"] == {"page": 1, "per_page": 10, "total": 2, "pages": 1}
    first, second = body["results"]
    assert set(first) == LISTING_FIELDS and "bid_cents" not in first
    assert first["program_id"] == campus and second["program_id"] == online
    assert first["school"] == "Lakeside Health Institute"
    assert first["program"] == "Medical Office Administration"
    assert first["campus"]["city"] == "Chicago" and first["campus"]["zip"] == "60614"
    assert first["distance_miles"] == round(first["distance_miles"], 1) > 0
    assert first["sponsored"] is True
    assert first["request_info_url"] == (
        f"http://localhost/programs/{campus}/request-info?zip=60601&radius=25"
    )
    assert first["program_page_url"] == f"http://localhost/programs/{campus}?zip=60601&radius=25"
    assert (first["tuition_min_usd"], first["tuition_max_usd"]) == (12400.5, 15000)
    assert first["schedule"] == ["full_time", "evenings"]
    assert first["next_start_dates"] == ["2099-01-04"]  # dates already past are left out
    assert first["accreditation"].endswith("(ABHES)") and first["financial_aid"] is True
    assert first["program_url"] == "https://lakeside.example/moa"
    assert second["campus"] is None and second["distance_miles"] is None
    assert second["tuition_min_usd"] is None and second["schedule"] == []
    assert second["financial_aid"] is None and second["program_url"] is None
    assert body["online_in_state"] == []


def test_results_sorted_by_tuition_or_distance(app, client):
    with app.app_context():
        near = make_program(zip_code="60601", bid_cents=100, tuition_min_cents=900_000).id
        far = make_program(zip_code="60640", bid_cents=900, tuition_min_cents=500_000).id
        unknown = make_program(zip_code="60614", bid_cents=500).id

    def order(sort: str) -> list[int]:
        body = client.get(f"/api/v1/programs?zip=60601&sort={sort}").get_json()
        assert body["sort"] == sort
        return [item["program_id"] for item in body["results"]]

    assert order("sponsored") == [far, unknown, near]
    assert order("distance") == [near, unknown, far]
    assert order("tuition") == [far, near, unknown]
    response = client.get("/api/v1/programs?zip=60601&sort=price")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "sort": ["Order by sponsored, distance or tuition."]
    }


def test_same_ranking_as_the_matching_rule(app, client):
    with app.app_context():
        for n in range(15):
            make_program(
                zip_code=("60614", "60601", "60640")[n % 3], bid_cents=1000 + 500 * (n % 4)
            )
        origin = db.session.get(ZipCode, "60601")
        expected = [c.program_id for c in find_candidates(origin, Filters(), today_utc())]
    pages = [client.get(f"/api/v1/programs?zip=60601&page={n}").get_json() for n in (1, 2)]
    assert [r["program_id"] for p in pages for r in p["results"]] == expected
    assert pages[1]["pagination"] == {"page": 2, "per_page": 10, "total": 15, "pages": 2}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "zip"),
        ("?zip=6060", "zip"),
        ("?zip=60601&radius=7", "radius"),
        ("?zip=60601&level=x", "level"),
        ("?zip=60601&modality=x", "modality"),
        ("?zip=60601&career=x", "career"),
        ("?zip=60601&page=0", "page"),
    ],
)
def test_bad_input_is_a_422_json_error(client, query, field):
    response = client.get(f"/api/v1/programs{query}")
    assert response.status_code == 422
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 422 and error["title"] == "Unprocessable request"
    assert list(error["fields"]) == [field] and error["fields"][field][0]


def test_a_well_formed_zip_we_do_not_know_is_a_404_naming_it(client):
    """The contract's choice (issue 25): a schema-valid ZIP that is no US ZIP code names
    nothing, like an unknown id, so 404, documented as such; a malformed one stays a 422."""
    response = client.get("/api/v1/programs?zip=00000")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["status"] == 404 and error["title"] == "Not found"
    assert "00000" in error["fields"]["zip"][0]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE"])
def test_other_methods_get_a_json_405_with_allow(client, method):
    response = client.open("/api/v1/programs?zip=60601", method=method)
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_each_api_search_is_logged_once_unknown_zips_too(app, client):
    with app.app_context():
        make_program()
    client.get("/api/v1/programs?zip=60601&career=medical-office-manager")
    client.get("/api/v1/programs?zip=60601&page=2")  # a later page: not another search
    assert client.get("/api/v1/programs?zip=00000").status_code == 404
    assert client.get("/api/v1/programs?zip=6060").status_code == 422  # not a ZIP at all
    with app.app_context():
        rows = db.session.execute(
            select(
                SearchLog.zip_code, SearchLog.state, SearchLog.career, SearchLog.result_count
            ).order_by(SearchLog.id)
        ).all()
    assert rows == [("60601", "IL", "medical-office-manager", 1), ("00000", None, None, 0)]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1", 404),
        ("POST", "/api/v1/programs", 405),
    ],
)
def test_errors_under_the_api_are_json_even_where_no_route_matches(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status and response.is_json
    assert response.get_json()["error"]["status"] == status


def test_errors_elsewhere_are_pages(client):
    response = client.get("/apiv1/programs")  # shares the start of the API's prefix, not more
    assert response.status_code == 404 and response.mimetype == "text/html"
