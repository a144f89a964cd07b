"""The /programs page: the form, its errors, results, paging and the no-results help."""

import re
from datetime import date

import pytest
from flask import render_template_string
from sqlalchemy import select

from portal.extensions import db
from portal.models import SearchLog
from tests.services.test_search import north_of
from tests.support.factories import make_campus, make_program, make_school


def page_of(client, query: str):
    response = client.get(f"/programs{query}")
    return response, response.get_data(as_text=True)


def result_titles(html: str) -> list[str]:
    return re.findall(r'class="result-title"><a href="[^"]*">([^<]+)<', html)


def selected(html: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    chosen = [re.search(r'value="([^"]*)"', o).group(1) for o in options if " selected" in o]
    return chosen[0] if len(chosen) == 1 else None


def test_no_zip_shows_the_empty_form(client):
    response, html = page_of(client, "")
    assert response.status_code == 200
    assert 'name="zip"' in html and "field-error" not in html
    assert 'class="results"' not in html


def test_results_show_every_detail_and_the_sponsored_label(app, client):
    with app.app_context():
        school = make_school("Lakeside Health Institute")
        program = make_program(
            school,
            make_campus(school, "60614"),
            title="Medical Office Administration",
            credential_level="diploma",
            duration="9 months",
        ).id
        online = make_program(
            modality="online", states=("IL",), bid_cents=100, title="Online MOM"
        ).id
    response, html = page_of(client, "?zip=60601")
    assert response.status_code == 200
    assert result_titles(html) == ["Medical Office Administration", "Online MOM"]
    assert html.count('<p class="sponsored-tag">Sponsored</p>') == 2
    assert "Lakeside Health Institute" in html and "Diploma" in html and "On campus" in html
    assert re.search(
        r"Chicago, IL &middot; <span class=\"result-distance\">\d+\.\d miles</span>", html
    )
    assert "9 months" in html and "Online, open to students in IL" in html
    assert f'href="/programs/{program}/request-info?zip=60601"' in html
    assert f'href="/programs/{online}/request-info?zip=60601"' in html


def test_request_info_link_carries_a_radius_other_than_the_default(app, client):
    with app.app_context():
        program = make_program(zip_code="60614").id
    _, html = page_of(client, "?zip=60601&radius=25")
    assert f'href="/programs/{program}/request-info?zip=60601&amp;radius=25"' in html


def test_results_are_ranked_by_bid(app, client):
    with app.app_context():
        make_program(zip_code="60614", bid_cents=1000, title="Low bid")
        make_program(zip_code="60601", bid_cents=3000, title="High bid")
        make_program(zip_code="60614", bid_cents=2000, title="Middle bid")
    _, html = page_of(client, "?zip=60601")
    assert result_titles(html) == ["High bid", "Middle bid", "Low bid"]


def test_form_keeps_the_entered_values(app, client):
    _, html = page_of(
        client, "?zip=60601&career=medical-assistant&level=diploma&modality=hybrid&radius=25"
    )
    assert 'value="60601"' in html
    assert selected(html, "career") == "medical-assistant"
    assert selected(html, "level") == "diploma"
    assert selected(html, "modality") == "hybrid"
    assert selected(html, "radius") == "25"


def test_the_guide_box_presets_its_career_and_the_results_keep_it(app, client):
    with app.test_request_context():
        box = render_template_string(
            '{% include "search/_box.html" %}', career="medical-office-manager", box_id="guide"
        )
    assert 'id="zip-guide"' in box and 'action="/programs"' in box
    assert selected(box, "career") == "medical-office-manager"
    _, html = page_of(client, "?zip=60601&career=medical-office-manager")
    assert selected(html, "career") == "medical-office-manager"


def test_box_without_career_selects_any_career(app):
    with app.test_request_context():
        box = render_template_string('{% include "search/_box.html" %}')
    assert 'id="zip-main"' in box and selected(box, "career") == ""
    assert selected(box, "radius") == "50"


@pytest.mark.parametrize("zip_code", ["", "6060", "606011", "abcde", "60 601", "60601-12"])
def test_malformed_zip_is_a_422_with_a_message_beside_the_field(client, zip_code):
    response, html = page_of(client, f"?zip={zip_code}")
    assert response.status_code == 422
    assert 'id="zip-error"' in html and "Enter a 5-digit ZIP code" in html
    assert 'aria-invalid="true"' in html and 'class="results"' not in html


def test_unknown_zip_is_a_422_with_a_message_beside_the_field(client):
    response, html = page_of(client, "?zip=00000")
    assert response.status_code == 422
    assert 'id="zip-error"' in html and "We don&#39;t know the ZIP code 00000" in html
    assert 'class="results"' not in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("radius=7", "radius", "Choose a distance of 10, 25, 50 or 100 miles."),
        ("radius=fifty", "radius", "Choose a distance of 10, 25, 50 or 100 miles."),
        ("level=x", "level", "Choose a credential level"),
        ("modality=boat", "modality", "Choose on campus, online or hybrid"),
        ("career=astronaut", "career", "Choose a career from the list."),
    ],
)
def test_bad_values_of_known_parameters_are_422_errors(client, query, field, message):
    response, html = page_of(client, f"?zip=60601&{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert 'class="results"' not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "1001"])
def test_bad_page_is_a_422_error(client, page):
    response, html = page_of(client, f"?zip=60601&page={page}")
    assert response.status_code == 422
    assert "The page must be a whole number from 1 to 1000." in html


def test_bad_filter_without_zip_is_still_an_error(client):
    response, html = page_of(client, "?radius=7")
    assert response.status_code == 422 and 'id="radius-error"' in html


def test_unknown_parameters_are_ignored(app, client):
    with app.app_context():
        make_program(title="Found")
    response, html = page_of(client, "?zip=60601&utm_source=guide&colour=blue")
    assert response.status_code == 200 and result_titles(html) == ["Found"]


def test_blank_optional_parameters_mean_any(app, client):
    with app.app_context():
        make_program(title="Found")
    response, html = page_of(client, "?zip=60601&career=&level=&modality=&radius=&page=")
    assert response.status_code == 200 and result_titles(html) == ["Found"]


def test_no_results_offers_a_wider_radius_and_the_states_online_programs(app, client):
    with app.app_context():
        make_program(zip_code="53202")  # Milwaukee, ~80 miles
        make_program(modality="online", states=("IL",), title="Online in Illinois")
    response, html = page_of(client, "?zip=60601&modality=campus")
    assert response.status_code == 200
    assert "No sponsored programs match your search" in html
    assert 'href="/programs?zip=60601&amp;modality=campus&amp;radius=100"' in html
    assert "Online programs open to students in IL" in html
    assert result_titles(html) == ["Online in Illinois"]


def test_no_results_offers_clearing_the_filters_and_the_careers_guide(app, client):
    with app.app_context():
        make_program(zip_code="60614", career="medical-assistant", title="Medical Assisting")
    query = "?zip=60601&career=phlebotomist&level=diploma&modality=campus&radius=25"
    response, html = page_of(client, query)
    assert response.status_code == 200 and result_titles(html) == []
    assert 'class="clear-filters" href="/programs?zip=60601&amp;radius=25"' in html
    assert 'class="career-guide" href="/careers/phlebotomist"' in html
    assert "Read about becoming a Phlebotomist" in html
    cleared = page_of(client, "?zip=60601&radius=25")[1]
    assert result_titles(cleared) == ["Medical Assisting"]
    # Without a career or other filter, there is nothing to clear.
    html = page_of(client, "?zip=59001")[1]
    assert "clear-filters" not in html and "career-guide" not in html


def test_no_results_at_the_widest_radius_offers_no_wider_one(client):
    response, html = page_of(client, "?zip=60601&radius=100")
    assert response.status_code == 200
    assert "No sponsored programs match your search" in html and "wider-radius" not in html


def test_pagination_links_keep_the_search(app, client):
    with app.app_context():
        for n in range(12):
            make_program(zip_code="60614", bid_cents=1000 + n, title=f"Program {n:02d}")
    _, first = page_of(client, "?zip=60601&career=medical-office-manager")
    assert len(result_titles(first)) == 10 and "Page 1 of 2" in first
    assert 'href="/programs?zip=60601&amp;career=medical-office-manager&amp;page=2"' in first
    _, second = page_of(client, "?zip=60601&career=medical-office-manager&page=2")
    assert result_titles(second) == ["Program 01", "Program 00"]
    assert 'start="11"' in second and 'rel="prev"' in second


def test_page_past_the_end_says_so(app, client):
    with app.app_context():
        make_program()
    response, html = page_of(client, "?zip=60601&page=5")
    assert response.status_code == 200
    assert "There is no page 5" in html and 'href="/programs?zip=60601"' in html


def test_each_search_is_logged(app, client):
    with app.app_context():
        make_program(ends_on=date(2099, 1, 1))
    client.get("/programs?zip=60601&level=certificate", headers={"User-Agent": "Secret/1.0"})
    with app.app_context():
        log = db.session.scalars(select(SearchLog)).one()
        assert (log.zip_code, log.state, log.credential_level, log.result_count) == (
            "60601",
            "IL",
            "certificate",
            1,
        )
        assert not any("Secret" in str(v) for v in vars(log).values())


def test_later_pages_of_a_search_are_not_more_searches(app, client):
    with app.app_context():
        for _ in range(12):
            make_program()
    for page in (1, 2, 1):
        assert client.get(f"/programs?zip=60601&page={page}").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(SearchLog.result_count)).all() == [12, 12]


