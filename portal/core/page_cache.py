"""Rendered pages kept for a few seconds in this process, so a popular page is built once.

Used for search results and the request-info form. What a cached page may show that is no
longer true (a listing that just reached its cap, say) lasts at most those few seconds, and
never decides anything: sending the form checks the listing again before a lead is stored.
Each process has its own cache and nothing depends on it, so processes still share nothing.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class PageCache:
    """At most `max_entries` values, each for `seconds` after it was put; 0 seconds: none."""

    # Pages are 10-30 KB: 500 bound a process's cache to about 15 MB, whatever URLs it is sent.
    def __init__(self, seconds: float, max_entries: int = 500):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        """The value put under `key` less than `seconds` ago, or None."""
        if self.seconds <= 0:
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
        """Keep `value` under `key` for `seconds`, dropping the oldest entry when full."""
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (time.monotonic() + self.seconds, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
