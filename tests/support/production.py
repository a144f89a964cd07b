"""The site as production runs it, for the production-mode tests: its environment, setting it
up by the README's commands, and reading back what it stored."""

import csv
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from tests.support.servers import ROOT, Gunicorn, signing_key_file

# A database number of its own, flushed before and after; TEST_REDIS_URL picks another, so two
# checkouts can run these tests at once.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
ADMIN_EMAIL = "ops@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
LEAD_RATE_LIMIT = "5 per minute"
LOAD_LISTING = {
    "external_id": "LOAD-1",
    "school": "Load Test School (Example)",
    "campus_name": "Loop campus",
    "campus_address": "1 Test Plaza",
    "campus_zip": "60601",
    # Another career than the guide's, so the browser journey never meets this listing.
    "career": "certified-nursing-assistant",
    "title": "Nursing Assistant Certificate",
    "credential_level": "certificate",
    "modality": "campus",
    "duration": "6 weeks",
    "bid_usd": "20.00",
    "starts_on": "2025-01-01",
}


@dataclass
class Site:
    """The running site and what the tests need to reach it."""

    server: Gunicorn
    database_url: str
    env: dict
    load_program_id: int
    log: str

    @property
    def url(self) -> str:
        """The site's base URL."""
        return self.server.url


def flask_command(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run `flask --app wsgi ARGS` as an operator would; return its output, fail on error."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def production_env(database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of a production deployment on loopback, behind one (simulated) proxy."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    return inherited | {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "CONSENT_SIGNING_KEY_FILE": signing_key_file(),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "PROXY_COUNT": "1",
        "LEAD_RATE_LIMIT": LEAD_RATE_LIMIT,
        # The load clients send the form back at once; a visitor takes longer than 3 s.
        "LEAD_MIN_FILL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare_site(env: dict, folder) -> int:
    """Migrate, load the demo data and the load-test listing, create the admin; its id."""
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed-demo")
    listing = folder / "load-listing.csv"
    with listing.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=LOAD_LISTING)
        writer.writeheader()
        writer.writerow(LOAD_LISTING)
    flask_command(env, "import-programs", str(listing))
    flask_command(env, "create-admin", ADMIN_EMAIL, "--password-stdin", stdin=ADMIN_PASSWORD)
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT id FROM program WHERE external_id = 'LOAD-1'"))
    finally:
        engine.dispose()


def stored_emails(database_url: str) -> dict[str, int]:
    """How many leads the database holds for each email address."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT email, count(*) FROM lead GROUP BY email"))
            return dict(rows.all())
    finally:
        engine.dispose()


def flush_redis(url: str) -> None:
    """Empty one Redis database (skip the tests when Redis does not answer)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis does not answer at {url}")
    finally:
        client.close()
