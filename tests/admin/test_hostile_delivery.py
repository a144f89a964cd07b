"""Hostile input on the schools' delivery pages: URLs, addresses, switches, page numbers and
`next` links get a message and a 4xx, never a 500, and nothing unusable is stored."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Destination
from portal.services.destinations import add_webhook
from tests.support.factories import make_program, make_school
from tests.support.forms import csrf_token
from tests.support.hostile import HOSTILE, SCRIPT, assert_answered, maybe, query


@pytest.fixture
def school(app) -> dict:
    """A school with a listing and one webhook destination."""
    with app.app_context():
        school_id = make_program(make_school("Harbor Health College")).school_id
        destination_id = add_webhook(school_id, "https://crm.example.edu/in", False).destination.id
        return {"id": school_id, "destination_id": destination_id}


@HOSTILE
@given(url=maybe(["https://crm.example.edu/leads", "http://127.0.0.1:9/x", "ftp://x/"]))
def test_adding_a_webhook_answers_hostile_urls(app, admin_client, school, url):
    page = f"/admin/schools/{school['id']}"
    data = {"csrf_token": csrf_token(admin_client, page), "url": url}
    body = assert_answered(admin_client.post(f"{page}/webhooks", data=data), {200, 422})
    assert SCRIPT not in body
    with app.app_context():
        for stored in db.session.scalars(select(Destination.url)):
            assert urlsplit(stored).scheme in ("http", "https") and urlsplit(stored).hostname
        db.session.remove()


@HOSTILE
@given(addresses=maybe(["a@example.edu", "a@example.edu, b@example.edu", "nope"]))
def test_adding_email_answers_hostile_addresses(admin_client, school, addresses):
    page = f"/admin/schools/{school['id']}"
    data = {"csrf_token": csrf_token(admin_client, page), "addresses": addresses}
    body = assert_answered(admin_client.post(f"{page}/emails", data=data), {302, 422})
    assert SCRIPT not in body


@HOSTILE
@given(enabled=maybe(["0", "1"]), page=st.none() | maybe(["1", "2"]))
def test_switches_and_pages_answer_hostile_input(admin_client, school, enabled, page):
    token = csrf_token(admin_client, f"/admin/schools/{school['id']}")
    url = f"/admin/destinations/{school['destination_id']}/enabled"
    assert_answered(
        admin_client.post(url, data={"csrf_token": token, "enabled": enabled}), {302, 400}
    )
    listing = admin_client.get(f"/admin/schools/{school['id']}", query_string=query(page=page))
    assert_answered(listing, {200})


@HOSTILE
@given(next_url=st.none() | maybe(["/admin/schools", "//evil.example/", "https://evil.example/"]))
def test_redeliver_never_leaves_the_site(admin_client, school, next_url):
    token = csrf_token(admin_client, "/admin/schools")
    response = admin_client.post(
        "/admin/deliveries/1/redeliver",
        data={"csrf_token": token},
        query_string=query(next=next_url),
    )
    assert_answered(response, {302, 404})
    if response.status_code == 302:
        assert not urlsplit(response.headers["Location"]).netloc
