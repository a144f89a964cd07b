"""The dashboard page: headline figures with their change, charts with axes and a table of
their figures, the range selector, the delivery figures, and an empty dashboard."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import utcnow
from tests.support.factories import make_lead, make_program, make_school
from tests.support.hostile import SCRIPT


@pytest.fixture
def recent(app):
    """Leads and searches of the last few days, at two schools."""
    from portal.extensions import db
    from portal.models import SearchLog

    now = utcnow()
    with app.app_context():
        acme = make_program(make_school("Acme"), bid_cents=4000)
        zenith = make_program(make_school(f"Zenith {SCRIPT}"))
        for days, program in [(0, acme), (0, acme), (1, zenith), (5, acme), (20, acme)]:
            make_lead(program, created_at=now - timedelta(days=days, minutes=1), price_cents=4000)
        for zip_code, state, results in [("99501", "AK", 0), ("60601", "IL", 7)]:
            db.session.add(
                SearchLog(
                    created_at=now - timedelta(minutes=5),
                    zip_code=zip_code,
                    state=state,
                    radius_miles=50,
                    result_count=results,
                )
            )
        db.session.commit()


def test_headline_figures_with_their_change(admin_client, recent):
    html = admin_client.get("/admin").get_data(as_text=True)
    for title in ("Leads today", "Leads this week", "Leads this month", "Revenue this month"):
        assert f"<h3>{title}</h3>" in html
    for title in ("Waiting to be exported", "Searches today", "Searches to leads today"):
        assert f"<h3>{title}</h3>" in html
    assert "vs" in html and "yesterday by this time" in html
    assert re.search(r'class="visually-hidden">(up|down) </span>', html)  # said, not just drawn


def test_charts_have_axes_and_a_table_of_their_figures(admin_client, recent):
    html = admin_client.get("/admin?days=7").get_data(as_text=True)
    for title in (
        "Leads per day",
        "Revenue per day",
        "Leads per school (top 10)",
        "Searches per state",
        "ZIPs searched most with no results",
    ):
        assert f">{title}</h2>" in html
        assert f'aria-label="{title}, table"' in html  # the figures as a table, behind a toggle
    assert html.count('<svg class="chart chart-wide"') == 5
    assert html.count('<svg class="chart chart-narrow"') == 5
    assert html.count('<g class="axis" aria-hidden="true">') == 10
    assert 'class="tick"' in html and 'class="grid"' in html
    assert "<summary>Table of the figures</summary>" in html
    assert '<th scope="row">Acme</th><td class="num">3</td>' in html
    assert '<th scope="row">99501</th><td class="num">1</td>' in html
    assert "$0" in html  # revenue axis in dollars
    assert SCRIPT not in html  # a school's name is text


@pytest.mark.parametrize(("query", "days"), [("", 30), ("?days=7", 7), ("?days=90", 90)])
def test_the_range_selector(admin_client, recent, query, days):
    html = admin_client.get("/admin" + query).get_data(as_text=True)
    assert f"in {days} days" in html
    assert f'href="/admin?days={days}" aria-current="true"' in html


def test_a_range_from_one_day_to_another(admin_client, recent):
    today = utcnow().date()
    since = (today - timedelta(days=2)).isoformat()
    html = admin_client.get(f"/admin?since={since}&until={today}").get_data(as_text=True)
    assert "in 3 days" in html and 'aria-current="true"' not in html.split("Range")[1][:400]


@pytest.mark.parametrize(
    "query",
    [
        "?days=8",
        "?days=x",
        "?since=2026-11-05&until=2026-11-01",
        "?since=2026-11-05",
        "?since=2020-01-01&until=2026-01-01",
        "?since=2026-13-01&until=2026-12-01",
    ],
)
def test_a_range_that_cannot_be_shown_is_a_400_with_a_message(admin_client, query):
    response = admin_client.get("/admin" + query)
    assert response.status_code == 400
    assert "That range cannot be shown" in response.get_data(as_text=True)


def test_delivery_figures_stay(admin_client):
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "Deliveries to schools" in html and "Capture to delivery, median (7 days)" in html


def test_empty_dashboard_says_so(admin_client):
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "No leads in these days." in html and "No searches in these days." in html
    assert "<svg" not in html


def test_times_of_today_are_the_admins(app, admin_client):
    """At 01:00 UTC it is still yesterday in New York: such a lead is not one of today's."""
    with app.app_context():
        make_lead(make_program(), created_at=datetime(2026, 11, 27, 1, tzinfo=UTC))
    app.config["ADMIN_TIMEZONE"] = "America/New_York"
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "Days, weeks and months in America/New_York." in html
