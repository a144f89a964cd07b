"""Issue 25 on the API: body limits (400), failed authentications limited per address (429),
RateLimit headers, CORS (public endpoints to every origin, the token-protected ones to
API_CORS_ORIGINS, never with credentials), and every 405 naming Allow, pages included."""

import json

import pytest
from sqlalchemy import event

from config import ConfigError, load_settings
from portal import create_app
from portal.api.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, json_depth
from portal.core.cors import PUBLIC_PATHS
from portal.extensions import db, dispose_engines
from portal.services.school_api import create_token
from tests.support.factories import make_lead, make_program, make_school
from tests.support.settings import base_settings

CRM = "https://crm.example.edu"


@pytest.fixture
def school(app):
    """A school with one lead and a token; another school's lead."""
    with app.app_context():
        program = make_program(make_school("Alder Technical College"), zip_code="60601")
        lead_id = make_lead(program).id
        _, token = create_token(program.school_id, "crm@alder.example")
        other = make_lead(make_program(make_school("Birch Health Academy"))).id
    return {"lead": lead_id, "other_lead": other, "token": token}


def custom_app(database_url, **settings):
    """An app with these settings (rate limits on), leaving the shared limiter off after."""
    app = create_app(base_settings(database_url) | {"RATELIMIT_ENABLED": True} | settings)
    yield app
    with app.app_context():
        dispose_engines()
    create_app(base_settings(database_url))


@pytest.fixture
def limited_app(app, database_url):
    """The same database, with 3 failed authentications a minute per address."""
    yield from custom_app(
        database_url, API_AUTH_FAILURE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI="memory://"
    )


@pytest.fixture
def cors_app(app, database_url):
    """The same database, with CRM allowed to call the token-protected API."""
    yield from custom_app(database_url, API_CORS_ORIGINS=frozenset({CRM}))


# --- 2. JSON bodies: size and depth ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        b"[" * 100_000,
        json.dumps({"outcome": "contacted", "x": "y" * MAX_BODY_BYTES}).encode(),
    ],
    ids=["arrays-1000", "objects-1000", "unclosed-100000", "17-kb"],
)
@pytest.mark.parametrize("whose", ["lead", "other_lead"])
def test_json_too_deep_or_too_large_is_a_400_in_the_api_shape(client, school, body, whose):
    """Before the lead's owner is even checked (issue 25: it was a 500 there)."""
    response = client.post(
        f"/api/v1/leads/{school[whose]}/outcome",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {school['token']}"},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["title"] == "Bad request" and error["detail"]


def test_json_within_the_limits_reaches_the_view(client, school):
    auth = {"Authorization": f"Bearer {school['token']}"}
    nested = {"outcome": "contacted", "extra": json.loads("[" * 30 + "]" * 30)}
    url = f"/api/v1/leads/{school['lead']}/outcome"
    assert client.post(url, json=nested, headers=auth).status_code == 201
    too_deep = {"outcome": "contacted", "extra": json.loads("[" * 40 + "]" * 40)}
    assert client.post(url, json=too_deep, headers=auth).status_code == 400


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [{"b": []}]}', 4),
        (b'["[[[[", "]]]"]', 1),  # brackets in strings do not count
        (b'["\\"[[[["]', 1),  # nor after an escaped quote
        (b"[" * 50, MAX_JSON_DEPTH + 1),  # counting stops past the limit
    ],
)
def test_json_depth(text, depth):
    assert json_depth(text) == depth


# --- 4. Failed authentications per client address ----------------------------------------


def test_made_up_tokens_are_limited_per_address(limited_app, school):
    client = limited_app.test_client()
    address = {"REMOTE_ADDR": "203.0.113.9"}
    codes = []
    for n in range(5):
        fresh = {"Authorization": f"Bearer mcg_made_up_{n}"}  # a new token each try
        codes.append(client.get("/api/v1/leads", headers=fresh, environ_base=address).status_code)
    assert codes == [401, 401, 401, 429, 429]
    refused = client.get("/api/v1/leads", environ_base=address)  # no token: a failure too
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"] == {"status": 429, "title": "Too many requests"}
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["RateLimit-Remaining"] == "0"
    # Refused before any token is looked up: no query reaches the database.
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with limited_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        good = {"Authorization": f"Bearer {school['token']}"}
        blocked = client.get("/api/v1/leads", headers=good, environ_base=address)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert blocked.status_code == 429 and statements == []
    # Another address is not held back, and its good token works.
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get("/api/v1/leads", headers=good, environ_base=other).status_code == 200


def test_successful_authentications_do_not_count(limited_app, school):
    client = limited_app.test_client()
    good = {"Authorization": f"Bearer {school['token']}"}
    codes = {client.get("/api/v1/leads", headers=good).status_code for _ in range(6)}
    assert codes == {200}


