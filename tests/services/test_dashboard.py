"""The dashboard's figures: headline figures against the same stretch of the period before,
leads and revenue per day in the admins' time zone, the top schools, states and ZIPs."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.services.dashboard import dashboard_figures, headline, leads_per_day, waiting_at
from portal.services.lead_status import Editor, StatusChange, change_status
from tests.support.factories import make_lead, make_program, make_school, make_search_log

NEW_YORK = ZoneInfo("America/New_York")
# Friday, November 27, 2026, 10:00 in New York (15:00 UTC).
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
OPS = Editor("ops@example.com")


def ny(day: int, hour: int, month: int = 11) -> datetime:
    """A time in New York in 2026, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=NEW_YORK).astimezone(UTC)


def test_days_are_the_admins_days_and_each_lead_counts_once(app):
    with app.app_context():
        acme = make_program(make_school("Acme"), bid_cents=4000)
        # 23:30 in New York on the 26th is the 27th in UTC: it belongs to the 26th here.
        make_lead(acme, created_at=ny(26, 23) + timedelta(minutes=30), price_cents=4000)
        first = make_lead(acme, created_at=ny(27, 8), price_cents=4000)
        make_lead(
            acme, created_at=ny(27, 9), price_cents=0, billable=False, duplicate_of_id=first.id
        )
        make_lead(acme, created_at=ny(27, 9), price_cents=4000, status="rejected")
        days = leads_per_day(NEW_YORK, date(2026, 11, 25), date(2026, 11, 27))
    assert [(d.day.day, d.leads, d.billable, d.duplicates, d.rejected) for d in days] == [
        (25, 0, 0, 0, 0),
        (26, 1, 1, 0, 0),
        (27, 3, 1, 1, 1),
    ]
    assert [d.revenue_cents for d in days] == [0, 4000, 4000]  # rejected leads earn nothing


def test_days_stay_whole_across_the_end_of_daylight_saving(app):
    """November 1, 2026 has 25 hours in New York."""
    with app.app_context():
        program = make_program()
        for moment in (ny(1, 0), ny(1, 23) + timedelta(minutes=59), ny(2, 0)):
            make_lead(program, created_at=moment)
        days = leads_per_day(NEW_YORK, date(2026, 11, 1), date(2026, 11, 2))
    assert [(d.day.day, d.leads) for d in days] == [(1, 2), (2, 1)]


def test_headline_compares_like_with_like(app):
    with app.app_context():
        program = make_program(bid_cents=2500)
        # Today by 10:00: three billable, one rejected. Yesterday: one by 10:00, one after.
        for hour in (1, 5, 9):
            make_lead(program, created_at=ny(27, hour))
        make_lead(program, created_at=ny(27, 7), status="rejected")
        make_lead(program, created_at=ny(26, 8))
        make_lead(program, created_at=ny(26, 11))  # after 10:00 yesterday: not compared
        # Last week (Monday 16th to Friday 20th by 10:00), and last month.
        make_lead(program, created_at=ny(17, 12))
        make_lead(program, created_at=ny(20, 11))  # after the same moment last week
        make_lead(program, created_at=ny(15, 12, month=10), price_cents=9900)
        make_lead(program, created_at=ny(28, 12, month=10))  # after the same day last month
        for _ in range(2):
            make_search_log("60601", "IL", 3, day=27)  # 10:00 UTC = 05:00 New York
        figures = headline(NOW, NEW_YORK)
    today, week, month = figures.periods
    assert (today.billable.now, today.billable.before) == (3, 1)
    assert (today.rejected.now, today.duplicates.now) == (1, 0)
    # This week: Monday 23rd to now; last week: Monday 16th to Friday 20th 10:00.
    assert (week.billable.now, week.billable.before) == (3 + 2, 1)
    assert (month.billable.now, month.billable.before) == (3 + 2 + 1 + 1, 1)
    assert figures.revenue_cents.now == 7 * 2500 and figures.revenue_cents.before == 9900
    assert (figures.searches.now, figures.searches.before) == (2, 0)
    assert figures.conversion.now == pytest.approx(3 / 2)  # leads not rejected per search
    assert today.billable.percent == 200


def test_waiting_to_be_exported_then_and_now(app):
    with app.app_context():
        program = make_program()
        early = [make_lead(program, created_at=NOW - timedelta(days=3)).id for _ in range(3)]
        make_lead(program, created_at=NOW - timedelta(hours=2))  # arrived since
        make_lead(program, created_at=NOW - timedelta(days=3), status="rejected")
        yesterday = NOW - timedelta(days=1)
        # Since then: one exported, one rejected, and one exported before is back to new.
        change_status([early[0]], StatusChange("exported"), OPS, NOW - timedelta(hours=5))
        change_status([early[1]], StatusChange("rejected", "test"), OPS, NOW - timedelta(hours=4))
        sent_before = make_lead(program, created_at=NOW - timedelta(days=3)).id
        change_status([sent_before], StatusChange("exported"), OPS, NOW - timedelta(days=2))
        change_status([sent_before], StatusChange("new"), OPS, NOW - timedelta(hours=3))
        assert waiting_at(NOW) == 1 + 1 + 1  # early[2], the new arrival, sent_before
        assert waiting_at(yesterday) == 3  # the three early ones


def test_dashboard_series(app):
    with app.app_context():
        acme = make_program(make_school("Acme"))
        zenith = make_program(make_school("Zenith"))
        for day, program in [(27, acme), (27, acme), (26, zenith), (1, acme)]:
            make_lead(program, created_at=ny(day, 12))
        make_lead(acme, created_at=ny(27, 12, month=10))  # before the range
        for args in [("60601", "IL", 3), ("99501", "AK", 0), ("99501", "AK", 0)]:
            make_search_log(*args)
        make_search_log("00000", None, 0)
        make_search_log("10001", "NY", 0, day=1)
        figures = dashboard_figures(NOW, NEW_YORK, date(2026, 10, 29), date(2026, 11, 27))
    assert len(figures.days) == 30 and sum(d.leads for d in figures.days) == 4
    assert figures.leads_per_school == [("Acme", 3), ("Zenith", 1)]
    assert figures.searches == 5
    assert figures.searches_per_state == [("AK", 2), ("IL", 1), ("NY", 1), ("unknown ZIP", 1)]
    assert figures.zero_result_zips == [("99501", 2), ("00000", 1), ("10001", 1)]
    assert figures.zone == "America/New_York"
