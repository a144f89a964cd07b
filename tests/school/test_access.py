"""No school sees anything of another: every /school URL and every API route, as school A
with each of school B's ids, signed out, as an admin; and a school user on /admin."""

import re

import pytest

from portal.models import LEAD_OUTCOMES
from portal.services.school_api import encode_cursor
from tests.support.forms import csrf_token, sign_in_school

ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def routes(app, prefix: str):
    """(rule, methods) of every route under `prefix`."""
    return [
        (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix)
    ]


def b_values(b) -> dict[str, list[int]]:
    """Each of school B's ids, by the name a route gives it."""
    return {"lead_id": b.lead_ids, "token_id": [b.token_id], "school_id": [b.id]}


def urls_with(rule: str, values: dict[str, list[int]]) -> list[str]:
    """The URLs of `rule` with each of the given ids put in."""
    names = ARGUMENT.findall(rule)
    if not names:
        return [rule]
    assert len(names) == 1, rule
    return [ARGUMENT.sub(str(value), rule) for value in values[names[0]]]


def no_b_data(body: str, b) -> None:
    for secret in (b.marker, b.name, b.user_email, b.token):
        assert secret not in body


def test_every_school_url_with_b_ids_is_404_for_a(app, school_client, schools):
    a, b = schools["A"], schools["B"]
    token = csrf_token(school_client, "/school/leads")
    with_ids = [r for r in routes(app, "/school") if "<" in r[0]]
    assert {rule for rule, _ in with_ids} == {
        "/school/leads/<id:lead_id>",
        "/school/leads/<id:lead_id>/outcome",
        "/school/leads/<id:lead_id>/return",
        "/school/leads/<id:lead_id>/receipt.jws",
        "/school/api-tokens/<id:token_id>/revoke",
    }
    for rule, methods in with_ids:
        for url in urls_with(rule, b_values(b)):
            for method in methods:
                data = {"csrf_token": token, "outcome": "contacted", "occurred_on": "2026-11-30"}
                data.update(reason="wrong_number")
                response = school_client.open(url, method=method, data=data)
                assert response.status_code == 404, (method, url)
                no_b_data(response.get_data(as_text=True), b)
    # Nothing of B changed: its leads have no outcome nor return, its token still works.
    response = school_client.get("/api/v1/leads", headers={"Authorization": f"Bearer {b.token}"})
    assert response.status_code == 200
    assert all(lead["school_id"] == b.id for lead in response.get_json()["leads"])
    assert a.id != b.id


def test_every_school_page_with_b_ids_in_its_query_shows_nothing_of_b(app, school_client, schools):
    b = schools["B"]
    token = csrf_token(school_client, "/school/leads")
    query = {"program": b.program_id, "campus": b.campus_id, "month": "2026-11"}
    for rule, methods in routes(app, "/school"):
        if "<" in rule:
            continue
        for method in methods:
            if method == "GET":
                response = school_client.get(rule, query_string=query)
            else:
                data = {"csrf_token": token, **query}
                if rule.endswith("/logout"):
                    continue  # signing out is tested on its own
                response = school_client.post(rule, data=data)
            assert response.status_code < 500, (method, rule)
            no_b_data(response.get_data(as_text=True), b)


