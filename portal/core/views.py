"""Site-wide endpoints and template helpers that belong to no product area: the health check,
the site's header and footer, and each page's canonical URL."""

from flask import Blueprint, current_app, jsonify, request
from markupsafe import Markup

from portal.core.fragments import KeptRender
from portal.core.widgets import keeps_value
from portal.services.health import database_is_reachable

bp = Blueprint("core", __name__)
bp.add_app_template_global(keeps_value)
SITE_PARTS = KeptRender(max_keys=64)


@bp.app_template_global()
def site_part(name: str) -> Markup:
    """The site's "header" or "footer" (templates/_site.html): the same on every page, so
    rendered once per process (and path the site is mounted at)."""
    env = current_app.jinja_env

    def render() -> str:
        return getattr(env.get_template("_site.html").module, name)()

    return SITE_PARTS.get(env, (name, request.script_root), render)


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