@pytest.fixture
def cached_app(app, monkeypatch):
    """The app with a 5-second search page cache, on a clock the test moves by hand."""
    from portal.core import page_cache
    from portal.core.page_cache import PageCache

    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    app.extensions["page_caches"]["pages"] = PageCache(5)
    app.clock = now
    return app


def test_a_cached_results_page_is_reused_for_seconds_and_each_search_still_logged(cached_app):
    app, client = cached_app, cached_app.test_client()
    with app.app_context():
        program = make_program(title="Office Management Certificate")
        program_id = program.id
    first = client.get("/programs?zip=60601")
    with app.app_context():
        db.session.get(type(program), program_id).is_active = False
        db.session.commit()
    again = client.get("/programs?zip=60601")
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert result_titles(again.get_data(as_text=True)) == ["Office Management Certificate"]
    app.clock[0] += 5
    later = client.get("/programs?zip=60601")
    assert result_titles(later.get_data(as_text=True)) == []
    with app.app_context():
        counts = db.session.scalars(select(SearchLog.result_count).order_by(SearchLog.id)).all()
    assert counts == [1, 1, 0]


def test_each_set_of_search_values_has_its_own_cached_page(cached_app):
    app, client = cached_app, cached_app.test_client()
    with app.app_context():
        make_program(credential_level="certificate", title="Certificate Course")
        make_program(credential_level="diploma", title="Diploma Course")
    both = client.get("/programs?zip=60601&utm_source=x").get_data(as_text=True)
    diploma = client.get("/programs?zip=60601&level=diploma").get_data(as_text=True)
    same = client.get("/programs?zip=%2060601&utm_source=y").get_data(as_text=True)
    assert sorted(result_titles(both)) == ["Certificate Course", "Diploma Course"]
    assert result_titles(diploma) == ["Diploma Course"]
    assert same == both


