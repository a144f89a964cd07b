"""SQL expressions that give the same text on SQLite and PostgreSQL, for exports and charts."""

from sqlalchemy import BigInteger, Boolean, ColumnElement, Date, Float, String, case, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.services.csv_cells import (
    FORMULA_CHARS,
    INVISIBLE_CLASS,
    LINE_STARTS,
    PLAIN_STARTS,
)


class utc_iso(FunctionElement):  # noqa: N801  (reads as a SQL function)
    """A UTC timestamp as ISO 8601 text to the second, e.g. 2026-11-27T03:20:00Z."""

    type = String()
    inherit_cache = True


class utc_day(FunctionElement):  # noqa: N801
    """The UTC calendar day of a timestamp as text, e.g. 2026-11-27."""

    type = String()
    inherit_cache = True


@compiles(utc_iso, "sqlite")
def _utc_iso_sqlite(element, compiler, **kw) -> str:
    # UTCDateTime keeps naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"; substr is much cheaper
    # than strftime, which matters at a million rows.
    column = compiler.process(element.clauses, **kw)
    return f"(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z')"


@compiles(utc_iso, "postgresql")
def _utc_iso_postgresql(element, compiler, **kw) -> str:
    # Much cheaper than to_char; timestamp text is "YYYY-MM-DD HH:MM:SS" under DateStyle ISO
    # (PostgreSQL's default, and set for the export's COPY).
    column = compiler.process(element.clauses, **kw)
    utc = f"date_trunc('second', ({column}) AT TIME ZONE 'UTC')"
    return f"(replace(CAST({utc} AS text), ' ', 'T') || 'Z')"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:
    return "date(" + compiler.process(element.clauses, **kw) + ")"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


class utc_date(FunctionElement):  # noqa: N801
    """The UTC calendar day of a timestamp as a date (SQLite: its ISO text, as Date keeps it)."""

    type = Date()
    inherit_cache = True


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element, compiler, **kw) -> str:
    return "date(" + compiler.process(element.clauses, **kw) + ")"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS date)"


class utc_month(FunctionElement):  # noqa: N801
    """The first day of a timestamp's UTC month, as a date (SQLite: ISO text)."""

    type = Date()
    inherit_cache = True


@compiles(utc_month, "sqlite")
def _utc_month_sqlite(element, compiler, **kw) -> str:
    return "date(" + compiler.process(element.clauses, **kw) + ", 'start of month')"


@compiles(utc_month, "postgresql")
def _utc_month_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', ({column}) AT TIME ZONE 'UTC') AS date)"


class seconds_between(FunctionElement):  # noqa: N801
    """The seconds from one timestamp to another (negative when the second is earlier)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"extract(epoch FROM ({end}) - ({start}))"


class epoch_quarter(FunctionElement):  # noqa: N801
    """The quarter hour of a timestamp, counted in UTC from 1970 (seconds since then // 900):
    every time zone's days start on one, so charts can sum them into local days."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_quarter, "sqlite")
def _epoch_quarter_sqlite(element, compiler, **kw) -> str:
    return (
        "(CAST(strftime('%s', " + compiler.process(element.clauses, **kw) + ") AS INTEGER) / 900)"
    )


@compiles(epoch_quarter, "postgresql")
def _epoch_quarter_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(floor(extract(epoch FROM {column}) / 900) AS bigint)"


class folded(FunctionElement):  # noqa: N801
    """Text in lower case for comparing without case, any alphabet (SQLite's lower() only
    lowers ASCII, so there it is Python's str.lower, given to each connection)."""

    type = String()
    inherit_cache = True


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw) -> str:
    return "lower(" + compiler.process(element.clauses, **kw) + ")"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw) -> str:
    return "portal_lower(" + compiler.process(element.clauses, **kw) + ")"


class is_formula(FunctionElement):  # noqa: N801
    """SQL twin of csv_cells.is_formula(): whether a spreadsheet could run the text."""

    type = Boolean()
    inherit_cache = True


