"""The listings page: search, filters, activate/deactivate, sponsorship terms."""

from datetime import date

import pytest

from portal.extensions import db
from portal.models import Program
from tests.support.factories import make_program, make_school
from tests.support.forms import csrf_token
from tests.support.htmlcheck import ParsedPage


@pytest.fixture
def programs(app):
    """Three listings: two at one school, one online and inactive at another."""
    with app.app_context():
        acme = make_school("Acme College")
        make_program(acme, title="Medical Office Management")
        make_program(acme, title="Medical Billing", career="medical-billing")
        other = make_program(
            make_school("Zenith Institute"),
            title="Health Admin Online",
            modality="online",
            states=("IL",),
            is_active=False,
        )
        return {"online_id": other.id, "acme_id": acme.id}


def titles(html: str) -> list[str]:
    """Which of the fixture's titles the page lists."""
    all_titles = ["Medical Office Management", "Medical Billing", "Health Admin Online"]
    return [t for t in all_titles if f"{t}<br>" in html]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Medical Office Management", "Medical Billing", "Health Admin Online"]),
        ("q=billing", ["Medical Billing"]),
        ("q=zenith", ["Health Admin Online"]),
        ("career=medical-billing", ["Medical Billing"]),
        ("modality=online", ["Health Admin Online"]),
        ("active=no", ["Health Admin Online"]),
        ("active=yes", ["Medical Office Management", "Medical Billing"]),
    ],
)
def test_search_and_filters(admin_client, programs, query, expected):
    response = admin_client.get(f"/admin/programs?{query}")
    assert response.status_code == 200
    assert sorted(titles(response.get_data(as_text=True))) == sorted(expected)


def test_school_filter(admin_client, programs):
    html = admin_client.get(f"/admin/programs?school={programs['acme_id']}").get_data(as_text=True)
    assert "Health Admin Online" not in html and "Medical Billing" in html


@pytest.mark.parametrize(
    "query",
    ["school=99999999999999999999", "page=" + "9" * 400, "career=a%00b", "q=a%00b"],
)
def test_impossible_filters_are_a_400(admin_client, programs, query):
    # These were 500s: numbers too big for the database's integers or for a float, and NUL,
    # which PostgreSQL refuses in text.
    assert admin_client.get(f"/admin/programs?{query}").status_code == 400


def test_activate_and_deactivate(app, admin_client, programs):
    pid = programs["online_id"]
    token = csrf_token(admin_client, "/admin/programs")
    url = f"/admin/programs/{pid}/active?next=/admin/programs?active%3Dno"
    response = admin_client.post(url, data={"csrf_token": token, "active": "1"})
    assert response.headers["Location"] == "/admin/programs?active=no"
    with app.app_context():
        assert db.session.get(Program, pid).is_active is True
    admin_client.post(f"/admin/programs/{pid}/active", data={"csrf_token": token, "active": "0"})
    with app.app_context():
        assert db.session.get(Program, pid).is_active is False


def test_activate_needs_csrf_and_a_real_program(admin_client, programs):
    pid = programs["online_id"]
    assert (
        admin_client.post(f"/admin/programs/{pid}/active", data={"active": "1"}).status_code == 400
    )
    token = csrf_token(admin_client, "/admin/programs")
    data = {"csrf_token": token, "active": "1"}
    assert admin_client.post("/admin/programs/999/active", data=data).status_code == 404


def test_edit_sponsorship(app, admin_client, programs):
    pid = programs["online_id"]
    form = admin_client.get(f"/admin/programs/{pid}/sponsorship").get_data(as_text=True)
    assert 'value="25.00"' in form
    token = csrf_token(admin_client, f"/admin/programs/{pid}/sponsorship")
    data = {
        "csrf_token": token,
        "bid": "31.50",
        "starts_on": "2026-12-01",
        "ends_on": "2027-03-31",
        "daily_cap": "5",
        "monthly_cap": "",
    }
    response = admin_client.post(f"/admin/programs/{pid}/sponsorship", data=data)
    assert response.status_code == 302
    with app.app_context():
        s = db.session.get(Program, pid).sponsorship
        assert (s.bid_cents, s.starts_on, s.ends_on) == (3150, date(2026, 12, 1), date(2027, 3, 31))
        assert (s.daily_cap, s.monthly_cap) == (5, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2026-11-01"}, "must not be before"),
        ({"bid": "-1"}, "Use an amount from 0 to 1000000"),
        ({"bid": "lots"}, "Not a valid decimal value"),
        ({"daily_cap": "-3"}, "Use a whole number from 0 to 2147483647"),
        # These were 500s: a signalling NaN, infinity, and numbers beyond a float or an int4.
        ({"bid": "sNaN"}, "Use an amount from 0 to 1000000"),
        ({"bid": "Infinity"}, "Use an amount from 0 to 1000000"),
        ({"bid": "1e400"}, "Use an amount from 0 to 1000000"),
        ({"daily_cap": "2147483648"}, "Use a whole number from 0 to 2147483647"),
        ({"monthly_cap": "9" * 400}, "Use a whole number from 0 to 2147483647"),
        ({"starts_on": ""}, "This field is required"),
    ],
)
def test_bad_sponsorship_terms_are_refused(app, admin_client, programs, changes, message):
    pid = programs["online_id"]
    token = csrf_token(admin_client, f"/admin/programs/{pid}/sponsorship")
    data = {"csrf_token": token, "bid": "10", "starts_on": "2026-12-01", "ends_on": ""}
    response = admin_client.post(f"/admin/programs/{pid}/sponsorship", data=data | changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Program, pid).sponsorship.bid_cents == 2500


def test_terms_no_date_or_number_input_can_hold_are_shown_empty(admin_client, programs):
    url = f"/admin/programs/{programs['online_id']}/sponsorship"
    data = {"csrf_token": csrf_token(admin_client, url), "ends_on": ""}

    def shown(**terms) -> dict[str, str]:
        response = admin_client.post(url, data=data | terms)
        assert response.status_code == 422
        fields = ParsedPage(response.get_data(as_text=True)).fields
        return {f["name"]: f.get("value") for f in fields if f["name"] in terms}

    # A browser shows such text as empty anyway: as the value it would be invalid HTML.
    unreadable = {"bid": "+1", "starts_on": "2026-13-01", "daily_cap": "x", "monthly_cap": "1."}
    assert shown(**unreadable) == dict.fromkeys(unreadable, "")
    refused = {"bid": "-1", "starts_on": "2026-12-01", "daily_cap": "-3", "monthly_cap": "1e3"}
    assert shown(**refused) == refused


def test_the_listing_forms_repeat_no_id(admin_client, programs):
    html = admin_client.get("/admin/programs").get_data(as_text=True)
    assert html.count('name="csrf_token"') == 4  # sign-out, and one per listing
    assert ParsedPage(html).duplicate_ids() == set()


def test_unknown_program_sponsorship_is_404(admin_client):
    assert admin_client.get("/admin/programs/999/sponsorship").status_code == 404