def test_pages_with_errors_are_never_cached(cached_app):
    client = cached_app.test_client()
    for query in ("?zip=00000", "?zip=00000", "?zip=6060", "?zip=6060"):
        response = client.get(f"/programs{query}")
        assert response.status_code == 422
        assert 'class="field-error"' in response.get_data(as_text=True)
    with cached_app.app_context():
        unknown = db.session.scalars(select(SearchLog.zip_code)).all()
    assert unknown == ["00000", "00000"]  # malformed ZIPs are not searches


def test_cards_show_tuition_and_schedule_and_link_to_the_program_page(app, client):
    with app.app_context():
        priced = make_program(
            title="Priced",
            bid_cents=900,
            tuition_min_cents=1_240_000,
            tuition_max_cents=1_450_000,
            schedule=("part_time", "weekends"),
        ).id
        make_program(title="Unpriced", bid_cents=100)
    _, html = page_of(client, "?zip=60601&radius=25")
    first, second = re.findall(r'<article class="result-card".*?</article>', html, re.S)
    assert "<dt>Tuition</dt><dd>$12,400–$14,500</dd>" in first
    assert "<dt>Schedule</dt><dd>Part-time, weekends</dd>" in first
    assert f'href="/programs/{priced}?zip=60601&amp;radius=25">Priced</a>' in first
    assert "<dt>Tuition</dt><dd>Contact the school</dd>" in second
    assert "<dt>Schedule</dt><dd>Ask the school</dd>" in second


