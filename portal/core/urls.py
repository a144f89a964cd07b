"""URLs: ids in paths are whole numbers a database integer column can hold; and templates
build the site's fixed links (an endpoint with no values, and static files) once per process,
not on every page.
"""

from flask import Flask, current_app, request
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


def remembered_url(endpoint: str, **values) -> str:
    """url_for(endpoint, **values), built once per process and request root: for links that are
    the same on every request (never for values a visitor sends, which would grow it)."""
    built = current_app.extensions.setdefault("remembered_urls", {})
    key = (endpoint, request.script_root, *values.items())
    url = built.get(key)
    if url is None:
        url = built[key] = current_app.url_for(endpoint, **values)
    return url


def remembering_fixed_links(app: Flask):
    """url_for for templates that remembers what an endpoint with no values builds to (the
    navigation and footer links of every page), and a static file's URL (the stylesheet and
    icon of every page): the same path each time for a request's root."""

    def url_for(endpoint: str, **values) -> str:
        if (values and endpoint != "static") or endpoint.startswith("."):
            return app.url_for(endpoint, **values)
        return remembered_url(endpoint, **values)

    return url_for


def register(app: Flask) -> None:
    """Make `<id:...>` available to every blueprint's routes; give templates the url_for above."""
    app.url_map.converters["id"] = IdConverter
    app.jinja_env.globals["url_for"] = remembering_fixed_links(app)
