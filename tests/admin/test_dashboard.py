"""The dashboard page: its server-rendered charts, and an empty one."""

from datetime import UTC, datetime

from tests.support.factories import make_lead, make_program, make_school, make_search_log


def test_dashboard_page_draws_svg_charts_with_numbers(app, admin_client):
    with app.app_context():
        make_lead(make_program(make_school("Acme")), created_at=datetime.now(UTC))
        make_search_log("99501", "AK", 0, day=datetime.now(UTC).day)
    html = admin_client.get("/admin").get_data(as_text=True)
    assert html.count("<svg") >= 3
    assert '<td>Acme</td><td class="num">1</td>' in html
    assert '<td>99501</td><td class="num">1</td>' in html


def test_empty_dashboard_says_so(admin_client):
    html = admin_client.get("/admin").get_data(as_text=True)
    assert html.count("Nothing yet.") == 4
