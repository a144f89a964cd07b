"""The application factory: settings, extensions, blueprints, error pages and CLI."""

import math
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, load_settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from PORTAL_ENV's settings, with optional overrides (used by tests)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_settings())
    app.config.update(overrides or {})
    INSTANCE_DIR.mkdir(exist_ok=True)
    register_logging(app)
    register_proxy_fix(app)
    register_extensions(app)
    register_page_caches(app)
    register_consent_receipts(app)
    register_url_converters(app)
    register_blueprints(app)
    register_http(app)
    register_cors(app)
    register_form_bodies(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    """Send the app's log lines to stderr at the configured level, control characters escaped."""
    from portal.core.logs import register

    register(app)


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly PROXY_COUNT reverse proxies, and no more."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in portal.extensions to this app."""
    from portal import models  # noqa: F401  (the models must be known to Alembic)
    from portal.core import reads
    from portal.core.signin import load_user
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    reads.configure(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = "Please sign in to see the admin pages."
    login_manager.user_loader(load_user)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Give each SQLite connection foreign keys, WAL journaling, a busy timeout for concurrent
    writers, and the functions the search and the export use."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    _sqlite_math_functions(dbapi_connection)
    _sqlite_export_functions(dbapi_connection)


def _sqlite_math_functions(dbapi_connection) -> None:
    """Give SQLite the math functions the radius search uses, where it was built without them."""
    try:
        dbapi_connection.execute("SELECT sin(0), cos(0), power(2, 2)")
    except sqlite3.OperationalError:
        functions = (("sin", 1, math.sin), ("cos", 1, math.cos), ("power", 2, math.pow))
        for name, arity, function in functions:
            dbapi_connection.create_function(name, arity, function, deterministic=True)


def _sqlite_export_functions(dbapi_connection) -> None:
    """Give SQLite the export's formula rule (portal.services.sql.is_formula) and lower case
    for any alphabet (portal.services.sql.folded) as functions."""
    from portal.services.csv_cells import is_formula

    def portal_is_formula(value):
        return None if value is None else is_formula(value)

    def portal_lower(value):
        return value.lower() if isinstance(value, str) else value

    dbapi_connection.create_function("portal_is_formula", 1, portal_is_formula, deterministic=True)
    dbapi_connection.create_function("portal_lower", 1, portal_lower, deterministic=True)


def register_page_caches(app: Flask) -> None:
    """Give the app its page caches (portal.core.page_cache) and its search log writer.

    "guides": career pages, kept until the process ends (not in debug mode, where templates
    reload on change); "pages": search results and request-info forms, PAGE_CACHE_SECONDS.
    """
    from portal.core.page_cache import PageCache
    from portal.services.listing_stats import init_listing_stats
    from portal.services.search_log import init_search_log

    app.extensions["page_caches"] = {
        "guides": PageCache(0 if app.debug else None),
        "pages": PageCache(app.config["PAGE_CACHE_SECONDS"]),
    }
    init_search_log(app)
    init_listing_stats(app)


def register_consent_receipts(app: Flask) -> None:
    """Load the key that signs consent receipts (production refuses to start without it) and
    the note of the request forms already kept."""
    from portal.services.consent_forms import init_consent_forms
    from portal.services.consent_keys import init_consent_keys

    init_consent_keys(app)
    init_consent_forms(app)


def register_url_converters(app: Flask) -> None:
    """`<id:...>` in routes: ids a database column can hold (anything else is a 404)."""
    from portal.core.urls import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per area of the site."""
    from portal.admin.account_views import bp as admin_accounts_bp
    from portal.admin.delivery_views import bp as admin_delivery_bp
    from portal.admin.inbox_views import bp as admin_inbox_bp
    from portal.admin.listing_views import bp as admin_listings_bp
    from portal.admin.views import bp as admin_bp
    from portal.api import bp as api_bp
    from portal.api.docs_views import bp as api_docs_bp
    from portal.core.views import bp as core_bp
    from portal.guides.views import bp as guides_bp
    from portal.leads.views import bp as leads_bp
    from portal.pages.views import bp as pages_bp
    from portal.receipts.views import bp as receipts_bp
    from portal.school.views import bp as school_bp
    from portal.search.views import bp as search_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(guides_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(leads_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_delivery_bp)
    app.register_blueprint(admin_listings_bp)
    app.register_blueprint(admin_inbox_bp)
    app.register_blueprint(admin_accounts_bp)
    app.register_blueprint(school_bp)


def register_http(app: Flask) -> None:
    """Request ids, one log line per request, security and cache headers."""
    from portal.core.http import register

    register(app)


def register_cors(app: Flask) -> None:
    """Which other sites' scripts may read the API (portal.core.cors)."""
    from portal.core.cors import register

    register(app)


def register_form_bodies(app: Flask) -> None:
    """Form endpoints take HTML form bodies only (415 otherwise), checked before anything else."""
    from portal.core.forms import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    """Answer errors with pages in the site's layout (JSON under /api/)."""
    from portal.core.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    """Add the project's flask commands."""
    from portal.admin.cli import ADMIN_COMMANDS
    from portal.cli import register
    from portal.delivery.cli import DELIVERY_COMMANDS
    from portal.receipts.cli import RECEIPT_COMMANDS
    from portal.school.cli import SCHOOL_COMMANDS

    register(app)
    for command in ADMIN_COMMANDS + DELIVERY_COMMANDS + SCHOOL_COMMANDS + RECEIPT_COMMANDS:
        app.cli.add_command(command)
