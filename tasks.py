#!/usr/bin/env python3
"""Run the portal from a fresh clone: `python3 tasks.py serve` or `python3 tasks.py test`.

Only the standard library is used here: the script makes `.venv/`, installs the dependencies
listed in pyproject.toml into it (again only when that list changes), then runs the command.
"""

import hashlib
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PORTAL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def requirements() -> list[str]:
    """Return the runtime and development requirements declared in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def ensure_venv() -> None:
    """Create the virtual environment and install requirements when they changed."""
    if not (BIN / "python").exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    reqs = requirements()
    digest = hashlib.sha256("\n".join(reqs).encode()).hexdigest()
    stamp = VENV / ".portal-requirements"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing dependencies (first run only)", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *reqs], check=True)
    stamp.write_text(digest)


def run(*args: str, env: dict | None = None) -> None:
    """Run a command from the virtual environment, stopping on failure."""
    result = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def serve(extra: list[str]) -> None:
    """Migrate the SQLite database, load demo data and serve at http://127.0.0.1:5000, with a
    delivery worker beside the server (stopped with it, e.g. by Ctrl+C)."""
    run("flask", "--app", "wsgi", "db", "upgrade")
    run("flask", "--app", "wsgi", "seed-demo")
    worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "deliver"], cwd=ROOT)
    try:
        run("flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", "5000", *extra)
    except KeyboardInterrupt:
        pass
    finally:
        stop(worker)


def stop(process: subprocess.Popen) -> None:
    """Stop a process gracefully (SIGTERM: it finishes what it is doing), or kill it."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test(extra: list[str]) -> None:
    """Run the whole test suite on every core (pytest arguments may follow)."""
    env = {**os.environ, "PORTAL_ENV": "testing"}
    parallel = [] if any(arg.startswith("-n") for arg in extra) else ["-n", "auto"]
    run("python", "-m", "pytest", *parallel, *extra, env=env)


COMMANDS = {"serve": serve, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: python3 tasks.py serve|test [args...]")
    ensure_venv()
    COMMANDS[sys.argv[1]](sys.argv[2:])
