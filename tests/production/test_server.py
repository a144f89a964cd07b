"""What production mode adds, seen from outside: headers, cookies, logs and shared limits."""

import http.client
import re
import secrets
import time
from pathlib import Path

import pytest
import redis

from tests.support.production import LEAD_RATE_LIMIT, REDIS_URL, stored_emails
from tests.support.servers import HOST, LeadClient

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]


def fetch(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One GET on a fresh connection; the body is read."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_production_headers_and_secure_session_cookie(production_site):
    port, program_id = production_site.server.port, production_site.load_program_id
    health = fetch(port, "/healthz")
    assert health.status == 200 and b'"database":"ok"' in health.body.replace(b" ", b"")

    guide = fetch(port, "/careers/medical-office-manager")
    assert guide.status == 200
    assert guide.getheader("Strict-Transport-Security").startswith("max-age=")
    assert "default-src 'self'" in guide.getheader("Content-Security-Policy")

    form = fetch(port, f"/programs/{program_id}/request-info?zip=60601")
    cookie = form.getheader("Set-Cookie")
    assert cookie.startswith("session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in cookie.split(";")}
    assert form.getheader("Cache-Control") == "no-store"


def test_access_log_has_paths_but_no_query_strings(production_site):
    port = production_site.server.port
    assert fetch(port, "/programs?zip=60601&utm_source=secret-campaign").status == 200
    # The worker writes its access-log line after answering: give it a moment, boundedly.
    deadline = time.monotonic() + 10
    while True:
        log = Path(production_site.log).read_text(encoding="utf-8")
        lines = [line for line in log.splitlines() if '"GET /programs ' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert lines, "the search should be in the access log"
    assert "zip=60601" not in log and "secret-campaign" not in log  # (a request id may hold 60601)
    pattern = r'"GET /programs HTTP/1\.1" 200 \d+ \d+ms rid=[0-9a-f]{32}'
    assert any(re.search(pattern, line) for line in lines), lines


def log_lines_with(production_site, text: str) -> list[str]:
    """The gunicorn log lines holding `text`, once the worker has written one (bounded wait)."""
    deadline = time.monotonic() + 10
    while True:
        log = Path(production_site.log).read_text(encoding="utf-8")
        lines = [line for line in log.splitlines() if text in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_a_line_break_in_a_url_cannot_forge_an_access_log_line(production_site):
    marker = secrets.token_hex(8)  # other tests share this server and its log
    forged = f'10.0.0.1 "GET /admin/forged-{marker} HTTP/1.1" 200'
    path = "/careers/forged%0a" + forged.replace(" ", "%20").replace('"', "%22")
    assert fetch(production_site.server.port, path).status == 404
    lines = log_lines_with(production_site, f"forged-{marker}")
    assert len(lines) == 1, lines
    assert lines[0].startswith("127.0.0.1 ") and "/careers/forged\\x0a10.0.0.1" in lines[0]


def test_lead_rate_limit_is_shared_by_the_workers_through_redis(production_site):
    """Counted in each worker's memory, 2 workers would accept up to twice the limit."""
    port, program_id = production_site.server.port, production_site.load_program_id
    limit = int(LEAD_RATE_LIMIT.split()[0])
    visitor = {"X-Forwarded-For": "192.0.2.77"}  # one visitor, as the proxy reports them
    statuses = []
    for n in range(limit + 3):
        client = LeadClient(port, program_id, "60601")  # a new connection: either worker
        form = client.open_form()
        statuses.append(client.send(form, f"burst-{n}@example.com", visitor)[1])
        client.conn.close()

    assert statuses == [303] * limit + [429] * 3
    stored = [e for e in stored_emails(production_site.database_url) if e.startswith("burst-")]
    assert len(stored) == limit
    with redis.Redis.from_url(REDIS_URL) as client:
        assert client.keys("*192.0.2.77*"), "the limit should be counted in Redis"