def test_cards_show_the_next_start_date_and_the_accreditor(app, client):
    today = date.today()
    with app.app_context():
        make_program(
            title="Dated",
            bid_cents=900,
            next_start_dates=(
                date(2000, 1, 3),
                date(today.year + 2, 3, 1),
                date(today.year + 1, 9, 7),
            ),
            accreditation="Accrediting Bureau of Health Education Schools (ABHES)",
        )
        make_program(title="Undated", bid_cents=100, next_start_dates=(date(2000, 1, 3),))
    _, html = page_of(client, "?zip=60601")
    first, second = re.findall(r'<article class="result-card".*?</article>', html, re.S)
    soonest = date(today.year + 1, 9, 7)
    assert (
        f'<dt>Next start</dt><dd><time datetime="{soonest.isoformat()}">'
        f"September 7, {soonest.year}</time></dd>"
    ) in first  # the soonest still to come, not a past one
    assert (
        "<dt>Accreditor</dt><dd>Accrediting Bureau of Health Education Schools (ABHES)</dd>"
        in first
    )
    assert "<dt>Next start</dt><dd>Ask the school</dd>" in second
    assert "<dt>Accreditor</dt><dd>Not stated by the school</dd>" in second


@pytest.mark.parametrize(
    ("sort", "titles", "explanation"),
    [
        ("", ["Far, high bid", "Near, no tuition", "Near, cheap"], "Ordered by sponsorship"),
        ("sponsored", ["Far, high bid", "Near, no tuition", "Near, cheap"], "Ordered by spon"),
        # As near as each other: the higher bid first.
        ("distance", ["Near, no tuition", "Near, cheap", "Far, high bid"], "Ordered by distance"),
        ("tuition", ["Near, cheap", "Far, high bid", "Near, no tuition"], "Ordered by tuition"),
    ],
)
def test_results_can_be_sorted_and_say_how_they_are_ordered(app, client, sort, titles, explanation):
    with app.app_context():
        make_program(
            zip_code="60640", bid_cents=900, title="Far, high bid", tuition_min_cents=900_000
        )
        make_program(zip_code="60601", bid_cents=500, title="Near, no tuition")
        make_program(zip_code="60601", bid_cents=100, title="Near, cheap", tuition_min_cents=100)
    response, html = page_of(client, f"?zip=60601&sort={sort}")
    assert response.status_code == 200
    assert result_titles(html) == titles
    assert f'<p class="sort-note">{explanation}' in html
    current = re.findall(r'<a href="([^"]+)" aria-current="true">', html)
    assert current == [
        f"/programs?zip=60601{'&amp;sort=' + sort if sort not in ('', 'sponsored') else ''}"
    ]
    if sort not in ("", "sponsored"):
        assert f'<input type="hidden" name="sort" value="{sort}">' in html  # kept by the form


