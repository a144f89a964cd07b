"""`flask run` in development mode, as a developer starts it: one log line per request, and a
warning when it is served where other machines can reach it."""

import os
import subprocess
import sys
import time

import pytest

from portal.cli import is_loopback
from tests.support.servers import ROOT, free_port, get


def serve_and_request(tmp_path, host: str, path: str) -> str:
    """Start `flask --app wsgi run --host HOST`, GET `path` once, stop it; its stderr."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "SECRET_KEY": "d" * 32,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "run",
            "--host",
            host,
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while get(port, path) != 200:
            assert server.poll() is None and time.monotonic() < deadline, "flask run did not start"
            time.sleep(0.1)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    return stderr


def test_flask_run_on_an_open_address_warns_clearly(tmp_path):
    stderr = serve_and_request(tmp_path, "0.0.0.0", "/robots.txt")
    assert "WARNING: development mode is being served on 0.0.0.0" in stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.test", False),
    ],
)
def test_which_hosts_count_as_this_machine_only(host, loopback):
    assert is_loopback(host) is loopback


def test_flask_run_on_loopback_logs_each_request_once_without_its_query(tmp_path):
    stderr = serve_and_request(tmp_path, "127.0.0.1", "/robots.txt?utm_source=secret-tag")
    assert "WARNING: development mode" not in stderr
    request_lines = [line for line in stderr.splitlines() if "/robots.txt" in line]
    assert len(request_lines) == 1 and '"path": "/robots.txt"' in request_lines[0]
    assert "secret-tag" not in stderr
