"""A listing's own page, /programs/<id>: everything a visitor decides on, its Request Info
button, structured data, the ZIP and radius carried through; 410 for a listing that is gone
(with similar ones), 404 for no listing; cached like any public page."""

import json
import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import Program, School
from tests.support.factories import make_campus, make_program, make_school
from tests.support.htmlcheck import ParsedPage


@pytest.fixture
def detailed(app) -> int:
    """A campus listing in Chicago (60614) with every detail filled in."""
    with app.app_context():
        school = make_school("Lakeside Health Institute", website="https://lakeside.example")
        campus = make_campus(school, "60614", name="Lincoln Park campus", address="2430 N Clark St")
        return make_program(
            school,
            campus,
            title="Medical Office Administration",
            credential_level="diploma",
            duration="9 months",
            description="Scheduling, billing and records.",
            tuition_min_cents=1_240_000,
            tuition_max_cents=1_620_050,
            schedule=("full_time", "evenings"),
            next_start_dates=(date(2020, 1, 6), date(2099, 1, 5), date(2099, 3, 2)),
            accreditation="Accrediting Bureau of Health Education Schools (ABHES)",
            financial_aid=True,
            program_url="https://lakeside.example/programs/moa",
        ).id


def json_ld(html: str) -> dict:
    """The page's JSON-LD block."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_page_shows_every_detail_and_the_request_info_button(client, detailed):
    response = client.get(f"/programs/{detailed}?zip=60601&radius=25")
    html = response.get_data(as_text=True)
    text = ParsedPage(html).text
    assert response.status_code == 200
    assert '<p class="sponsored-tag">Sponsored</p>' in html
    assert "<h1" in html and "Medical Office Administration" in text
    for fact in (
        "Lakeside Health Institute",
        "Diploma",
        "On campus",
        "9 months",
        "$12,400–$16,200.50",
        "Full-time, evenings",
        "January 5, 2099",
        "March 2, 2099",
        "Available to those who qualify",
        "Accrediting Bureau of Health Education Schools (ABHES)",
        "Lincoln Park campus",
        "2430 N Clark St",
        "Chicago, IL 60614",
        "miles from 60601",
        "Scheduling, billing and records.",
    ):
        assert fact in text, fact
    assert "January 6, 2020" not in text  # a start date already past
    request_url = f"/programs/{detailed}/request-info?zip=60601&amp;radius=25"
    assert html.count(f'href="{request_url}"') == 2  # at the top on phones, and beside the facts
    assert 'href="/programs?zip=60601&amp;radius=25"' in html  # back to the results
    assert '<a href="https://lakeside.example/programs/moa" rel="sponsored noopener">' in html
    assert '<a href="https://lakeside.example" rel="sponsored noopener">' in html
    assert 'href="/how-we-make-money"' in html


def test_structured_data_describes_the_program(client, detailed):
    data = json_ld(client.get(f"/programs/{detailed}?zip=60601").get_data(as_text=True))
    assert data["@type"] == "EducationalOccupationalProgram"
    assert data["name"] == "Medical Office Administration"
    assert data["url"] == f"http://localhost/programs/{detailed}"
    assert data["provider"]["name"] == "Lakeside Health Institute"
    assert data["provider"]["url"] == "https://lakeside.example"
    assert data["provider"]["address"]["postalCode"] == "60614"
    assert data["timeToComplete"] == "P9M"
    assert data["offers"]["priceSpecification"] == {
        "@type": "PriceSpecification",
        "priceCurrency": "USD",
        "minPrice": "12400.00",
        "maxPrice": "16200.50",
    }
    assert data["startDate"] == "2099-01-05" and data["financialAidEligible"] == "Yes"
    assert data["educationalCredentialAwarded"] == "Diploma"


def test_a_listing_without_details_says_to_ask_the_school(app, client):
    with app.app_context():
        program_id = make_program(modality="online", states=("IL", "WI"), duration="a while").id
    html = client.get(f"/programs/{program_id}").get_data(as_text=True)
    text = ParsedPage(html).text
    assert "Contact the school" in text and text.count("Ask the school") == 3
    assert "Online, for students in IL, WI" in text and "Not stated by the school" in text
    data = json_ld(html)
    assert "timeToComplete" not in data and "price" not in data["offers"]
    assert data["educationalProgramMode"] == "online"
    assert f'href="/programs/{program_id}/request-info"' in html  # no ZIP: the form asks
    assert 'href="/programs">&larr; Find programs near you' in html


def test_a_listing_not_taking_requests_has_no_request_button(app, client):
    with app.app_context():
        program_id = make_program(ends_on=date(2020, 12, 31)).id
    response = client.get(f"/programs/{program_id}?zip=60601")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not taking requests through our site at the moment" in html
    assert "/request-info" not in html


def test_an_unknown_or_unreadable_zip_is_left_out(client, detailed):
    for query in ("?zip=00000", "?zip=abc", "?zip=60601%00", "?radius=7"):
        html = client.get(f"/programs/{detailed}{query}").get_data(as_text=True)
        assert "miles from" not in html and f'/programs/{detailed}/request-info"' in html


def test_a_listing_that_is_gone_is_410_with_similar_programs(app, client, detailed):
    with app.app_context():
        similar = make_program(zip_code="60601", title="Office Management Certificate").id
        make_program(zip_code="60601", career="phlebotomist", title="Phlebotomy")
        db.session.get(Program, detailed).is_active = False
        db.session.commit()
    response = client.get(f"/programs/{detailed}?zip=60601")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This program is no longer listed" in html and "noindex" in html
    assert f'href="/programs/{similar}?zip=60601"' in html
    assert f'href="/programs/{similar}/request-info?zip=60601"' in html
    assert "Phlebotomy" not in html  # another career
    assert f'href="/programs/{detailed}' not in html
    assert 'href="/careers/medical-office-manager"' in html
    # Without a ZIP, programs near the listing's own campus.
    html = client.get(f"/programs/{detailed}").get_data(as_text=True)
    assert f'href="/programs/{similar}"' in html and "near Chicago, IL" in html


@pytest.mark.parametrize("program_id", ["999999", "0", "2147483648", "abc"])
def test_no_such_listing_is_404(client, program_id):
    response = client.get(f"/programs/{program_id}")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_page_is_public_and_touches_no_session(client, detailed):
    response = client.get(f"/programs/{detailed}?zip=60601")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers and response.headers.get("ETag")


def test_the_page_follows_the_listing_when_it_changes(app, client, detailed):
    client.get(f"/programs/{detailed}")
    with app.app_context():
        db.session.get(Program, detailed).tuition_min_cents = 900_000
        db.session.get(Program, detailed).tuition_max_cents = None
        db.session.scalars(db.select(School)).first().name = "Lakeside College"
        db.session.commit()
    html = client.get(f"/programs/{detailed}").get_data(as_text=True)
    assert "$9,000" in html and "Lakeside College" in html
