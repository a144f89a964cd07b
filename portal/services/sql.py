"""SQL expressions that give the same text on SQLite and PostgreSQL, for exports and charts."""

from sqlalchemy import ColumnElement, Integer, String, case, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.services.csv_cells import FORMULA_TRIGGERS


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


class first_code(FunctionElement):  # noqa: N801
    """The code point of a text's first character; 0 for empty text."""

    type = Integer()
    inherit_cache = True


@compiles(first_code, "sqlite")
def _first_code_sqlite(element, compiler, **kw) -> str:
    return "coalesce(unicode(" + compiler.process(element.clauses, **kw) + "), 0)"


@compiles(first_code, "postgresql")
def _first_code_postgresql(element, compiler, **kw) -> str:
    return "ascii(" + compiler.process(element.clauses, **kw) + ")"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:
    return "date(" + compiler.process(element.clauses, **kw) + ")"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


# Integer codes compare far faster than one-character strings, at a million rows a column.
TRIGGER_CODES = sorted(ord(c) for c in FORMULA_TRIGGERS)


def neutralised(column) -> ColumnElement[str]:
    """SQL twin of csv_cells.neutralise(), computed by the database (empty text -> NULL)."""
    return case(
        (first_code(column).in_([literal_column(str(n)) for n in TRIGGER_CODES]), "'" + column),
        else_=func.nullif(column, ""),
    )


def e164_or_neutralised(column) -> ColumnElement[str]:
    """A phone number as stored when it is well-formed E.164 (+ and digits), else neutralised."""
    digits = func.substr(column, 2)
    is_e164 = (func.substr(column, 1, 1) == "+") & (func.length(column) > 1)
    return case(
        (is_e164 & (func.ltrim(digits, "0123456789") == ""), column),
        else_=neutralised(column),
    )


def yes_no(column) -> ColumnElement[str]:
    """A boolean as the text true/false."""
    return case((column.is_(True), "true"), else_="false")
