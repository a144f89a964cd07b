"""The page caches: entries live for their seconds (or for good), the oldest go first; pages
are built once and their named slots filled for each visitor."""

import pytest
from markupsafe import escape

from portal.core import page_cache
from portal.core.page_cache import PageCache, RenderedPage, cached_page, slot


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand."""
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    return now


def test_a_page_is_reused_until_its_seconds_are_up(clock):
    cache = PageCache(5)
    cache.put("a", "page a")
    clock[0] += 4.9
    assert cache.get("a") == "page a"
    clock[0] += 0.1
    assert cache.get("a") is None


def test_putting_again_restarts_the_clock(clock):
    cache = PageCache(5)
    cache.put("a", "old")
    clock[0] += 4
    cache.put("a", "new")
    clock[0] += 4
    assert cache.get("a") == "new"


def test_when_full_the_oldest_entry_goes(clock):
    cache = PageCache(5, max_entries=2)
    for key in "abc":
        cache.put(key, key.upper())
    assert [cache.get(k) for k in "abc"] == [None, "B", "C"]


def test_zero_seconds_keeps_nothing(clock):
    cache = PageCache(0)
    cache.put("a", "page a")
    assert cache.get("a") is None


def test_none_seconds_keeps_a_page_for_good(clock):
    cache = PageCache(None)
    cache.put("a", "page a")
    clock[0] += 10**9
    assert cache.get("a") == "page a"


@pytest.fixture
def pages(app, clock):
    """The app's short-lived page cache, on for 5 seconds."""
    app.extensions["page_caches"]["pages"] = PageCache(5)
    return app


def test_a_page_is_built_once_and_its_slots_filled_for_each_visitor(pages):
    builds, visitor = [], iter(["token-one", "token-two"])

    def build():
        builds.append(1)
        return RenderedPage(f'<input value="{slot("csrf")}">', 200, "data")

    with pages.test_request_context():
        first = cached_page("pages", "k", build, fill={"csrf": lambda page: next(visitor)})
        second = cached_page("pages", "k", build, fill={"csrf": lambda page: next(visitor)})
    assert (first.html, second.html) == ('<input value="token-one">', '<input value="token-two">')
    assert len(builds) == 1 and second.data == "data"


def test_a_fill_value_is_escaped_and_only_pages_answered_200_are_kept(pages):
    with pages.test_request_context():
        page = cached_page(
            "pages", "x", lambda: RenderedPage(str(slot("v")), 200), fill={"v": lambda p: "<b>"}
        )
        assert page.html == "&lt;b&gt;"
        assert cached_page("pages", "e", lambda: RenderedPage("bad", 422)).status == 422
        assert cached_page("pages", "e", lambda: RenderedPage("fixed", 200)).html == "fixed"
        assert cached_page("pages", "n", lambda: None) is None


@pytest.mark.parametrize("text", ["<slot:csrf>", "\x00csrf\x00", "&lt;slot:csrf&gt;"])
def test_no_escaped_input_can_write_a_slot(text):
    assert str(slot("csrf")) not in str(escape(text))
