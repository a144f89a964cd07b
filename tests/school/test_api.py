"""The pull API: the feed's cursor (every lead once, oldest first, even with leads committed
while a client pages), `since`, outcomes by API, tokens' last use, and the per-token limit."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db, dispose_engines
from portal.models import Lead, LeadOutcome, Program, SchoolApiToken, utcnow
from portal.services.events import lead_data
from portal.services.leads import next_feed_number
from portal.services.school_api import create_token
from tests.support.factories import lead_values, make_lead, make_program, make_school
from tests.support.settings import base_settings


def pull(client, token: str, cursor: str | None = None, **params):
    """One page of the feed."""
    query = dict(params, **({"cursor": cursor} if cursor else {}))
    response = client.get(
        "/api/v1/leads", headers={"Authorization": f"Bearer {token}"}, query_string=query
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def pull_all(client, token: str, cursor: str | None = None) -> tuple[list[int], str]:
    """Every page until has_more is false; the ids seen and the last cursor."""
    seen = []
    while True:
        page = pull(client, token, cursor)
        seen += [lead["lead_id"] for lead in page["leads"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


def test_each_lead_is_the_webhooks_data_object(app, client, schools):
    a = schools["A"]
    page = pull(client, a.token)
    assert page["has_more"] is False
    with app.app_context():
        expected = [lead_data(lead_id) for lead_id in sorted(a.lead_ids)]
    # In the order they were stored (a capture stores a lead as it arrives: oldest first).
    assert page["leads"] == expected


def test_pages_of_100_with_leads_arriving_between_pages(app, client, schools):
    a = schools["A"]
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        for _ in range(247):
            make_lead(program)
    first = pull(client, a.token)
    assert len(first["leads"]) == 100 and first["has_more"]
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        # An old capture time does not matter: the feed's order is the order of storing.
        late = [make_lead(program, created_at=utcnow() - timedelta(days=9)).id for _ in range(5)]
    seen, cursor = pull_all(client, a.token, first["next_cursor"])
    seen = [lead["lead_id"] for lead in first["leads"]] + seen
    with app.app_context():
        everything = db.session.scalars(
            select(Lead.id).where(Lead.school_id == a.id).order_by(Lead.school_seq)
        ).all()
    assert seen == everything and len(seen) == len(set(seen)) == 3 + 247 + 5
    assert seen[-5:] == late
    again = pull(client, a.token, cursor)
    assert again == {"leads": [], "next_cursor": cursor, "has_more": False}


def test_a_lead_committed_late_is_seen_and_never_skipped(app, client, schools):
    """Two captures at once: the first numbered commits last. A client polling meanwhile
    sees neither before they commit, then both, each once, in feed order."""
    a = schools["A"]
    seen, cursor = pull_all(client, a.token)
    with app.app_context():
        program = db.session.get(Program, a.program_id)
        slow = Session(db.engine)
        slow_id = _store(slow, program)  # numbered, not yet committed: holds the counter
        started, finished = threading.Event(), threading.Event()
        fast_ids = []

        def fast_capture():
            with app.app_context():
                started.set()
                session = Session(db.engine)
                fast_ids.append(_store(session, db.session.get(Program, a.program_id)))
                session.commit()
                session.close()
                finished.set()

        thread = threading.Thread(target=fast_capture)
        thread.start()
        started.wait()
        meanwhile, cursor = pull_all(client, a.token, cursor)
        assert slow_id not in meanwhile
        assert not finished.is_set() or fast_ids[0] in meanwhile
        slow.commit()
        slow.close()
        thread.join()
    later, cursor = pull_all(client, a.token, cursor)
    assert sorted(meanwhile + later) == sorted([slow_id, *fast_ids])
    assert (meanwhile + later).index(slow_id) < (meanwhile + later).index(fast_ids[0])


def _store(session: Session, program: Program) -> int:
    """Store a lead as a capture does: its feed number first, in `session`'s transaction."""
    values = lead_values(program)
    values["school_seq"] = next_feed_number(program.school_id, session)
    lead = Lead(**values)
    session.add(lead)
    session.flush()
    return lead.id


def test_since_and_bad_parameters(app, client, schools):
    a = schools["A"]
    with app.app_context():
        newest = max(a.lead_ids, key=lambda i: db.session.get(Lead, i).created_at)
        since = db.session.get(Lead, newest).created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [x["lead_id"] for x in pull(client, a.token, since=since)["leads"]] == [newest]
    auth = {"Authorization": f"Bearer {a.token}"}
    # `since` is RFC 3339 with its zone (the document's `format: date-time`), nothing looser;
    # a cursor is any string, and one this API did not give the school names nothing (404).
    for query, status, name in (
        ({"since": "yesterday"}, 422, "since"),
        ({"since": ""}, 422, "since"),
        ({"since": "2026-11-01"}, 422, "since"),
        ({"since": "2026-11-01T00:00:00"}, 422, "since"),  # no zone
        ({"since": "2026-02-30T00:00:00Z"}, 422, "since"),
        ({"since": "2026-11-01T00:00:00.123456789z"}, 200, None),
        ({"since": "2026-11-01t09:00:00-05:00"}, 200, None),
        ({"since": "9999-12-31T23:59:59-23:59"}, 200, None),  # past UTC's last day: the end
        ({"since": "0001-01-01T00:00:00+23:59"}, 200, None),  # before its first: the start
        ({"cursor": "djE6MTo5" + "9" * 5000}, 404, "cursor"),
        ({"cursor": "!!!"}, 404, "cursor"),
        ({"cursor": ""}, 200, None),
        ({"cursor": "djE6MTox"}, 200, None),  # base64 of v1:1:1: school A's own cursor
    ):
        response = client.get("/api/v1/leads", headers=auth, query_string=query)
        assert response.status_code == status, query
        if name is not None:
            assert list(response.get_json()["error"]["fields"]) == [name]
    end = client.get(
        "/api/v1/leads", headers=auth, query_string={"since": "9999-12-31T23:59:59-23:59"}
    )
    assert end.get_json()["leads"] == []
    start = client.get(
        "/api/v1/leads", headers=auth, query_string={"since": "0001-01-01T00:00:00+23:59"}
    )
    assert len(start.get_json()["leads"]) == 3


