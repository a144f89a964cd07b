"""Rendered pages kept in this process, so a popular page is built once: the one seam for it.

Two caches use it (portal.register_page_caches): the career guides, kept until the process ends
(they change only with a deploy), and search results and request-info forms, kept for
PAGE_CACHE_SECONDS. What a short-lived page may show that is no longer true (a listing that
just reached its cap, say) lasts at most those seconds and never decides anything: sending the
form checks the listing again before a lead is stored. Each process has its own caches and
nothing depends on them, so processes still share nothing.

A page that is the same for everyone but for a few values of each visitor's (the form's CSRF
token and stamp) is kept with named slots where those go, filled on every answer. A slot is
written as raw markup, `<slot:name>`: whatever a visitor sends is escaped before it reaches a
page, so no input can ever write a slot.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from markupsafe import Markup, escape


def slot(name: str) -> Markup:
    """The mark where a cached page takes a visitor's own value called `name`."""
    return Markup(f"<slot:{name}>")


@dataclass(frozen=True)
class RenderedPage:
    """A page as built: its HTML (maybe with slots), status, and what a view needs on a hit."""

    html: str
    status: int = 200
    data: Any = None


class PageCache:
    """At most `max_entries` pages, each for `seconds` after it was put (None: for good; 0 or
    less: none at all)."""

    # Pages are 10-30 KB: 500 bound a process's cache to about 15 MB, whatever URLs it is sent.
    def __init__(self, seconds: float | None, max_entries: int = 500):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether anything is kept at all."""
        return self.seconds is None or self.seconds > 0

    def get(self, key: Hashable) -> Any | None:
        """The value put under `key` within its time, or None."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key`, dropping the oldest entry when full."""
        if not self.enabled:
            return
        expires = float("inf") if self.seconds is None else time.monotonic() + self.seconds
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (expires, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


Build = Callable[[], RenderedPage | None]
Fill = Mapping[str, Callable[[RenderedPage], str]]


def cached_page(cache: str, key: Hashable, build: Build, fill: Fill | None = None):
    """The page under `key` in the app's cache named `cache`, built and kept when missing.

    `build` returns the page (None: there is none; not kept, nor is any page but a 200).
    `fill` gives, for each slot name, how to make this visitor's value; every answer, built
    now or kept, has its slots filled.
    """
    pages: PageCache = current_app.extensions["page_caches"][cache]
    page = pages.get(key)
    if page is None:
        page = build()
        if page is None:
            return None
        if page.status == 200:
            pages.put(key, page)
    if not fill:
        return page
    html = page.html
    for name, value in fill.items():
        html = html.replace(slot(name), escape(value(page)))
    return replace(page, html=html)
