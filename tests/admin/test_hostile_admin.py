"""Hostile input on the admin pages: filters, sign-in, listings, sponsorship, export, deletion.

An admin's typo or a forged link gets a message and a 4xx status, never a 500; what is stored
stays within the database's rules; and lead data full of markup is shown escaped.
"""

import itertools
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, Sponsorship
from tests.support.factories import PASSWORD, make_lead, make_program, make_school
from tests.support.forms import csrf_token
from tests.support.hostile import (
    HOSTILE,
    SCRIPT,
    assert_answered,
    maybe,
    query,
)

DATES = ["2026-11-01", "2026-01-31", "2025-12-31", ""]
IDS = ["1", "2", "0", ""]
INT32_MAX = 2**31 - 1
SCHOOL_NUMBERS = itertools.count(1)
OWN_SCRIPT = re.compile(r'<script src="/static/js/[a-z-]+\.js" defer></script>')


@pytest.fixture
def leads(app):
    """A listing with two leads, so the lists and exports have rows to show."""
    with app.app_context():
        program = make_program(make_school("Harbor Health College"))
        make_lead(program)
        make_lead(program, state="WI")
        return program.id


lead_filters = st.builds(
    query,
    since=st.none() | maybe(DATES),
    until=st.none() | maybe(DATES),
    career=st.none() | maybe(["medical-office-manager", ""]),
    school=st.none() | maybe(IDS),
    program=st.none() | maybe(IDS),
    state=st.none() | maybe(["IL", "wi", ""]),
    status=st.none() | maybe(["new", "exported", "rejected", ""]),
    page=st.none() | maybe(["1", "2", ""]),
)


@HOSTILE
@given(args=lead_filters)
def test_lead_filters_answer_hostile_parameters(admin_client, leads, args):
    body = assert_answered(admin_client.get("/admin/leads", query_string=args), {200, 400})
    assert SCRIPT not in body


EXPORT_FLAGS = ["not_exported", "mark_exported", "include_duplicates", "include_rejected", "bom"]


@HOSTILE
@given(
    args=lead_filters,
    flags=st.sets(st.sampled_from(EXPORT_FLAGS)),
    columns=st.none() | maybe(["full", "school", ""]),
    button=st.sampled_from(["submit", "per_school"]),
)
def test_export_filters_answer_hostile_parameters(
    admin_client, leads, args, flags, columns, button
):
    args = args | dict.fromkeys(flags, "y") | query(columns=columns) | {button: "Go"}
    args["csrf_token"] = csrf_token(admin_client, "/admin/leads")
    response = admin_client.post("/admin/leads/export.csv", data=args)
    body = response.get_data()
    assert response.status_code in {200, 400}, response.status_code
    if response.status_code == 400:
        assert_answered(response, {400})
    elif response.mimetype == "application/zip":
        assert body.startswith(b"PK") and button == "per_school"
    else:
        assert response.mimetype == "text/csv"
        assert body.lstrip(b"\xef\xbb\xbf").startswith((b"lead_id,", b"Lead ID,"))


@HOSTILE
@given(page=maybe(["1", "2", ""]))
def test_export_history_answers_hostile_page_numbers(admin_client, page):
    assert_answered(admin_client.get("/admin/exports", query_string={"page": page}), {200, 400})


@HOSTILE
@given(
    email=maybe(["admin@example.com", " ADMIN@example.com ", ""]),
    password=maybe([PASSWORD, ""]),
    next_url=st.none() | maybe(["/admin/leads", "//evil.example/", "https://evil.example/"]),
)
def test_sign_in_answers_hostile_input_and_never_leaves_the_site(
    app, admin, email, password, next_url
):
    client = app.test_client()
    data = query(csrf_token=csrf_token(client, "/admin/login"), email=email, password=password)
    data |= query(next=next_url)
    response = client.post("/admin/login", data=data)
    assert_answered(response, {200, 302, 401, 422})
    if response.status_code == 302:
        target = urlsplit(response.headers["Location"])
        assert not target.scheme and not target.netloc
        assert target.path.startswith("/admin")


program_filters = st.builds(
    query,
    q=st.none() | maybe(["Medical", "EXT-", ""]),
    career=st.none() | maybe(["medical-office-manager", ""]),
    school=st.none() | maybe(IDS),
    modality=st.none() | maybe(["campus", "online", "hybrid", ""]),
    active=st.none() | maybe(["yes", "no", ""]),
    page=st.none() | maybe(["1", "2", ""]),
)


@HOSTILE
@given(args=program_filters)
def test_program_filters_answer_hostile_parameters(admin_client, leads, args):
    body = assert_answered(admin_client.get("/admin/programs", query_string=args), {200, 400})
    assert SCRIPT not in body


@HOSTILE
@given(active=maybe(["0", "1"]), next_url=st.none() | maybe(["/admin/programs", "//evil.x/"]))
def test_switching_a_listing_answers_hostile_input(admin_client, leads, active, next_url):
    data = {"csrf_token": csrf_token(admin_client, "/admin/programs"), "active": active}
    url = f"/admin/programs/{leads}/active"
    response = admin_client.post(url, data=data, query_string=query(next=next_url))
    assert_answered(response, {302, 400})
    if response.status_code == 302:
        assert not urlsplit(response.headers["Location"]).netloc


