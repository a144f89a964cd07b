"""Hot reads outside any transaction: the "reads" engine, and statements run on its driver.

A search page is one SELECT. Through the session it paid for BEGIN and ROLLBACK, the pool's
pre-ping (a round trip before every checkout), and SQLAlchemy's result machinery, together
more than the statement itself. On PostgreSQL the app gets a second engine, the "reads" bind,
in autocommit mode and without pre-ping, and `read_rows()` runs a statement compiled once
(`CompiledRead`) on the driver's connection, applying the same type conversions SQLAlchemy
would (a CodeList column still comes back as a tuple).

A connection the server dropped (a restart) is found by the statement failing instead of by
a ping: the connection is thrown away and the statement runs once more through SQLAlchemy on
a fresh one, which also reports a database that is really gone as the rest of the app sees it
(OperationalError, a 503). Reads only: nothing here may write.

SQLite has no such engine (an in-memory database is one connection, shared with the session):
`read_rows()` runs the statement on the session's connection there.
"""

import functools
from collections import namedtuple

from flask import Flask, current_app
from sqlalchemy.engine import Dialect

from portal.extensions import db

BIND = "reads"


def configure(app: Flask) -> None:
    """Add the "reads" bind to a PostgreSQL app's settings (before Flask-SQLAlchemy starts):
    the main database, the main engine's pool settings, autocommit and no pre-ping."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    binds = app.config.setdefault("SQLALCHEMY_BINDS", {})
    if not str(uri).startswith("postgresql") or BIND in binds:
        return
    binds[BIND] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "url": uri,
        "isolation_level": "AUTOCOMMIT",
        "pool_pre_ping": False,
    }


class CompiledRead:
    """A SELECT compiled once for a dialect, run on a DB-API connection; rows are named tuples
    with SQLAlchemy's result conversions applied (worked out from the first result's column
    types, as SQLAlchemy does)."""

    def __init__(self, statement, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a statement rewritten per call (expanding IN) can't be kept")
        self.compiled, self.sql, self.dialect = compiled, compiled.string, dialect
        columns = list(statement.selected_columns)
        if any(not column.key for column in columns):
            raise ValueError("every column a kept read returns needs a name (label it)")
        self.Row = namedtuple("Row", [column.key for column in columns])
        self.types = [column.type for column in columns]
        self.binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        self.converters: tuple | None = None  # (position, function) pairs, from the first result

    def parameters(self, values: dict) -> dict:
        """The statement's parameters for these values (and its own literal ones), converted."""
        parameters = self.compiled.construct_params(values)
        for name, processor in self.binds.items():
            if name in parameters:
                parameters[name] = processor(parameters[name])
        return parameters

    def rows(self, connection, values: dict) -> list:
        """Run on a DB-API connection; every row as a named tuple."""
        cursor = connection.execute(self.sql, self.parameters(values))
        rows = cursor.fetchall()
        if self.converters is None:
            self.converters = self._converters(cursor.description)
        make = self.Row._make
        if not self.converters:
            return [make(row) for row in rows]
        out = []
        for row in rows:
            row = list(row)
            for position, convert in self.converters:
                row[position] = convert(row[position])
            out.append(make(row))
        return out

    def _converters(self, description) -> tuple:
        """What SQLAlchemy would apply to each column, given the driver's column types."""
        found = []
        for position, (type_, column) in enumerate(zip(self.types, description, strict=True)):
            impl = type_.dialect_impl(self.dialect)
            convert = impl.result_processor(self.dialect, column[1])
            if convert is not None:
                found.append((position, convert))
        return tuple(found)


@functools.lru_cache(maxsize=256)
def compiled_read(statement, dialect: Dialect) -> CompiledRead:
    """The statement compiled for the dialect, kept (statements built once per shape are
    compiled once per engine)."""
    return CompiledRead(statement, dialect)


def read_rows(statement, values: dict) -> list:
    """Run a SELECT outside any transaction and return its rows (see the module's notes)."""
    engine = db.engines.get(BIND)
    if engine is None:
        return db.session.connection().execute(statement, values).all()
    read = compiled_read(statement, engine.dialect)
    with engine.connect() as connection:
        try:
            return read.rows(connection.connection.driver_connection, values)
        except engine.dialect.loaded_dbapi.Error as error:
            connection.invalidate()  # perhaps dropped by the server: never hand it out again
            # The error's kind only: its message may quote the statement's values.
            current_app.logger.warning(
                "read failed (%s); again on a new connection", type(error).__name__
            )
    with engine.connect() as connection:
        return connection.execute(statement, values).all()