def test_recording_an_outcome_by_api(app, client, schools):
    a = schools["A"]
    auth = {"Authorization": f"Bearer {a.token}"}
    url = f"/api/v1/leads/{a.lead_ids[0]}/outcome"
    response = client.post(url, headers=auth, json={"outcome": "applied"})
    assert response.status_code == 201
    assert response.get_json()["outcome"] == "applied"
    for body, field in (
        ({"outcome": "hired"}, "outcome"),
        ({"outcome": "applied", "date": "30/11/2026"}, "date"),
        ({"outcome": "applied", "date": "1999-01-01"}, "date"),
        ({"outcome": "applied", "date": None}, "date"),
        ({"outcome": "applied", "date": "20261104"}, "date"),
        ([1, 2], "body"),
    ):
        response = client.post(url, headers=auth, json=body)
        assert response.status_code == 422
        assert list(response.get_json()["error"]["fields"]) == [field]
    response = client.post(url, headers=auth, data="not json")
    assert response.status_code == 422
    with app.app_context():
        lead = db.session.get(Lead, a.lead_ids[0])
        assert lead.outcome == "applied"
        actors = db.session.scalars(select(LeadOutcome.actor)).all()
        assert actors == [f"API token {a.token[:12]}"]
        token = db.session.get(SchoolApiToken, a.token_id)
        assert token.last_used_at is not None


@pytest.fixture
def limited_app(database_url):
    """An app with the API limited to 2 requests a minute per token."""
    app = create_app(
        base_settings(database_url)
        | {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SCHOOL_API_RATE_LIMIT": "2 per minute",
        }
    )
    yield app
    with app.app_context():
        dispose_engines()
    create_app(base_settings(database_url))  # leave the shared limiter switched off


def test_the_rate_limit_is_per_token(app, limited_app, schools):
    with limited_app.app_context():
        school = make_school()
        make_program(school)
        _, other = create_token(school.id, "ops")
    client = limited_app.test_client()
    mine = {"Authorization": f"Bearer {schools['A'].token}"}
    codes = [client.get("/api/v1/leads", headers=mine).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/leads", headers=mine).get_json()["error"]["status"] == 429
    theirs = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/leads", headers=theirs).status_code == 200


def test_disabling_a_user_revokes_the_tokens_they_made(app, client, schools, admin_client):
    """Issue 25: a token no longer outlives the school user who made it."""
    from portal.models import SchoolUser
    from tests.support.factories import make_school_user
    from tests.support.forms import csrf_token, form_inputs, sign_in_school

    a = schools["A"]
    with app.app_context():
        colleague = make_school_user(db.session.get(SchoolUser, a.user_id).school, "co@a.example")
        colleague_id = colleague.id

    def made_on_the_page(email: str) -> str:
        browser = app.test_client()
        assert sign_in_school(browser, email).status_code == 302
        token = csrf_token(browser, "/school/api-tokens")
        page = browser.post("/school/api-tokens", data={"csrf_token": token})
        assert page.status_code == 201
        return page.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]

    mine, theirs = made_on_the_page(a.user_email), made_on_the_page("co@a.example")

    def works(token: str) -> int:
        return client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).status_code

    assert works(mine) == works(theirs) == works(a.token) == 200

    page = admin_client.get(f"/admin/schools/{a.id}")
    disable = {"csrf_token": form_inputs(page.get_data(as_text=True))["csrf_token"], "enabled": "0"}
    url = f"/admin/schools/{a.id}/users/{colleague_id}/enabled"
    answer = admin_client.post(url, data=disable, follow_redirects=True)
    assert "the API tokens they made are revoked" in answer.get_data(as_text=True)
    assert works(theirs) == 401
    assert works(mine) == works(a.token) == 200  # another user's, and a shell-made one, live on

    enable = {**disable, "enabled": "1"}
    admin_client.post(url, data=enable)
    assert works(theirs) == 401  # enabling again brings none back

    browser = app.test_client()
    assert sign_in_school(browser, a.user_email).status_code == 302
    tokens_page = browser.get("/school/api-tokens").get_data(as_text=True)
    assert "disabling a user revokes every token they made" in tokens_page
    assert tokens_page.count("Revoked") == 1
