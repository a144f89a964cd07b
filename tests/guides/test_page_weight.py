"""The guide page in Chromium: under 100 KB with every asset, all from this host, no blocking JS.

The development server sends nothing compressed, so the bytes counted are the uncompressed
ones (headers included): a proxy's gzip in production only makes the page lighter.
"""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

GUIDE = "/careers/medical-office-manager"
BUDGET_BYTES = 100 * 1024


def test_guide_page_weight_hosts_and_scripts(live_server, page):
    requested, finished, failed = [], [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(live_server + GUIDE, wait_until="networkidle")

    sizes = {}
    for request in finished:
        transferred = request.sizes()
        sizes[request.url] = transferred["responseHeadersSize"] + transferred["responseBodySize"]
        assert transferred["responseBodySize"] == len(request.response().body()), request.url
    total = sum(sizes.values())
    print(f"\n{GUIDE}: {total} bytes in {len(sizes)} requests: {sizes}")
    assert failed == []
    assert total < BUDGET_BYTES, sizes
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(live_server).netloc}

    blocking = page.evaluate(
        """[...document.querySelectorAll('head script')]
            .filter(s => s.type !== 'application/ld+json' && !(s.src && (s.defer || s.async)))
            .map(s => s.src || 'inline script')"""
    )
    assert blocking == []