sponsorship_terms = st.builds(
    query,
    bid=maybe(["25", "25.50", "0", "1000000"]),
    starts_on=maybe(["2026-01-01", ""]),
    ends_on=st.none() | maybe(["2026-12-31", "2025-01-01", ""]),
    daily_cap=st.none() | maybe(["0", "10", ""]),
    monthly_cap=st.none() | maybe(["100", ""]),
)


@HOSTILE
@given(terms=sponsorship_terms)
def test_sponsorship_form_answers_hostile_terms(app, admin_client, leads, terms):
    url = f"/admin/programs/{leads}/sponsorship"
    data = {"csrf_token": csrf_token(admin_client, url), **terms}
    assert_answered(admin_client.post(url, data=data), {302, 422})
    with app.app_context():
        sponsorship = db.session.scalar(select(Sponsorship).where(Sponsorship.program_id == leads))
        assert 0 <= sponsorship.bid_cents <= INT32_MAX
        for cap in (sponsorship.daily_cap, sponsorship.monthly_cap):
            assert cap is None or 0 <= cap <= INT32_MAX
        assert sponsorship.ends_on is None or sponsorship.ends_on >= sponsorship.starts_on
        db.session.remove()


@HOSTILE
@given(email=maybe(["ada1@example.com", "nobody@example.com"]), confirm=maybe(["y", ""]))
def test_data_deletion_answers_hostile_input(admin_client, leads, email, confirm):
    url = "/admin/privacy/delete"
    data = {"csrf_token": csrf_token(admin_client, url), "email": email, "confirm": confirm}
    assert_answered(admin_client.post(url, data=data), {302, 422})


marked_text = st.builds(
    lambda before, after: before + SCRIPT + after,
    st.text(max_size=10).map(lambda s: s.replace("\x00", "")),
    st.text(max_size=10).map(lambda s: s.replace("\x00", "")),
)
SHOWN_IN_LIST = ("first_name", "last_name", "email")
SHOWN_IN_DETAIL = (
    *SHOWN_IN_LIST,
    "user_agent",
    "page_url",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)


@HOSTILE
@given(values=st.fixed_dictionaries({column: marked_text for column in SHOWN_IN_DETAIL}))
def test_lead_data_full_of_markup_is_shown_escaped(app, admin_client, leads, values):
    with app.app_context():
        program = make_program(make_school(f"{SCRIPT} School {next(SCHOOL_NUMBERS)}"))
        lead_id = make_lead(program, **values).id
        db.session.remove()
    pages = {"/admin/leads": SHOWN_IN_LIST, f"/admin/leads/{lead_id}": SHOWN_IN_DETAIL}
    for url, columns in pages.items():
        body = assert_answered(admin_client.get(url), {200})
        # The page's own enhancement script aside, no script element may be on it.
        body = OWN_SCRIPT.sub("", body)
        assert SCRIPT not in body and "<script" not in body
        for column in columns:
            assert str(escape(values[column])) in body, column


list_args = st.builds(
    query,
    q=st.none() | maybe(["ada", "(312) 555-0100", "%", ""]),
    sort=st.none() | maybe(["date", "school", "program", "state", "status", ""]),
    order=st.none() | maybe(["asc", "desc", ""]),
)


@HOSTILE
@given(args=list_args)
def test_search_and_sort_answer_hostile_parameters(admin_client, leads, args):
    body = assert_answered(admin_client.get("/admin/leads", query_string=args), {200, 400})
    assert SCRIPT not in body


@HOSTILE
@given(
    ids=st.lists(maybe(["1", "2", "0", "-1"]), max_size=4),
    status=maybe(["new", "exported", "rejected", ""]),
    reason=st.none() | maybe(["test", "duplicate", "other", ""]),
    note=st.none() | maybe(["Called twice.", "line one\r\nline two", ""]),
)
def test_status_changes_answer_hostile_input(app, admin_client, leads, ids, status, reason, note):
    data = {"bulk-lead": ids, "bulk-status": status}
    data |= {f"bulk-{k}": v for k, v in query(reason=reason, note=note).items()}
    data["csrf_token"] = csrf_token(admin_client, "/admin/leads")
    assert_answered(admin_client.post("/admin/leads", data=data), {303, 422})
    single = {"csrf_token": data["csrf_token"], "status": status} | query(reason=reason, note=note)
    assert_answered(admin_client.post(f"/admin/leads/{leads}/status", data=single), {303, 404, 422})
    with app.app_context():
        for lead in db.session.scalars(select(Lead)):
            assert (lead.status == "rejected") == (lead.reject_reason is not None)
            assert lead.billable == (lead.status != "rejected" and lead.duplicate_of_id is None)


@HOSTILE
@given(body=maybe(["A note.", "two\nlines", ""]))
def test_notes_answer_hostile_input(app, admin_client, body):
    with app.app_context():
        lead_id = make_lead(make_program(make_school(f"Note School {next(SCHOOL_NUMBERS)}"))).id
    data = {"csrf_token": csrf_token(admin_client, "/admin/leads"), "body": body}
    response = admin_client.post(f"/admin/leads/{lead_id}/notes", data=data)
    assert_answered(response, {303, 422})
    page = assert_answered(admin_client.get(f"/admin/leads/{lead_id}"), {200})
    assert SCRIPT not in page


@HOSTILE
@given(
    args=st.builds(
        query,
        days=st.none() | maybe(["7", "30", "90", ""]),
        since=st.none() | maybe(DATES),
        until=st.none() | maybe(DATES),
    )
)
def test_dashboard_range_answers_hostile_parameters(admin_client, args):
    assert_answered(admin_client.get("/admin", query_string=args), {200, 400})