def test_a_bad_sort_is_a_422_error(client):
    response, html = page_of(client, "?zip=60601&sort=cheapest")
    assert response.status_code == 422
    assert "Order by sponsored, distance or tuition." in html and 'class="results"' not in html


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("?zip=60601", 0),
        ("?zip=60601&career=phlebotomist", 1),
        ("?zip=60601&radius=25", 1),
        ("?zip=60601&radius=50&sort=tuition&page=2", 0),
        ("?zip=60601&career=phlebotomist&level=certificate&modality=online&radius=100", 4),
    ],
)
def test_filters_fold_behind_a_filters_button_that_counts_them(client, query, count):
    html = page_of(client, query)[1]
    # Folded even when set (a guide's career preset included), so results come first.
    assert '<details class="search-filters">' in html
    assert f"<summary>Filters ({count})</summary>" in html


def test_the_filters_open_to_show_a_filters_error(client):
    html = page_of(client, "?zip=60601&level=x")[1]
    assert '<details class="search-filters" open>' in html
    assert "<summary>Filters (1)</summary>" in html


def campus_north(miles: float, **fields):
    """A campus listing `miles` due north of 60601's centre."""
    school = make_school()
    campus = make_campus(school, "60601", city="Northfield", **north_of("60601", miles))
    return make_program(school, campus, **fields)


def test_nothing_on_campus_names_the_nearest_campus_and_offers_its_radius_in_one_tap(app, client):
    with app.app_context():
        make_program(modality="online", states=("IL",), title="Online in Illinois")
        campus_north(73.5, title="Far campus")
    _, html = page_of(client, "?zip=60601&career=medical-office-manager")
    assert result_titles(html) == ["Online in Illinois"]
    notice = re.search(r'<div class="campus-notice">.*?</div>', html, re.S).group(0)
    assert "Nothing on campus within 50 miles of 60601." in notice
    assert "The nearest campus program that matches your filters is" in notice
    assert '<span class="nearest-campus">73.5 miles</span>' in notice and "Northfield, IL" in notice
    link = 'href="/programs?zip=60601&amp;career=medical-office-manager&amp;radius=100"'
    assert f'<a class="button wider-radius" {link}>Search within 100 miles</a>' in notice
    assert "online programs open to students in IL" in notice
    # The one tap: the campus is found.
    _, wider = page_of(client, "?zip=60601&career=medical-office-manager&radius=100")
    assert "Far campus" in result_titles(wider) and "campus-notice" not in wider


def test_a_nearest_campus_beyond_the_widest_radius_is_named_and_linked(app, client):
    with app.app_context():
        far = campus_north(250, title="Very far campus").id
    _, html = page_of(client, "?zip=60601")
    assert "No sponsored programs match your search" in html
    notice = re.search(r'<div class="campus-notice">.*?</div>', html, re.S).group(0)
    assert '<span class="nearest-campus">250.0 miles</span>' in notice
    assert "beyond our widest search of 100 miles" in notice
    assert f'href="/programs/{far}?zip=60601">see that program</a>' in notice
    assert "wider-radius" not in html  # no radius reaches it: nothing to offer


def test_no_campus_at_all_is_said_too(client):
    _, html = page_of(client, "?zip=59701&radius=25")
    assert "Nothing on campus within 25 miles of 59701." in html
    assert "We list no campus program within 500 miles." in html


@pytest.mark.parametrize(
    "query", ["?zip=60601", "?zip=60601&modality=online", "?zip=60601&page=2&radius=10"]
)
def test_no_campus_notice_when_a_campus_is_shown_or_none_is_wanted(app, client, query):
    with app.app_context():
        make_program(title="Campus")
        for _ in range(11):
            make_program(modality="online", states=("IL",), bid_cents=9000)
    _, html = page_of(client, query)
    assert "campus-notice" not in html