def test_the_outcome_route_shares_the_limit(limited_app, school):
    client = limited_app.test_client()
    url = f"/api/v1/leads/{school['lead']}/outcome"
    wrong = {"Authorization": "Bearer mcg_wrong"}
    codes = [client.post(url, json={}, headers=wrong).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


# --- 8. RateLimit headers ------------------------------------------------------------------


def test_api_answers_carry_ratelimit_headers(limited_app, school):
    client = limited_app.test_client()
    for path, headers in (
        ("/api/v1/programs?zip=60601", {}),
        ("/api/v1/programs?zip=6060", {}),  # a 422 is counted as well
        ("/api/v1/openapi.json", {}),
        ("/api/v1/leads", {"Authorization": f"Bearer {school['token']}"}),
    ):
        response = client.get(path, headers=headers)
        limit = int(response.headers["RateLimit-Limit"])
        remaining = int(response.headers["RateLimit-Remaining"])
        reset = int(response.headers["RateLimit-Reset"])
        assert limit > 0 and 0 <= remaining < limit and 0 <= reset <= 60, path
    first = client.get("/api/v1/openapi.json").headers["RateLimit-Remaining"]
    second = client.get("/api/v1/openapi.json").headers["RateLimit-Remaining"]
    assert int(second) == int(first) - 1


# --- 8. CORS -------------------------------------------------------------------------------


def test_public_get_endpoints_answer_any_origin_without_credentials(app, client):
    if not any(rule.rule == "/.well-known/jwks.json" for rule in app.url_map.iter_rules()):
        # The keys' route comes with issue 22; the rule already names its path.
        app.add_url_rule("/.well-known/jwks.json", "jwks_stand_in", lambda: {"keys": []})
    assert "/.well-known/jwks.json" in PUBLIC_PATHS
    for path in (
        "/api/v1/programs?zip=60601",
        "/api/v1/programs",
        "/api/v1/openapi.json",
        "/.well-known/jwks.json",
    ):
        response = client.get(path, headers={"Origin": "https://anywhere.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "RateLimit-Remaining" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/programs",
        headers={"Origin": "https://anywhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_the_leads_api_answers_no_origin_by_default(client, school):
    auth = {"Authorization": f"Bearer {school['token']}", "Origin": CRM}
    response = client.get("/api/v1/leads", headers=auth)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        "/api/v1/leads", headers={"Origin": CRM, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_the_leads_api_answers_listed_origins_for_bearer_tokens(cors_app, school):
    client = cors_app.test_client()
    preflight = client.options(
        f"/api/v1/leads/{school['lead']}/outcome",
        headers={
            "Origin": CRM,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == CRM
    assert set(preflight.headers["Access-Control-Allow-Methods"].split(", ")) == {"OPTIONS", "POST"}
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert "Origin" in preflight.headers["Vary"]
    # Cookies are never let through: no credentials header, whatever the browser sends.
    client.set_cookie("session", "anything")
    auth = {"Authorization": f"Bearer {school['token']}", "Origin": CRM}
    response = client.get("/api/v1/leads", headers=auth)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CRM
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    stranger = client.options(
        "/api/v1/leads",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in stranger.headers


def test_site_pages_answer_no_origin(client):
    response = client.get("/contact", headers={"Origin": "https://anywhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", frozenset()),
        ("https://crm.example.edu", frozenset({CRM})),
        (
            "https://CRM.example.edu/, http://localhost:3000",
            frozenset({CRM, "http://localhost:3000"}),
        ),
    ],
)
def test_api_cors_origins_setting(value, expected):
    assert (
        load_settings({"PORTAL_ENV": "testing", "API_CORS_ORIGINS": value})["API_CORS_ORIGINS"]
        == expected
    )


@pytest.mark.parametrize(
    "value", ["*", "crm.example.edu", "https://crm.example.edu/leads", "ftp://x"]
)
def test_api_cors_origins_refuses_what_is_not_an_origin(value):
    with pytest.raises(ConfigError, match="API_CORS_ORIGINS"):
        load_settings({"PORTAL_ENV": "testing", "API_CORS_ORIGINS": value})


# --- Token-protected answers are never kept by a shared cache -----------------------------


def test_pull_api_answers_are_private(client, school):
    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {school['token']}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


# --- 7. Every 405 carries Allow ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/contact", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("DELETE", "/programs", {"GET", "HEAD", "OPTIONS"}),
        ("TRACE", "/", {"GET", "HEAD", "OPTIONS"}),
        ("PATCH", "/api/v1/leads", {"GET", "HEAD", "OPTIONS"}),
        ("GET", "/api/v1/leads/1/outcome", {"POST", "OPTIONS"}),
    ],
)
def test_every_405_names_the_methods_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed
