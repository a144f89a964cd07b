"""The short-lived page cache: entries live for their seconds, the oldest go first."""

import pytest

from portal.core import page_cache
from portal.core.page_cache import PageCache


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
