"""A change to a listing reaches the results page within PAGE_CACHE_SECONDS, and at once when
pages are not kept: the search has no other copy of listings (the README's "How fresh results
are"). Each change is made as the product makes it: the admin's services, a visitor's request
that fills the cap, the import command."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from portal import create_app
from portal.core import page_cache
from portal.extensions import db, dispose_engines
from portal.models import SponsorshipTerms, today_utc
from portal.services.listings import set_program_active, update_sponsorship
from tests.conftest import clear_tables
from tests.search.test_views import result_titles
from tests.support.factories import make_program
from tests.support.leads import submit
from tests.support.settings import base_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "programs-example.csv"
KEPT_FOR = 5


@pytest.fixture
def clock(monkeypatch):
    """The page cache's monotonic clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture(params=[0, KEPT_FOR], ids=["pages-not-kept", "pages-kept-5s"])
def fresh_app(request, database_url):
    """An app that keeps result pages for 0 or 5 seconds (production's default is 5)."""
    settings = base_settings(database_url) | {
        "PAGE_CACHE_SECONDS": request.param,
        "LEAD_MIN_FILL_SECONDS": 0,  # the visitor who fills a cap sends the form at once
    }
    app = create_app(settings)
    with app.app_context():
        clear_tables()
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines()


def titles(client, query: str = "?zip=60601") -> list[str]:
    response = client.get(f"/programs{query}")
    assert response.status_code == 200
    return result_titles(response.get_data(as_text=True))


def shows_within_kept_seconds(app, client, clock, before: list[str], after: list[str], query):
    """The page still shows `before` while a kept page lasts, and `after` once it is up (or at
    once when nothing is kept)."""
    if app.config["PAGE_CACHE_SECONDS"]:
        clock[0] += KEPT_FOR - 0.1
        assert titles(client, query) == before
        clock[0] += 0.2
    assert titles(client, query) == after


def two_listings(app) -> tuple[int, int]:
    with app.app_context():
        first = make_program(title="Front Desk Basics", bid_cents=5000, daily_cap=1).id
        second = make_program(title="Billing and Coding", bid_cents=2500).id
    return first, second


def test_a_deactivated_listing_leaves_the_results(fresh_app, clock):
    client = fresh_app.test_client()
    first, _ = two_listings(fresh_app)
    assert titles(client) == ["Front Desk Basics", "Billing and Coding"]
    with fresh_app.app_context():
        set_program_active(first, False)
    both, one = ["Front Desk Basics", "Billing and Coding"], ["Billing and Coding"]
    shows_within_kept_seconds(fresh_app, client, clock, both, one, "?zip=60601")


def test_a_listing_at_its_cap_leaves_the_results(fresh_app, clock):
    client = fresh_app.test_client()
    first, _ = two_listings(fresh_app)
    assert titles(client) == ["Front Desk Basics", "Billing and Coding"]
    visitor = fresh_app.test_client()
    assert submit(visitor, first).status_code == 303  # the daily cap of 1 is now reached
    both, one = ["Front Desk Basics", "Billing and Coding"], ["Billing and Coding"]
    shows_within_kept_seconds(fresh_app, client, clock, both, one, "?zip=60601")


def test_an_edited_sponsorship_reorders_or_ends_a_listing(fresh_app, clock):
    client = fresh_app.test_client()
    first, second = two_listings(fresh_app)
    assert titles(client) == ["Front Desk Basics", "Billing and Coding"]
    with fresh_app.app_context():
        update_sponsorship(second, SponsorshipTerms(bid_cents=9000, starts_on=date(2020, 1, 1)))
    both = ["Front Desk Basics", "Billing and Coding"]
    shows_within_kept_seconds(fresh_app, client, clock, both, both[::-1], "?zip=60601")
    yesterday = today_utc() - timedelta(days=1)
    with fresh_app.app_context():
        ended = SponsorshipTerms(bid_cents=5000, starts_on=date(2020, 1, 1), ends_on=yesterday)
        update_sponsorship(first, ended)
    shows_within_kept_seconds(
        fresh_app, client, clock, both[::-1], ["Billing and Coding"], "?zip=60601"
    )


def test_an_import_that_renames_and_switches_off_listings_shows(fresh_app, clock, tmp_path):
    client = fresh_app.test_client()
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["import-programs", str(EXAMPLE)]).exit_code == 0
    query = "?zip=60601&career=medical-office-manager"
    before = titles(client, query)
    assert "Medical Office Administration" in before
    changed = tmp_path / "changed.csv"
    text = EXAMPLE.read_text()
    changed.write_text(text.replace("Medical Office Administration", "Practice Management", 1))
    result = runner.invoke(args=["import-programs", str(changed)])
    assert result.exit_code == 0 and "1 updated" in result.output, result.output
    after = [t.replace("Medical Office Administration", "Practice Management") for t in before]
    shows_within_kept_seconds(fresh_app, client, clock, before, after, query)


def listed_count(client, slug: str = "phlebotomist") -> str:
    """What a career's page says of how many programs we list for it."""
    html = client.get(f"/careers/{slug}").get_data(as_text=True)
    return re.search(r"Schools list <strong>(\d+) sponsored program", html)[1]


def test_a_career_page_follows_its_listings_as_results_do(fresh_app, clock):
    """The page's text is kept for good; what it says of the listings, like search results."""
    client = fresh_app.test_client()
    with fresh_app.app_context():
        first = make_program(career="phlebotomist").id
        make_program(career="phlebotomist", zip_code="10001")
    assert listed_count(client) == "2"
    with fresh_app.app_context():
        set_program_active(first, False)
    if fresh_app.config["PAGE_CACHE_SECONDS"]:
        clock[0] += KEPT_FOR - 0.1
        assert listed_count(client) == "2"
        clock[0] += 0.2
    assert listed_count(client) == "1"
