"""Column types shared by the models."""

from datetime import UTC, date, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# PostgreSQL's integer: the type of ids, lead caps and bids in cents.
DB_INT_MAX = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (a per-row column default)."""
    return datetime.now(UTC)


def today_utc() -> date:
    """Today's date in UTC: the calendar of sponsorship dates, lead caps and reports."""
    return utcnow().date()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so naive values coming back are UTC by construction; naive values
    going in are refused, so a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert to UTC before storing; refuse naive datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
