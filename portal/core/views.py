"""Site-wide endpoints that belong to no product area: the health check."""

from flask import Blueprint, current_app, jsonify, request

from portal.core.widgets import keeps_value
from portal.services.health import database_is_reachable

bp = Blueprint("core", __name__)
bp.add_app_template_global(keeps_value)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 when it does not."""
    no_store = {"Cache-Control": "no-store"}
    if database_is_reachable():
        return jsonify(status="ok", database="ok"), 200, no_store
    return jsonify(status="unavailable", database="unreachable"), 503, no_store


@bp.app_context_processor
def page_urls() -> dict:
    """Give every template the page's absolute canonical URL (no query string)."""
    return {"canonical_url": current_app.config["SITE_URL"] + request.path}
