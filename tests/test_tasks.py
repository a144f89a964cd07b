"""`python3 tasks.py serve`: a port of one's choosing, SITE_URL that follows it, and Ctrl+C
stopping the server and the delivery worker without a traceback."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import tasks
from tests.support.servers import ROOT, children, free_port


@pytest.mark.parametrize(
    ("extra", "port", "rest"),
    [
        ([], 5000, []),
        (["--port", "5001"], 5001, []),
        (["--port=5002", "--debug"], 5002, ["--debug"]),
        (["-p", "8080", "--with-threads"], 8080, ["--with-threads"]),
    ],
)
def test_serve_reads_its_port(extra, port, rest):
    assert tasks.serve_options(extra) == (port, rest)


@pytest.mark.parametrize("extra", [["--port"], ["--port", "http"], ["--port=0"], ["-p", "70000"]])
def test_serve_refuses_a_port_that_is_none(extra):
    with pytest.raises(SystemExit, match="--port needs a port number"):
        tasks.serve_options(extra)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def fetch(port: int, path: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.read().decode()
    except OSError:
        return None


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the child processes")
def test_serve_on_another_port_then_ctrl_c_stops_everything_quietly(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SECRET_KEY": "s" * 40,
        "PORTAL_VENV": str(Path(sys.executable).parent.parent),
    }
    env.pop("SITE_URL", None)
    serve = subprocess.Popen(
        [sys.executable, "tasks.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    try:
        deadline = time.monotonic() + 240
        sitemap = None
        while sitemap is None:
            assert serve.poll() is None, serve.stdout.read()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
            sitemap = fetch(port, "/sitemap.xml")
        assert f"<loc>http://127.0.0.1:{port}/careers/</loc>" in sitemap  # SITE_URL followed
        started = children(serve.pid)
        assert len(started) == 2  # the server and the delivery worker
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
        output, _ = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert "Traceback" not in output, output
    assert serve.returncode == 130 and output.rstrip().endswith("Stopped.")
    assert "Deliveries: 0 delivered" in output  # the worker stopped as it should
    assert not any(alive(pid) for pid in started)
    assert fetch(port, "/robots.txt") is None
