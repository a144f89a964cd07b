"""Listing figures: request-form views counted per listing and UTC day (batched or not), and
shown with leads, returns and spend on the school's Listings page."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import ListingDay, today_utc
from portal.services.listing_stats import record_form_view, record_impressions


def test_form_views_and_impressions_are_counted_per_day(app, client, school_client, schools):
    a = schools["A"]
    for _ in range(3):
        assert client.get(f"/programs/{a.program_id}/request-info?zip=60601").status_code == 200
    assert client.get("/programs/999999/request-info?zip=60601").status_code == 404
    with app.test_request_context():
        record_impressions([a.program_id, a.program_id, schools["B"].program_id])
    with app.app_context():
        rows = {
            row.program_id: (row.impressions, row.form_views)
            for row in db.session.scalars(select(ListingDay).where(ListingDay.day == today_utc()))
        }
    assert rows == {a.program_id: (1, 3), schools["B"].program_id: (1, 0)}
    page = school_client.get("/school/performance").get_data(as_text=True)
    assert today_utc().isoformat() in page and f"{schools['A'].marker} Program" in page
    assert schools["B"].marker not in page


def test_batched_counts_add_up_when_flushed(app, schools):
    a = schools["A"]
    writer = app.extensions["listing_stats"]
    writer.seconds = 3600  # batched: nothing is written until the flush
    with app.test_request_context():
        record_impressions([a.program_id])
        record_impressions([a.program_id])
    assert writer.flush() == 2
    with app.test_request_context():
        record_impressions([a.program_id])
    assert writer.flush() == 1
    with app.app_context():
        row = db.session.get(ListingDay, (a.program_id, today_utc()))
        assert row.impressions == 3


def test_a_batch_keeps_one_sum_per_listing_and_day_however_many_pages_show_it(app, schools):
    a, b = schools["A"].program_id, schools["B"].program_id
    writer = app.extensions["listing_stats"]
    writer.seconds, writer.max_rows = 3600, 3  # full at three sums, not three views
    with app.test_request_context():
        for _ in range(50):
            record_impressions([a, b])
        assert len(writer._rows) == 2
        record_form_view(a)
    assert len(writer._rows) == 0  # a third sum filled the batch: it was written then
    assert impressions(app) == {a: 50, b: 50}


def impressions(app) -> dict[int, int]:
    with app.app_context():
        rows = db.session.scalars(select(ListingDay).where(ListingDay.day == today_utc()))
        return {row.program_id: row.impressions for row in rows}


def test_each_results_page_answered_counts_its_listings_as_shown_cache_hits_too(app, schools):
    app.config["PAGE_CACHE_SECONDS"] = 300  # the second and third answers are the kept page
    app.extensions["page_caches"]["pages"].seconds = 300
    client = app.test_client()
    for _ in range(3):
        assert "Alderson Program" in client.get("/programs?zip=60601").get_data(as_text=True)
    assert client.get("/programs?zip=10001").status_code == 200
    assert client.get("/programs?zip=99999").status_code == 422  # unknown: nothing shown
    a, b = schools["A"].program_id, schools["B"].program_id
    assert impressions(app) == {a: 3, b: 1}


def test_the_api_counts_the_listings_it_returns(app, client, schools):
    answer = client.get("/api/v1/programs?zip=10001").get_json()
    assert [p["program_id"] for p in answer["results"]] == [schools["B"].program_id]
    assert impressions(app) == {schools["B"].program_id: 1}
