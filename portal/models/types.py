"""Column types shared by the models."""

from datetime import UTC, date, datetime

from sqlalchemy import DateTime, String
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


class CodeList(TypeDecorator):
    """A short tuple of codes (e.g. ("full_time", "evenings")), stored as text separated by
    spaces; the empty tuple is stored as NULL. The codes may not hold spaces."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Join the codes with spaces (NULL for none)."""
        if not value:
            return None
        if any(not code or " " in code for code in value):
            raise ValueError("codes must be non-empty and hold no spaces")
        return " ".join(value)

    def process_result_value(self, value, dialect):
        """The codes as a tuple (empty for NULL)."""
        return tuple(value.split()) if value else ()


class DateList(TypeDecorator):
    """A short tuple of dates, stored as ISO dates separated by spaces (NULL for none)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Write each date as YYYY-MM-DD, separated by spaces (NULL for none)."""
        if not value:
            return None
        return " ".join(day.isoformat() for day in value)

    def process_result_value(self, value, dialect):
        """The dates as a tuple (empty for NULL)."""
        return tuple(date.fromisoformat(text) for text in value.split()) if value else ()
