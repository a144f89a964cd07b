"""The site's header and footer, rendered once per process, and static files' URLs, built once:
on every page, with links that fit the path the site is mounted at."""

import re

from portal.core.views import SITE_PARTS


def footer_links(html: str) -> list[str]:
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', footer)


def test_every_page_has_the_same_header_and_footer(client):
    pages = [client.get(path).get_data(as_text=True) for path in ("/about", "/programs", "/")]
    assert all('<header class="site-header">' in html for html in pages)
    assert footer_links(pages[0]) == footer_links(pages[1]) == footer_links(pages[2])
    assert "/privacy" in footer_links(pages[0]) and "/privacy/do-not-sell" in footer_links(pages[0])


def test_the_links_fit_the_path_the_site_is_mounted_at(client, app):
    mounted = client.get("/about", base_url="http://localhost/portal").get_data(as_text=True)
    plain = client.get("/about").get_data(as_text=True)
    assert footer_links(mounted) == ["/portal" + link for link in footer_links(plain)]
    assert '<a class="brand" href="/portal/">' in mounted
    assert 'href="/portal/static/css/site.css"' in mounted  # static URLs are kept per root too
    assert 'href="/static/css/site.css"' in plain
    assert len(SITE_PARTS._kept[app.jinja_env]) == 4  # header and footer, for each root
