"""Pages of long lists whose count stops at COUNT_CAP: "10,000+ leads match" costs reading at
most 10,001 index entries, where an exact count of a million would read them all.

A capped list still pages on past the cap (Older/Next stays while a page comes back full);
each page reads its own offset, so the list's cost follows the page asked for, not the
table. The lists that use it: the admin's leads, a school's leads, a school's delivery log.
"""

from collections.abc import Callable
from math import ceil

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from portal.extensions import db

COUNT_CAP = 10_000


class CappedPagination(Pagination):
    """A page of items and a count that stops at `cap` (then `capped` is true)."""

    capped: bool = False

    def _query_items(self) -> list:
        items = self._query_args["items"]
        if callable(items):
            return list(items(self.per_page, self._query_offset))
        query = items.limit(self.per_page).offset(self._query_offset)
        return list(db.session.execute(query).unique().scalars())

    def _query_count(self) -> int:
        cap = self._query_args["cap"]
        found = self._query_args["counted"].order_by(None).limit(cap + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(found))
        self.capped = total > cap
        return min(total, cap)

    @property
    def pages(self) -> int:
        """The pages the count covers (more may follow when it is capped)."""
        return max(1, ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_next(self) -> bool:
        """Whether a page follows: within the count, or past a capped count while pages
        come back full."""
        if self.capped and self.page >= self.pages:
            return len(self.items) == self.per_page
        return self.page < self.pages


def capped_page(
    items: Select | Callable[[int, int], list],
    count: Select,
    page: int,
    per_page: int,
    cap: int | None = None,
) -> CappedPagination:
    """One page of `items` (a SELECT of entities, or a function of limit and offset giving
    them), with the number of rows `count` selects, counted up to `cap` (COUNT_CAP)."""
    return CappedPagination(
        page=page, per_page=per_page, max_per_page=None, error_out=False, items=items,
        counted=count, cap=COUNT_CAP if cap is None else cap,
    )  # fmt: skip
