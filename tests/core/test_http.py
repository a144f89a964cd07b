"""Headers and logs every response carries."""

import json
import logging

import pytest

from portal.core.logs import EscapingFormatter, escape_controls


def test_security_headers_on_every_response(client):
    for path in ("/healthz", "/programs", "/no/such/page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_only_in_production(monkeypatch, database_url):
    from portal import create_app
    from portal.extensions import dispose_engines
    from tests.support.servers import signing_key_file

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("CONSENT_SIGNING_KEY_FILE", signing_key_file())
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app()
    response = app.test_client().get("/healthz", base_url="https://localhost")
    with app.app_context():
        dispose_engines()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_request_id_is_echoed_when_sane_and_made_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc123def456"}).headers[
        "X-Request-ID"
    ] == ("abc123def456")
    made = client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]
    assert made != "bad id!" and len(made) == 32


def test_one_json_log_line_per_request_without_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/programs?zip=60601&email=someone@example.com")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.request"]
    assert len(lines) == 1
    assert lines[0]["path"] == "/programs" and lines[0]["status"] == 200
    assert set(lines[0]) == {"method", "path", "status", "ms", "request_id"}
    assert "someone" not in caplog.text


def test_health_check_is_never_cached(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_unsafe_methods_are_not_stored(client, method):
    response = getattr(client, method)("/programs")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain /path", "plain /path"),
        ("/a\nforged line", "/a\\x0aforged line"),
        ("/a\r\n\t\x00\x1b[31m", "/a\\x0d\\x0a\\x09\\x00\\x1b[31m"),
        ("/a\x85b\u2028c", "/a\\x85b\\u2028c"),
        ("Bücher 東京", "Bücher 東京"),
    ],
)
def test_log_fields_are_escaped_to_one_line(text, escaped):
    assert escape_controls(text) == escaped


def test_the_apps_log_lines_escape_what_a_visitor_sent():
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("portal", logging.WARNING, "x", 1, "path %s", ("/a\nFAKE",), None)
    assert formatter.format(record) == "WARNING path /a\\x0aFAKE"
