"""Error responses: a page in the site's layout, or JSON for the partner API."""

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.core.http import in_blueprint
from portal.extensions import db

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def json_errors(blueprint: Blueprint) -> None:
    """Declare that `blueprint` answers errors in JSON (an API: its clients expect JSON), even
    for URLs under its prefix that match nothing."""
    blueprint.record_once(
        lambda state: state.app.extensions.setdefault("json_error_blueprints", []).append(blueprint)
    )


def wants_json() -> bool:
    """True for a request to a blueprint that declared json_errors()."""
    return any(in_blueprint(bp) for bp in current_app.extensions.get("json_error_blueprints", []))


def render_error(error: HTTPException):
    """Render an HTTP error as JSON for the API, or as a page in the site's layout."""
    code = error.code or 500
    title = TITLES.get(code, error.name)
    # Allow (405), Retry-After (429) and the like, for pages and JSON alike.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return jsonify(error={"status": code, "title": title}), code, headers
    template = f"errors/{code}.html" if code in (404, 405, 429, 500) else "errors/generic.html"
    page = render_template(template, code=code, title=title, description=error.description)
    return page, code, headers


def discard_session() -> None:
    """End the request's database session. Its rollback fails when the server has just dropped
    the connection (a restart): then the connection is thrown away instead, so a lost database
    answers 503, never a 500 from the cleanup after the response."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        current_app.logger.warning("database session discarded: its connection was lost")
        db.session.registry().invalidate()
        db.session.remove()


def register(app: Flask) -> None:
    """Install the handlers: HTTP errors, lost databases (503), and anything else (500)."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error)

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError):
        app.logger.error("database error: %s", type(error.orig).__name__)
        discard_session()
        return render_error(ServiceUnavailable())

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse).
    @app.teardown_appcontext
    def close_session(_error):
        discard_session()

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError())
