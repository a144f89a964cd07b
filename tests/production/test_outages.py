"""The site rides out a database restart and a Redis outage by itself, mid-load.

These stop the servers the site depends on, so they run against a PostgreSQL cluster and a
Redis of their own (tests/production/private.py), with gunicorn in production mode on them.
"""

import time

import pytest
import redis

from portal.services.demo import METRO_ZIPS
from tests.production.private import PrivatePostgres, PrivateRedis
from tests.support.production import prepare_site, production_env, stored_emails
from tests.support.servers import Gunicorn, LeadClient, LeadLoad, get

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

OUTAGE_SECONDS = 2


@pytest.fixture(scope="module")
def outage_site(production_database, tmp_path_factory):
    """gunicorn (2 workers) on a private PostgreSQL and a private Redis, demo data loaded."""
    postgres = PrivatePostgres()
    cache = None
    server = None
    try:
        cache = PrivateRedis()
        env = production_env(postgres.url, cache.url)
        folder = tmp_path_factory.mktemp("outages")
        program_id = prepare_site(env, folder)
        server = Gunicorn(env, workers=2, log=str(folder / "gunicorn.log"))
        server.start()
        yield server, postgres, cache, program_id
    finally:
        if server:
            server.stop()
        if cache:
            cache.stop()
        postgres.close()


def wait_for(predicate, seconds: float, step: float = 0.1) -> float | None:
    """Poll until predicate() is true; the seconds it took, or None at the time limit."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    return None


def test_database_restart_mid_load_is_503_then_recovers_by_itself(outage_site):
    server, postgres, _, program_id = outage_site
    load = LeadLoad(server.port, program_id, "60601", clients=16, tag="pgrestart")
    load.start(max_seconds=40)
    try:
        time.sleep(2)
        stopped_at = time.monotonic()
        postgres.stop("fast")  # open transactions are rolled back, every connection dropped
        time.sleep(OUTAGE_SECONDS)
        health_during_outage = get(server.port, "/healthz")
        postgres.start()
        started_at = time.monotonic()
        recovery = wait_for(lambda: get(server.port, "/healthz") == 200, seconds=15)
        time.sleep(2)
    finally:
        load.stop()
        if not postgres.running():
            postgres.start()

    during = [s for s in load.sent if stopped_at <= s.at <= started_at]
    after = [s for s in load.sent if s.at > started_at + (recovery or 0)]
    stored = {e: n for e, n in stored_emails(postgres.url).items() if "pgrestart" in e}
    acknowledged = load.emails("acknowledged")
    maybe_stored = load.emails("unanswered") | {s.email for s in load.sent if s.status == 503}
    print(
        "\nPostgreSQL stopped for",
        OUTAGE_SECONDS,
        "s mid-load:",
        {
            "sent": len(load.sent),
            "acknowledged": len(acknowledged),
            "stored": sum(stored.values()),
            "statuses": dict(load.statuses()),
            "form_failures": dict(load.form_failures),
            "503_during_outage": sum(s.status == 503 for s in during),
            "stored_but_unacknowledged": len(set(stored) - acknowledged),
            "healthz_during_outage": health_during_outage,
            "recovery_seconds": recovery and round(recovery, 2),
            "acknowledged_after_recovery": sum(s.outcome == "acknowledged" for s in after),
        },
    )
    assert health_during_outage == 503
    assert during and {s.status for s in during} <= {503, 303, None}
    assert any(s.status == 503 for s in during), "requests during the outage should get 503"
    assert 500 not in load.statuses() and "form GET 500" not in load.form_failures
    assert recovery is not None, "the site did not recover within 15 s of the restart"
    assert any(s.outcome == "acknowledged" for s in after), "no lead accepted after recovery"
    assert set(stored.values()) == {1}, "a lead was stored twice"
    assert acknowledged <= set(stored), f"lost: {sorted(acknowledged - set(stored))[:5]}"
    assert set(stored) - acknowledged <= maybe_stored


def test_searches_after_a_database_restart_answer_at_once(outage_site):
    """The searches' own connections (portal.core.reads, no pre-ping) are found dead by their
    first statement after a restart, and the search runs again on a fresh one: no 503."""
    server, postgres, _, _ = outage_site
    metro = [z for z in METRO_ZIPS if z.isdigit()]
    before = [get(server.port, f"/programs?zip={z}") for z in metro[:10]]
    postgres.stop("fast")
    postgres.start()
    assert wait_for(lambda: get(server.port, "/healthz") == 200, seconds=15) is not None
    # Other ZIPs than before: pages no worker has kept, so each one reads the database.
    after = [get(server.port, f"/programs?zip={z}") for z in metro[10:30]]
    assert before == [200] * 10 and after == [200] * 20


def test_redis_outage_falls_back_to_memory_and_returns_to_redis(outage_site):
    server, postgres, cache, program_id = outage_site
    client = LeadClient(server.port, program_id, "60601")
    numbers = iter(range(1, 250))

    def send() -> int | None:
        """Send one lead from a visitor of its own; the status."""
        n = next(numbers)
        form = client.open_form()
        visitor = {"X-Forwarded-For": f"198.51.100.{n}"}
        return form and client.send(form, f"redis-{n}@example.com", visitor)[1]

    cache.stop()
    try:
        during = [send() for _ in range(4)]
        guide = get(server.port, "/careers/medical-office-manager")
    finally:
        cache.start()
    # Flask-Limiter tries Redis again after 1, 2, 4, 8... s; bounded here at 20 s.
    with redis.Redis.from_url(cache.url) as counts:
        back = wait_for(lambda: send() == 303 and bool(counts.keys("*198.51.100*")), 20, 0.5)
    client.conn.close()
    print(f"\nRedis down: lead POSTs answered {during}; counted in Redis again after {back} s")
    assert during == [303] * 4 and guide == 200
    stored = [e for e in stored_emails(postgres.url) if e.startswith("redis-")]
    assert len(stored) >= 4
    assert back is not None, "the limiter did not return to Redis within 20 s"