def _codes(chars) -> str:
    """Code points as a SQL list, e.g. (43, 45): integers compare far faster than text."""
    return "(" + ", ".join(str(ord(c)) for c in sorted(chars)) + ")"


# PostgreSQL text never holds NUL, and its regular expressions take the other characters as is.
_PG_LEAD_IN = "^" + INVISIBLE_CLASS.replace("\x00", "\x01", 1) + "+"
_PLAIN_CODES = _codes(PLAIN_STARTS)


@compiles(is_formula, "postgresql")
def _is_formula_postgresql(element, compiler, **kw) -> str:
    # The common case (a plain printable first character) is decided on one ascii() alone; only
    # the rest pay for the regular expression. ascii() is the first character's code point in a
    # UTF-8 database: the character as written, never normalised.
    column = compiler.process(element.clauses, **kw)
    lead_in = compiler.process(literal_column("'" + _PG_LEAD_IN + "'"), **kw)
    first = f"ascii({column})"
    return (
        f"(CASE WHEN {first} IN {_PLAIN_CODES} THEN false WHEN {first} IN {_codes(LINE_STARTS)}"
        f" THEN true ELSE ascii(regexp_replace({column}, {lead_in}, '')) IN"
        f" {_codes(FORMULA_CHARS)} END)"
    )


class starts_plain(FunctionElement):  # noqa: N801
    """Whether text starts with a printable ASCII character that starts no formula (most cells
    do, and need no closer look); NULL for NULL or empty text."""

    type = Boolean()
    inherit_cache = True


@compiles(starts_plain, "postgresql")
def _starts_plain_postgresql(element, compiler, **kw) -> str:
    # One ascii() against a constant list, which PostgreSQL looks up in a hash table.
    return f"(ascii({compiler.process(element.clauses, **kw)}) IN {_PLAIN_CODES})"


@compiles(starts_plain, "sqlite")
def _starts_plain_sqlite(element, compiler, **kw) -> str:
    return f"(unicode({compiler.process(element.clauses, **kw)}) IN {_PLAIN_CODES})"


@compiles(is_formula, "sqlite")
def _is_formula_sqlite(element, compiler, **kw) -> str:
    # The Python function itself, given to each SQLite connection (portal._sqlite_pragmas).
    return "portal_is_formula(" + compiler.process(element.clauses, **kw) + ")"


def neutralised(column) -> ColumnElement[str]:
    """SQL twin of csv_cells.neutralise(), computed by the database (empty text -> NULL).

    Written flat, cheapest test first, as the export runs it on 18 cells of every row: a plain
    first character settles it; only what is left is checked for empty text and formulas.
    """
    return case(
        (starts_plain(column), column),
        (column == "", None),
        (is_formula(column), "'" + column),
        else_=column,
    )


class is_e164(FunctionElement):  # noqa: N801
    """Whether text is a phone number in E.164: + and one or more digits, nothing else."""

    type = Boolean()
    inherit_cache = True


@compiles(is_e164, "postgresql")
def _is_e164_postgresql(element, compiler, **kw) -> str:
    # With its trailing digits trimmed, E.164 leaves "+". Trimmed as bytes, since rtrim() on
    # text works character by character in a UTF-8 database, at twice the cost (a million
    # rows of the export: 0.33 s, against 0.68 s as text and 0.85 s with substr and ltrim).
    column = compiler.process(element.clauses, **kw)
    return (
        f"(rtrim(textsend({column}), '\\x30313233343536373839'::bytea) = '\\x2b'::bytea"
        f" AND {column} <> '+')"
    )


@compiles(is_e164, "sqlite")
def _is_e164_sqlite(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(rtrim({column}, '0123456789') = '+' AND {column} <> '+')"


def e164_or_neutralised(column) -> ColumnElement[str]:
    """A phone number as stored when it is well-formed E.164 (+ and digits), else neutralised."""
    return case((is_e164(column), column), else_=neutralised(column))


def yes_no(column) -> ColumnElement[str]:
    """A boolean as the text true/false."""
    return case((column.is_(True), "true"), else_="false")
