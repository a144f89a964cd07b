"""The results page's quick paths write what the templates write: result cards from the
compiled macro, the kept search form, and the links to other orders and pages."""

import re
from datetime import date

import pytest
from flask import render_template, url_for
from werkzeug.datastructures import MultiDict

from portal.search import presentation
from portal.search.forms import SearchForm
from portal.search.links import listing_links, program_page_url, request_info_url, search_url
from portal.services.search import Listing


def listing(**changes) -> Listing:
    values = dict(
        program_id=7,
        school="Lakeside Health Institute",
        title="Medical Office Management",
        career="medical-office-manager",
        credential_level="certificate",
        modality="campus",
        duration="9 months",
        description="",
        campus_name="Loop campus",
        campus_city="Chicago",
        campus_state="IL",
        campus_zip="60601",
        distance_miles=3.14159,
        tuition_min_cents=1240000,
        tuition_max_cents=None,
        schedule=("full_time", "evening"),
    )
    return Listing(**(values | changes))


LISTINGS = [
    listing(),
    listing(program_id=8, modality="online", distance_miles=None, campus_city=None),
    listing(program_id=9, modality="hybrid", tuition_min_cents=None, schedule=()),
    listing(program_id=10, tuition_max_cents=1620050, distance_miles=0.04),
    listing(
        program_id=11,
        title='Billing & "Coding" <Fast>',
        school="O'Neil <School> & Co",
        campus_city="Coeur d'Alene",
        duration="<12> weeks",
        next_start_dates=(date(2027, 1, 11), date(2026, 12, 7)),
        accreditation='Council on "Occupational" Education <COE> & Co',
    ),
    listing(
        program_id=12, modality="online", distance_miles=None, next_start_dates=(date(2027, 3, 1),)
    ),
]


@pytest.mark.parametrize(
    "search", [("60601", "IL", 50), ("60601", "IL", 25), (None, "WI", 50)], ids=str
)
def test_result_cards_are_what_the_macro_writes(app, search):
    with app.test_request_context("/programs"):
        macro = app.jinja_env.get_template("search/_result.html").module.result_card
        zip_code, state, radius = search

        def links(program_id):  # each card's links, built the long way
            return (
                program_page_url(program_id, zip_code, radius),
                request_info_url(program_id, zip_code, radius),
            )

        cards = [presentation.result_card(x, state, links) for x in LISTINGS]
        expected = "".join("\n    " + macro(card) for card in cards)
        html = presentation.result_cards(LISTINGS, *search)
    assert html == expected
    assert "Billing &amp; &#34;Coding&#34; &lt;Fast&gt;" in html
    assert "3.1 miles" in html and "0.0 miles" in html
    assert "Online, open to students in " + search[1] in html
    assert "$12,400&ndash;" not in html and "$12,400–$16,200.50" in html
    assert "Contact the school" in html and "Ask the school" in html
    assert '<time datetime="2026-12-07">December 7, 2026</time>' in html
    assert "Council on &#34;Occupational&#34; Education &lt;COE&gt; &amp; Co" in html
    assert "Not stated by the school" in html


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"zip": "60601"},
        {"zip": "60601", "page": 2},
        {"zip": "60601", "career": "medical-assistant", "level": "certificate", "page": 3},
        {"zip": "60601-1234", "modality": "online", "radius": 25, "sort": "tuition"},
        {"zip": "a b&c=d/é?", "radius": None, "sort": "distance"},
    ],
    ids=str,
)
def test_search_links_are_what_url_for_builds(app, values):
    for root in ("", "/guide"):  # the site at the root, and mounted under a path
        with app.test_request_context("/programs", base_url=f"http://localhost{root}"):
            assert search_url(**values) == url_for("search.programs", **values)


@pytest.mark.parametrize(
    "search",
    [("60601", 50), ("60601", 25), (None, 25), ("", 100), ("a b&c=d/é?", 10)],
    ids=str,
)
def test_listing_links_are_what_url_for_builds(app, search):
    zip_code, radius = search
    for root in ("", "/guide"):
        with app.test_request_context("/programs", base_url=f"http://localhost{root}"):
            links = listing_links(zip_code, radius)
            for program_id in (1, 42, 2147483647):
                with_radius = {"radius": None if radius == 50 else radius}
                page = url_for(
                    "search.program",
                    program_id=program_id,
                    zip=zip_code or None,
                    **(with_radius if zip_code else {}),
                )
                form = url_for(
                    "leads.request_info", program_id=program_id, zip=zip_code or None, **with_radius
                )
                assert links(program_id) == (page, form)
                assert program_page_url(program_id, zip_code, radius) == page
                assert request_info_url(program_id, zip_code, radius) == form
                assert page.startswith(f"{root}/programs/{program_id}")


FORMS = [
    {"zip": "60601"},
    {"zip": "60601", "career": "medical-office-manager"},
    {"zip": "10001", "career": "medical-office-manager"},
    {"zip": "60601", "level": "certificate", "modality": "online", "radius": "25"},
    {"zip": "60601", "sort": "distance", "page": "2"},
    {"zip": "60601", "radius": "100", "sort": "tuition"},
    {},
    {"zip": "606"},
    {"zip": "60601", "radius": "7"},
    {"zip": "60601", "sort": "bogus", "page": "0"},
]


def test_the_kept_search_form_is_the_form_rendered_afresh(app):
    with app.test_request_context("/programs"):
        template = app.jinja_env.get_template("search/_form.html")
        for _ in range(2):  # the second time round, every valid form is a kept one
            for values in FORMS:
                form = SearchForm(MultiDict(values))
                form.validate()
                assert presentation.search_form(form) == template.render(form=form), values
        kept = presentation.SEARCH_FORMS._kept[app.jinja_env]
        assert len(kept) == 5  # one per choice of the fields but the ZIP; none with errors
        assert not any(re.search(r'value="\d{5}"', html) for html in kept.values())


def test_a_page_of_results_shows_its_own_zip_in_the_form(client):
    for zip_code in ("60601", "10001", "94103", "60601"):
        html = client.get(f"/programs?zip={zip_code}").get_data(as_text=True)
        zip_input = re.search(r'<input[^>]*name="zip"[^>]*>', html).group(0)
        assert f'value="{zip_code}"' in zip_input


def test_with_templates_reloading_the_page_is_the_same(app, client):
    first = client.get("/programs?zip=60601&career=medical-office-manager").get_data()
    app.jinja_env.auto_reload = True
    try:
        again = client.get("/programs?zip=60601&career=medical-office-manager").get_data()
    finally:
        app.jinja_env.auto_reload = False
    assert again == first
    with app.test_request_context("/programs"):
        assert render_template("search/results.html", form=SearchForm(MultiDict()))