def test_the_school_csv_holds_only_the_schools_leads(school_client, schools):
    a, b = schools["A"], schools["B"]
    token = csrf_token(school_client, "/school/leads")
    response = school_client.post(
        "/school/leads/export.csv", data={"csrf_token": token, "program": b.program_id}
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("\r\n") == 1  # the header alone
    response = school_client.post("/school/leads/export.csv", data={"csrf_token": token})
    body = response.get_data(as_text=True)
    assert body.startswith("Lead ID,Received (UTC),School")
    assert body.count("\r\n") == 4 and body.count(f",{a.marker} Program,") == 3
    no_b_data(body, b)


def test_the_api_with_a_token_and_b_ids(app, client, schools):
    a, b = schools["A"], schools["B"]
    auth = {"Authorization": f"Bearer {a.token}"}
    listed = client.get("/api/v1/leads", headers=auth)
    assert listed.status_code == 200
    assert sorted(lead["lead_id"] for lead in listed.get_json()["leads"]) == sorted(a.lead_ids)
    no_b_data(listed.get_data(as_text=True), b)
    for lead_id in b.lead_ids:
        response = client.post(
            f"/api/v1/leads/{lead_id}/outcome", headers=auth, json={"outcome": "enrolled"}
        )
        assert response.status_code == 404
        assert response.get_json() == {"error": {"status": 404, "title": "Page not found"}}
    cursor = encode_cursor(b.id, 0)
    response = client.get("/api/v1/leads", headers=auth, query_string={"cursor": cursor})
    assert response.status_code == 404  # another school's cursor names nothing of A's
    assert "cursor" in response.get_json()["error"]["fields"]
    api_rules = {rule for rule, _ in routes(app, "/api/v1/leads")}
    assert api_rules == {"/api/v1/leads", "/api/v1/leads/<id:lead_id>/outcome"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer mcg_not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_the_api_without_a_valid_token_is_401(client, schools, headers):
    b = schools["B"]
    for method, url, body in (
        ("GET", "/api/v1/leads", None),
        ("POST", f"/api/v1/leads/{b.lead_ids[0]}/outcome", {"outcome": "contacted"}),
        ("GET", "/api/v1/opt-outs", None),
    ):
        response = client.open(url, method=method, headers=headers, json=body)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]["status"] == 401
        no_b_data(response.get_data(as_text=True), b)


def test_a_revoked_token_is_401(app, school_client, client, schools):
    a = schools["A"]
    token = csrf_token(school_client, "/school/api-tokens")
    response = school_client.post(
        f"/school/api-tokens/{a.token_id}/revoke", data={"csrf_token": token}
    )
    assert response.status_code == 303
    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {a.token}"})
    assert response.status_code == 401


def test_signed_out_every_school_url_goes_to_sign_in(app, client, schools):
    b = schools["B"]
    for rule, methods in routes(app, "/school"):
        if rule == "/school/login":
            continue
        for url in urls_with(rule, b_values(b)):
            for method in methods:
                response = client.open(url, method=method)
                if method == "POST" and response.status_code == 400:
                    continue  # refused for want of a CSRF token, before anything else
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/school/login")
                no_b_data(response.get_data(as_text=True), b)


def test_an_admin_session_does_not_open_school_pages(app, admin_client, schools):
    b = schools["B"]
    for rule, methods in routes(app, "/school"):
        if rule == "/school/login":
            continue
        for url in urls_with(rule, b_values(b)):
            if "GET" in methods:
                response = admin_client.get(url)
            else:
                token = csrf_token(admin_client, "/admin")
                response = admin_client.post(url, data={"csrf_token": token})
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/school/login")
    page = admin_client.get("/school/login").get_data(as_text=True)
    assert "School sign-in" in page and "Sign out" not in page


def test_a_school_session_does_not_open_admin_pages(app, school_client, schools):
    b = schools["B"]
    values = {**b_values(b), "export_id": [1], "program_id": [b.program_id]}
    values |= {"destination_id": [1], "delivery_id": [1], "message_id": [1]}
    values |= {"request_id": [1], "user_id": [b.user_id], "return_id": [1]}
    for rule, methods in routes(app, "/admin"):
        if rule == "/admin/login":
            continue
        names = ARGUMENT.findall(rule)
        url = rule
        for name in names:
            url = ARGUMENT.sub(str(values.get(name, [1])[0]), url, count=1)
        response = school_client.get(url) if "GET" in methods else school_client.post(url)
        assert response.status_code in (302, 400), url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/admin/login")
        no_b_data(response.get_data(as_text=True), b)
    page = school_client.get("/admin/login").get_data(as_text=True)
    assert "Admin sign-in" in page and "Sign out" not in page


def test_sign_out_and_password_change_end_sessions(app, client, schools):
    a = schools["A"]
    other = app.test_client()
    assert sign_in_school(client, a.user_email).status_code == 302
    assert sign_in_school(other, a.user_email).status_code == 302
    token = csrf_token(client, "/school/password")
    response = client.post(
        "/school/password",
        data={
            "csrf_token": token,
            "current": "correct horse battery staple",
            "new": "a much better passphrase",
            "confirm": "a much better passphrase",
        },
    )
    assert response.status_code == 303
    assert other.get("/school/leads").status_code == 302
    assert sign_in_school(client, a.user_email).status_code == 401
    assert sign_in_school(client, a.user_email, "a much better passphrase").status_code == 302
    token = csrf_token(client, "/school/leads")
    assert client.post("/school/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/school/leads").status_code == 302


def test_posts_without_csrf_are_refused(school_client, schools):
    a = schools["A"]
    response = school_client.post(
        f"/school/leads/{a.lead_ids[0]}/outcome", data={"outcome": "contacted"}
    )
    assert response.status_code in (400, 422)
    assert "Contacted" not in LEAD_OUTCOMES.get("x", "")
    assert school_client.post("/school/api-tokens").status_code == 400


def test_a_disabled_user_cannot_sign_in(app, admin_client, client, schools):
    a = schools["A"]
    token = csrf_token(admin_client, f"/admin/schools/{a.id}")
    response = admin_client.post(
        f"/admin/schools/{a.id}/users/{a.user_id}/enabled",
        data={"csrf_token": token, "enabled": "0"},
    )
    assert response.status_code == 303
    assert sign_in_school(client, a.user_email).status_code == 401
