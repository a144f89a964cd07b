"""Each listing's daily figures: how often it was shown on a results page (impressions) and
its request form viewed, counted per listing and UTC day in `listing_day`.

Counted like the search log (portal.services.search_log): each view adds to this process's
buffer, written in one statement at most SEARCH_LOG_BATCH_SECONDS later (or at once when that
is 0), as increments (INSERT ... ON CONFLICT DO UPDATE), so any number of processes add up.
The buffer keeps sums per listing and day, not a row per view: a results page shows ten
listings, and a busy second's pages mostly show the same ones.
A page answered from the page cache counts like any: the count is taken by the view.
"""

from collections import Counter

from flask import Flask, current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import ListingDay, today_utc
from portal.services.search_log import SearchLogWriter, install_writer


class ListingStatsWriter(SearchLogWriter):
    """Buffers (program, day, impressions, form views) rows as sums per listing, day and figure;
    writes them as increments."""

    name = "listing figures"

    @staticmethod
    def _empty() -> Counter:
        """A new, empty buffer: views per (program id, day, "impressions" or "form_views")."""
        return Counter()

    @staticmethod
    def _keep(buffer: Counter, rows: tuple[dict, ...]) -> int:
        """Add the rows' views to `buffer`'s sums; return how many sums it holds."""
        for row in rows:
            for figure in ("impressions", "form_views"):
                if row[figure]:
                    buffer[row["program_id"], row["day"], figure] += row[figure]
        return len(buffer)

    @staticmethod
    def _count(buffer: Counter) -> int:
        """How many views `buffer` holds."""
        return sum(buffer.values())

    def write(self, conn, sums: Counter) -> None:
        """Add the sums per listing and day to listing_day."""
        keys = sorted({(program_id, day) for program_id, day, _ in sums})
        values = [
            {
                "program_id": program_id,
                "day": day,
                "impressions": sums[(program_id, day, "impressions")],
                "form_views": sums[(program_id, day, "form_views")],
            }
            for program_id, day in keys
        ]
        if not values:
            return
        make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        statement = make(ListingDay)
        statement = statement.on_conflict_do_update(
            index_elements=["program_id", "day"],
            set_={
                "impressions": ListingDay.impressions + statement.excluded.impressions,
                "form_views": ListingDay.form_views + statement.excluded.form_views,
            },
        )
        conn.execute(statement, values)

    def write_now(self, rows: list[dict]) -> None:
        """Write the views at once, in the request's session (one statement, one commit)."""
        sums = self._empty()
        self._keep(sums, tuple(rows))
        self.write(db.session.connection(), sums)
        db.session.commit()


def init_listing_stats(app: Flask) -> ListingStatsWriter:
    """Give the app its listing figures writer (batched as the search log is)."""
    return install_writer(app, ListingStatsWriter, "listing_stats")


def record_impressions(program_ids: list[int]) -> None:
    """Count one showing of each of these listings on a results page, today (UTC)."""
    day = today_utc()
    current_app.extensions["listing_stats"].add(
        *(
            {"program_id": program_id, "day": day, "impressions": 1, "form_views": 0}
            for program_id in dict.fromkeys(program_ids)
        )
    )


def record_form_view(program_id: int) -> None:
    """Count one view of a listing's request form, today (UTC)."""
    current_app.extensions["listing_stats"].add(
        {"program_id": program_id, "day": today_utc(), "impressions": 0, "form_views": 1}
    )
