"""The site's own pages: the footer on every public page, About, How we make money, Privacy
(operator, contact, effective date, state rights), Terms; cached like any public page."""

import re

import pytest

from portal.pages.views import PRIVACY_EFFECTIVE
from tests.support.factories import make_program
from tests.support.htmlcheck import ParsedPage, crawl

FOOTER = {
    "/about": "About",
    "/how-we-make-money": "How we make money",
    "/contact": "Contact",
    "/privacy": "Privacy",
    "/terms": "Terms",
    "/privacy/do-not-sell": "Do Not Sell or Share My Personal Information",
    "/receipts/verify": "Check a consent receipt",
    "/api/docs": "API for partners",
}


def footer_links(html: str) -> dict[str, str]:
    """The links of the page's footer, by address."""
    footer = html[html.index('<footer class="site-footer">') :]
    return dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer))


def test_every_public_page_has_the_footer(app, client):
    with app.app_context():
        program_id = make_program().id
    pages = crawl(client, ["/", f"/programs/{program_id}", "/programs?zip=60601"])
    html_pages = {url: body for url, (status, kind, body) in pages.items() if kind == "text/html"}
    assert len(html_pages) > 40
    for url, body in html_pages.items():
        assert footer_links(body) == FOOTER, url


@pytest.mark.parametrize("path", ["/about", "/how-we-make-money", "/privacy", "/terms"])
def test_the_information_pages_are_public(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/contact", "/privacy/do-not-sell"])
def test_the_forms_are_never_stored_by_a_cache(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_the_advertising_disclosure_says_who_pays_and_how_it_orders_results(client):
    text = ParsedPage(client.get("/how-we-make-money").get_data(as_text=True)).text
    for words in (
        "Schools pay us to list their programs",
        "that school pays us for the request",
        "a school that agrees to pay more for a request is shown higher up",
        "Nearest",
        "Lowest tuition",
        "Schools do not pay for the career guides",
    ):
        assert words in text, words


def test_the_privacy_policy_names_the_operator_a_contact_a_date_and_state_rights(app, client):
    app.config.update(
        OPERATOR_NAME="Example Media LLC",
        OPERATOR_ADDRESS="1 Main St, Springfield, IL 62701",
        CONTACT_EMAIL="privacy@example.com",
    )
    html = client.get("/privacy").get_data(as_text=True)
    text = ParsedPage(html).text
    assert "Example Media LLC" in text and "1 Main St, Springfield, IL 62701" in text
    assert 'href="mailto:privacy@example.com"' in html and 'href="/contact"' in html
    assert f'Effective <time datetime="{PRIVACY_EFFECTIVE.isoformat()}">' in html
    assert 'id="state-rights"' in html
    for words in (
        "California Consumer Privacy Act",
        "opt out of its sale or sharing",
        "Colorado, Connecticut, Virginia, Utah, Texas and Oregon",
        "you may appeal",
        "45 days",
        "Global Privacy Control",
        "five years",
        "Telemarketing Sales Rule",
    ):
        assert words in text, words
    assert 'href="/privacy/do-not-sell"' in html


def test_without_an_email_the_privacy_policy_points_to_the_contact_form(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "mailto:" not in html and 'href="/contact"' in html
    assert "The Medical Career Guide project" in html


def test_about_and_terms_say_who_runs_the_site_and_on_what_terms(client):
    about = ParsedPage(client.get("/about").get_data(as_text=True)).text
    assert "run by The Medical Career Guide project" in about and "We are not a school" in about
    terms = ParsedPage(client.get("/terms").get_data(as_text=True)).text
    assert "Terms of Use" in terms and "sponsored listing that a school pays for" in terms


def test_the_privacy_policy_explains_collection_retention_and_deletion(client):
    html = client.get("/privacy").get_data(as_text=True)
    for words in ["What we collect", "IP address", "five years", "Telemarketing Sales Rule"]:
        assert words in html
    assert "We delete your requests and messages" in html


@pytest.mark.parametrize(
    ("days", "period", "cites_the_rule"),
    [(1826, "five years", True), (3653, "ten years", True), (730, "two years", False)]
    + [(400, "400 days", False)],
)
def test_the_privacy_policy_states_the_retention_period_of_the_setting(
    app, client, days, period, cites_the_rule
):
    app.config["LEAD_RETENTION_DAYS"] = days
    text = ParsedPage(client.get("/privacy").get_data(as_text=True)).text
    assert f"We keep each request, with its consent evidence, for {period} from the day" in text
    assert ("Telemarketing Sales Rule" in text) is cites_the_rule  # its five years are covered
    assert "When that period ends (we check daily), your name," in text
    assert "fingerprints (SHA-256 hashes) of your email address and phone number" in text
