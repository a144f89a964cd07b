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


class Interrupted(Exception):
    """Ctrl+C while a command of ours was running (it has been stopped)."""


def start(*args: str, env: dict | None = None, attached: bool = False) -> subprocess.Popen:
    """Start a command from the virtual environment. Unless `attached`, in a session of its
    own, so a Ctrl+C in the terminal reaches only this script, which then stops it cleanly."""
    return subprocess.Popen(
        [str(BIN / args[0]), *args[1:]], cwd=ROOT, env=env, start_new_session=not attached
    )


def run(*args: str, env: dict | None = None, attached: bool = False) -> None:
    """Run a command from the virtual environment, stopping on failure. On Ctrl+C, stop it
    (SIGTERM, so it finishes what it is doing; an `attached` one got the Ctrl+C itself and is
    waited for) and raise Interrupted."""
    process = start(*args, env=env, attached=attached)
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        if attached:
            process.wait()
        else:
            stop(process)
        raise Interrupted from None
    if returncode:
        sys.exit(returncode)


def serve_options(extra: list[str]) -> tuple[int, list[str]]:
    """The port asked for (`--port N`, `--port=N` or `-p N`; 5000 by default) and the other
    arguments, which go to `flask run`."""
    port, rest, args = 5000, [], iter(extra)
    for arg in args:
        if arg in ("--port", "-p"):
            value = next(args, "")
        elif arg.startswith("--port="):
            value = arg.partition("=")[2]
        else:
            rest.append(arg)
            continue
        if not value.isdigit() or not 0 < int(value) < 65536:
            sys.exit(f"--port needs a port number from 1 to 65535, not {value!r}")
        port = int(value)
    return port, rest


def serve(extra: list[str]) -> None:
    """Migrate the SQLite database, load demo data and serve at http://127.0.0.1:5000 (or the
    port given with --port), with a delivery worker beside the server. SITE_URL follows the
    port unless it is set. Ctrl+C stops both."""
    port, rest = serve_options(extra)
    env = {**os.environ}
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    run("flask", "--app", "wsgi", "db", "upgrade", env=env)
    run("flask", "--app", "wsgi", "seed-demo", env=env)
    worker = start("flask", "--app", "wsgi", "deliver", env=env)
    try:
        run(
            "flask",
            "--app",
            "wsgi",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *rest,
            env=env,
        )
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
    run("python", "-m", "pytest", *parallel, *extra, env=env, attached=True)


COMMANDS = {"serve": serve, "test": test}
USAGE = "usage: python3 tasks.py serve [--port N] | test [pytest arguments...]"

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(USAGE)
    try:
        ensure_venv()
        COMMANDS[sys.argv[1]](sys.argv[2:])
    except (KeyboardInterrupt, Interrupted):
        print("\nStopped.", file=sys.stderr)
        sys.exit(130)
