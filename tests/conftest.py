"""Fixtures: a migrated database per backend, a fresh app per test, a client, a CLI runner,
a live server and a Chromium page for browser tests.

Database tests run on SQLite always, and on PostgreSQL too when TEST_DATABASE_URL points at a
server; each test session makes its own uniquely named PostgreSQL database and drops it.
Apps are built in testing mode (config.TestingConfig), whatever PORTAL_ENV the shell has.
"""

import os
import shutil
import threading
from pathlib import Path

os.environ["PORTAL_ENV"] = "testing"  # before any app is built

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db, dispose_engines
from portal.services.geo import load_zip_codes
from tests.support.servers import scratch_postgres
from tests.support.settings import BACKENDS, base_settings

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parent.parent / "docs"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Reference data (the ZIP table) is loaded once per session and kept between tests.
KEEP_TABLES = {"zip_code", "alembic_version"}


@pytest.fixture(scope="session")
def postgres_url():
    """A new, uniquely named PostgreSQL database for this session, dropped at the end."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL runs are skipped")
    with scratch_postgres(server, "portal_test") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database URL, once per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = create_app(base_settings(url))
    with app.app_context():
        upgrade()
        load_zip_codes()
        dispose_engines()
    return url


def clear_tables() -> None:
    """Remove every row the last test wrote, keeping the reference data."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(database_url):
    """A fresh app on an empty (but migrated) database."""
    app = create_app(base_settings(database_url))
    with app.app_context():
        clear_tables()
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's flask commands."""
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def docs_folder(tmp_path) -> Path:
    """Where browser tests save their screenshots: docs/ (shown in the README) when
    UPDATE_SCREENSHOTS=1, else a temporary folder, so a test run leaves the committed
    pictures alone."""
    return DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skipped with a reason where it is missing."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page that records console errors in `page.console_errors`."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()
