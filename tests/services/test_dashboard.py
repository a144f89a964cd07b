"""The dashboard's figures: leads per day and school, searches per state, ZIPs with no results."""

from datetime import UTC, date, datetime

from portal.services.dashboard import dashboard_figures
from tests.support.factories import make_lead, make_program, make_school, make_search_log

TODAY = date(2026, 11, 27)


def test_figures(app):
    with app.app_context():
        acme = make_program(make_school("Acme"))
        zenith = make_program(make_school("Zenith"))
        for day, program in [(27, acme), (27, acme), (26, zenith), (1, acme)]:
            # 23:59 on the 26th is still the 26th in UTC
            make_lead(program, created_at=datetime(2026, 11, day, 23, 59, tzinfo=UTC))
        make_lead(acme, created_at=datetime(2026, 10, 28, 23, 59, tzinfo=UTC))  # 31 days ago
        for args in [
            ("60601", "IL", 3),
            ("99501", "AK", 0),
            ("99501", "AK", 0),
            ("53703", "WI", 0),
        ]:
            make_search_log(*args)
        make_search_log("10001", "NY", 0, day=1)
        figures = dashboard_figures(TODAY)

    assert figures.since == date(2026, 10, 29) and len(figures.leads_per_day) == 30
    per_day = dict(figures.leads_per_day)
    assert per_day["2026-11-27"] == 2 and per_day["2026-11-26"] == 1 and per_day["2026-11-01"] == 1
    assert sum(per_day.values()) == 4
    assert figures.leads_per_school == [("Acme", 3), ("Zenith", 1)]
    assert figures.searches_per_state == [("AK", 2), ("IL", 1), ("NY", 1), ("WI", 1)]
    assert figures.zero_result_zips == [("99501", 2), ("10001", 1), ("53703", 1)]
