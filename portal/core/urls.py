"""URL converters: ids in paths are whole numbers a database integer column can hold."""

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from portal.models import DB_INT_MAX


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id from 1 to DB_INT_MAX (the id column's range); anything else is a
    404 for every method (a plain failed match would let a route with the same path but another
    method answer 405)."""

    def to_python(self, value: str) -> int:
        """The id, or NotFound when no row can have it."""
        number = int(value)
        if not 1 <= number <= DB_INT_MAX:
            raise NotFound()
        return number


def register(app: Flask) -> None:
    """Make `<id:...>` available to every blueprint's routes."""
    app.url_map.converters["id"] = IdConverter
