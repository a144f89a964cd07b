"""The site as it runs in production: `gunicorn wsgi:app` (2 workers) in production mode on a
free loopback port, a fresh PostgreSQL database, and rate limits counted in Redis.

The database is set up the way an operator would, by the README's commands run as
subprocesses: `flask --app wsgi db upgrade`, `seed-demo`, `import-programs` (one uncapped
listing for the load tests) and `create-admin --password-stdin`.

These tests need TEST_DATABASE_URL (a PostgreSQL server on 127.0.0.1) and Redis on
127.0.0.1:6379; they are skipped with a reason otherwise. They share one server, so they run
in one xdist group (pyproject.toml distributes by group).
"""

import os

import pytest
from sqlalchemy.engine import make_url

from tests.support.production import (
    REDIS_URL,
    Site,
    flush_redis,
    prepare_site,
    production_env,
)
from tests.support.servers import HOST, Gunicorn, scratch_postgres


@pytest.fixture(scope="session")
def production_database():
    """A new, uniquely named PostgreSQL database on the test server, dropped at the end."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set; production-mode runs need PostgreSQL")
    if make_url(server).host not in (HOST, "localhost"):
        pytest.skip(f"TEST_DATABASE_URL must point at {HOST} for production-mode runs")
    with scratch_postgres(server, "portal_prod") as url:
        yield url


@pytest.fixture(scope="session")
def production_site(production_database, tmp_path_factory):
    """The site in production mode under gunicorn, ready to answer; stopped at the end."""
    flush_redis(REDIS_URL)
    folder = tmp_path_factory.mktemp("production")
    env = production_env(production_database, REDIS_URL)
    program_id = prepare_site(env, folder)
    log = str(folder / "gunicorn.log")
    server = Gunicorn(env, workers=2, log=log)
    server.start()
    try:
        yield Site(server, production_database, env, program_id, log)
    finally:
        server.stop()
        flush_redis(REDIS_URL)
