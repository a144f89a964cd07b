"""The site as a whole: a crawl from the home page, well-formed HTML, labels, SEO files."""

import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import urlsplit

from portal.guides import presentation
from portal.services import careers
from tests.support.factories import make_program
from tests.support.htmlcheck import SITE_URL, ParsedPage, crawl


def html_pages(pages: dict) -> dict[str, str]:
    """The HTML pages of a crawl, by URL."""
    return {url: body for url, (_, kind, body) in pages.items() if kind == "text/html"}


def test_crawl_finds_no_broken_internal_link(client):
    pages = crawl(client)
    broken = {url: status for url, (status, _, _) in pages.items() if status >= 400}
    assert broken == {}
    paths = {urlsplit(url).path for url in pages}
    assert {f"/careers/{c.slug}" for c in careers.all_careers()} <= paths
    assert {"/", "/careers/", "/programs", "/static/css/site.css", "/static/js/sort-table.js"} <= (
        paths
    )
    assert any("pay=monthly" in url for url in pages)
    assert any("sort=salary" in url for url in pages)


def test_every_page_is_well_formed_html_with_labelled_fields(client):
    pages = html_pages(crawl(client))
    pages["/careers/no-such-career"] = client.get("/careers/no-such-career").get_data(as_text=True)
    for url, body in pages.items():
        page = ParsedPage(body)
        assert page.has_doctype, url
        assert page.errors == [], url
        assert page.duplicate_ids() == set(), url
        assert page.unlabelled_fields() == [], url
        assert [tag for tag, _ in page.headings].count("h1") == 1, url


def test_the_checker_catches_broken_html():
    assert ParsedPage("<!doctype html><div><p>x</div></p>").errors
    assert ParsedPage("<!doctype html><ul><li>x</ul>").errors
    assert ParsedPage("<!doctype html><main><p>open").errors
    assert ParsedPage("<!doctype html><br></br>").errors
    assert not ParsedPage("<!doctype html><p>a<br>b<img src=x></p><svg><rect/></svg>").errors
    unlabelled = ParsedPage('<input id="a"><input id="b" aria-label="B"><input type="hidden">')
    assert [f["id"] for f in unlabelled.unlabelled_fields()] == ["a"]


def test_titles_and_descriptions_are_unique_per_page(client):
    by_path: dict[str, ParsedPage] = {}
    for url, body in html_pages(crawl(client)).items():
        by_path.setdefault(urlsplit(url).path, ParsedPage(body))
    titles = [page.title.strip() for page in by_path.values()]
    descriptions = [page.meta.get("description", "") for page in by_path.values()]
    assert all(titles) and all(descriptions)
    assert len(set(titles)) == len(titles)
    assert len(set(descriptions)) == len(descriptions)
    for path, page in by_path.items():
        assert page.meta["og:title"] == page.title.strip(), path
        assert page.meta["og:url"] == SITE_URL + path, path


def test_sitemap_lists_every_public_page_with_absolute_urls(app, client):
    with app.app_context():
        listed = make_program().id
        make_program(is_active=False)
        make_program(ends_on=date(2020, 12, 31))  # not taking requests
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.data)
    urls = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    assert all(url.startswith(SITE_URL + "/") for url in urls)
    with app.test_request_context():
        expected = [SITE_URL + path for path in presentation.public_urls([listed])]
    assert urls == expected
    assert f"{SITE_URL}/careers/medical-office-manager" in urls
    assert f"{SITE_URL}/programs/{listed}" in urls and f"{SITE_URL}/privacy" in urls
    assert len(urls) == 2 + len(careers.all_careers()) + 2 + len(presentation.SITE_PAGES)
    for url in urls:
        response = client.get(url[len(SITE_URL) :])
        assert response.status_code == 200, url
        response.close()


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin" in lines
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
