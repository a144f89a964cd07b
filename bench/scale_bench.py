#!/usr/bin/env python3
"""Benchmark: every admin and school page, the pull API and lead capture, with a year of leads.

    python bench/scale_bench.py [--leads 100000,1000000] [--repeat 10]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis redis://127.0.0.1:6379/9] [--keep]

For each size it makes a uniquely named PostgreSQL database (dropped at the end unless --keep)
and fills it with a year of leads in one bulk statement per table (bench/scale_data.py says
what is in it), then sets it up as an operator would: an admin, a school user and an API token
by the flask commands, and the daily roll-up counted (`flask --app wsgi roll-up`, what the
worker does as days end). It starts `gunicorn wsgi:app` in production mode (2 workers) for
each size, all at once, signs in, and times each page and call from the client: a warm-up of
a few requests per size, then --repeat rounds in which every size answers once, so a busy machine
slows every size alike. It prints one table: p50 and max (ms) at each size, and the growth of
the p50 from the smallest size to the largest. Rate limits are counted in Redis with --redis
(or $BENCH_REDIS_URL), and are off otherwise.

Goals (issue 24): at the largest size every page and call answers in at most 250 ms at p50 and
500 ms at worst, and grows at most 2x from the smallest size. The exit status is 1 when a page
misses a goal, 2 when one answers with an unexpected status (nothing is timed then).
"""

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.scale_data import METROS  # noqa: E402
from tests.support.forms import form_inputs  # noqa: E402
from tests.support.servers import (  # noqa: E402
    HOST,
    Gunicorn,
    lead_answers,
    scratch_postgres,
    signing_key_file,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN = ("ops@example.com", "correct horse battery staple")
SCHOOL_USER = ("admissions@example.org", "another horse battery staple")
ADMIN_ZONE = ZoneInfo("America/New_York")
P50_MS, MAX_MS, GROWTH = 250.0, 500.0, 2.0
WARM_UPS = 4  # gunicorn's sync workers take turns at new connections: warm both
SESSION = re.compile(r"session=([^;]+)")


@dataclass(frozen=True)
class Call:
    """One page or API call: its name in the table, who makes it, and how."""

    name: str
    who: str  # "admin", "school", "api" or "visitor"
    path: str
    method: str = "GET"
    expect: int = 200


@dataclass
class Size:
    """One database size: its database, its server, and what the calls need to know of it."""

    leads: int
    url: str
    server: Gunicorn | None = None
    cookies: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None
    times: dict = field(default_factory=dict)  # call name -> [ms, ...]


def flask(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run `flask --app wsgi ARGS` as an operator would; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def site_env(url: str, redis: str | None) -> dict:
    """Production mode on loopback, with limits high enough for a benchmark's requests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env |= {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "CONSENT_SIGNING_KEY_FILE": signing_key_file(),
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
        "LEAD_RATE_LIMIT": "100000 per minute",
        "LEAD_MIN_FILL_SECONDS": "0",
        "SCHOOL_API_RATE_LIMIT": "100000 per minute",
        "ADMIN_TIMEZONE": ADMIN_ZONE.key,
    }
    if redis:
        env["RATELIMIT_STORAGE_URI"] = redis
    else:
        env["RATELIMIT_ENABLED"] = "false"
    return env


def build(size: Size, env: dict, now: datetime) -> None:
    """Fill the database (in a child process, so this one stays small), then set it up."""
    started = time.perf_counter()
    arguments = f"{size.url!r}, {size.leads}, {now.isoformat()!r}"
    code = f"from bench import scale_data; scale_data.build({arguments})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "PORTAL_ENV": "development", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"building the database failed:\n{done.stdout}{done.stderr}")
    filled = time.perf_counter() - started
    flask(env, "create-admin", ADMIN[0], "--password-stdin", stdin=ADMIN[1])
    flask(env, "create-school-user", SCHOOL_USER[0], "--school", "1", "--password-stdin",
          stdin=SCHOOL_USER[1])  # fmt: skip
    size.facts["token"] = flask(env, "school-tokens", "create", "1").strip().splitlines()[-1]
    rolled = time.perf_counter()
    flask(env, "roll-up")
    print(
        f"{size.leads:,} leads: database filled in {filled:.0f} s, roll-up counted in "
        f"{time.perf_counter() - rolled:.0f} s",
        flush=True,
    )
    print("\n".join(line for line in done.stdout.splitlines() if line.startswith("  ")))


def learn_facts(size: Size) -> None:
    """What the calls ask for: a lead to show and to find, a month, the feed's end."""
    engine = create_engine(size.url)
    with engine.connect() as conn:
        newest = conn.execute(text("SELECT max(created_at) FROM lead")).scalar()
        # A lead of school 1 from two months before the newest: shown, and found by search.
        lead = conn.execute(
            text(
                "SELECT id, email, phone_e164, first_name, last_name FROM lead"
                " WHERE school_id = 1 AND duplicate_of_id IS NULL AND created_at < :before"
                " ORDER BY created_at DESC LIMIT 1"
            ),
            {"before": newest - timedelta(days=60)},
        ).one()
        latest_today = conn.execute(
            text("SELECT max(id) FROM lead WHERE school_id = 1 AND duplicate_of_id IS NULL")
        ).scalar()
        lead_seq = conn.execute(text("SELECT lead_seq FROM school WHERE id = 1")).scalar()
        program = conn.execute(
            text(
                "SELECT p.id FROM program p JOIN campus c ON c.id = p.campus_id"
                " WHERE c.zip_code = :zip AND p.is_active ORDER BY p.id LIMIT 1"
            ),
            {"zip": METROS[0][0]},
        ).scalar()
    engine.dispose()
    from portal.services.school_api import encode_cursor

    today = newest.astimezone(ADMIN_ZONE).date()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - timedelta(days=1)
    phone = lead.phone_e164
    size.facts |= {
        "lead_id": lead.id,
        "email": lead.email,
        "phone": f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}",
        "last_name": lead.last_name,
        "full_name": f"{lead.first_name} {lead.last_name}",
        "year_since": (today - timedelta(days=364)).isoformat(),
        "year_until": today.isoformat(),
        "month_since": first.isoformat(),
        "month_until": last.isoformat(),
        "latest_cursor": encode_cursor(1, max(0, lead_seq - 100)),
        "outcome_lead": latest_today,
        "program_id": program,
        "capture_zip": METROS[0][0],
        "capture_count": 0,
    }


def calls() -> list[Call]:
    """Every page and call timed, in the order of the table."""
    q = "/admin/leads?q="
    return [
        Call("/admin dashboard, 7 days", "admin", "/admin?days=7"),
        Call("/admin dashboard, 30 days", "admin", "/admin?days=30"),
        Call("/admin dashboard, 90 days", "admin", "/admin?days=90"),
        Call("/admin dashboard, 365 days", "admin", "/admin?since={year_since}&until={year_until}"),
        Call("/admin/leads page 1", "admin", "/admin/leads"),
        Call("/admin/leads page 20", "admin", "/admin/leads?page=20"),
        Call("/admin/leads search by email", "admin", q + "{email_q}"),
        Call("/admin/leads search by phone", "admin", q + "{phone_q}"),
        Call("/admin/leads search by last name", "admin", q + "{last_name_q}"),
        Call("/admin/leads search by full name", "admin", q + "{full_name_q}"),
        Call(
            "/admin/leads one school, one month",
            "admin",
            "/admin/leads?school=1&since={month_since}&until={month_until}",
        ),
        Call("/admin/leads status new", "admin", "/admin/leads?status=new"),
        Call("/admin/leads/<id>", "admin", "/admin/leads/{lead_id}"),
        Call("/admin/returns", "admin", "/admin/returns"),
        Call("/admin/exports", "admin", "/admin/exports"),
        Call("/admin/statements", "admin", "/admin/statements"),
        Call("/admin/schools/<id>/statement", "admin", "/admin/schools/1/statement"),
        Call("/admin/schools", "admin", "/admin/schools"),
        Call("/admin/schools/<id>", "admin", "/admin/schools/1"),
        Call("/admin/programs", "admin", "/admin/programs"),
        Call("/admin/messages", "admin", "/admin/messages"),
        Call("/admin/privacy/delete", "admin", "/admin/privacy/delete"),
        Call("/school/leads", "school", "/school/leads"),
        Call("/school/leads?outcome=enrolled", "school", "/school/leads?outcome=enrolled"),
        Call("/school/leads?outcome=none", "school", "/school/leads?outcome=none"),
        Call("/school/leads/<id>", "school", "/school/leads/{lead_id}"),
        Call("/school/returns", "school", "/school/returns"),
        Call("/school/statement", "school", "/school/statement"),
        Call("/school/performance", "school", "/school/performance"),
        Call("/school/api-tokens", "school", "/school/api-tokens"),
        Call("GET /api/v1/leads (first page)", "api", "/api/v1/leads"),
        Call("GET /api/v1/leads (latest)", "api", "/api/v1/leads?cursor={latest_cursor}"),
        Call(
            "POST /api/v1/leads/<id>/outcome",
            "api",
            "/api/v1/leads/{outcome_lead}/outcome",
            "POST",
            201,
        ),
        Call("/programs search", "visitor", "/programs?zip={capture_zip}"),
        Call("lead capture (POST)", "visitor", "capture", "POST", 303),
    ]


class Unexpected(RuntimeError):
    """A call answered with another status than the one expected."""


def request(size: Size, method: str, path: str, body=None, headers=None) -> tuple[int, dict, bytes]:
    """One request on the size's kept-alive connection: (status, headers, body)."""
    for attempt in (1, 2):
        try:
            size.connection.request(method, path, body=body, headers=headers or {})
            answer = size.connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read()
        except (OSError, http.client.HTTPException):
            size.connection.close()
            size.connection = http.client.HTTPConnection(HOST, size.server.port, timeout=60)
            if attempt == 2:
                raise
    raise AssertionError


def cookie_header(cookie: str | None) -> dict:
    """The Cookie header of a session."""
    return {"Cookie": f"session={cookie}"} if cookie else {}


def sign_in(size: Size, area: str, email: str, password: str) -> str:
    """Sign in at /<area>/login as a browser would; the session cookie."""
    status, headers, body = request(size, "GET", f"/{area}/login")
    cookie = SESSION.search(headers.get("Set-Cookie", "")).group(1)
    token = form_inputs(body.decode())["csrf_token"]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    status, headers, _ = request(
        size,
        "POST",
        f"/{area}/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", **cookie_header(cookie)},
    )
    if status not in (302, 303):
        raise SystemExit(f"signing in at /{area}/login answered {status}")
    return SESSION.search(headers.get("Set-Cookie", "")).group(1)


def fill(path: str, facts: dict) -> str:
    """The path with the size's facts put in (query values URL-encoded)."""
    quoted = {f"{key}_q": urllib.parse.quote_plus(str(value)) for key, value in facts.items()}
    return path.format(**facts, **quoted)


def call(size: Size, item: Call) -> float:
    """Make the call once; its time in ms (only the timed request counts)."""
    headers, body, method = {}, None, item.method
    if item.who in ("admin", "school"):
        headers = cookie_header(size.cookies[item.who])
    elif item.who == "api":
        headers = {"Authorization": f"Bearer {size.facts['token']}"}
        if method == "POST":
            body = json.dumps({"outcome": "contacted"})
            headers["Content-Type"] = "application/json"
    path = fill(item.path, size.facts)
    if path == "capture":
        path, body, headers = prepare_capture(size)
    started = time.perf_counter()
    status, _, _ = request(size, method, path, body, headers)
    elapsed = (time.perf_counter() - started) * 1000
    if status != item.expect:
        raise Unexpected(f"{item.name} at {size.leads:,} leads answered {status}")
    return elapsed


def prepare_capture(size: Size) -> tuple[str, str, dict]:
    """Open a request-info form (not timed); the POST that sends it with a new email."""
    facts = size.facts
    path = f"/programs/{facts['program_id']}/request-info?zip={facts['capture_zip']}"
    status, headers, body = request(size, "GET", path)
    if status != 200:
        raise Unexpected(f"the request-info form answered {status}")
    cookie = SESSION.search(headers.get("Set-Cookie", "")).group(1)
    inputs = form_inputs(body.decode())
    facts["capture_count"] += 1
    email = f"bench-{size.leads}-{facts['capture_count']}-{secrets.token_hex(3)}@example.com"
    answers = lead_answers(email, facts["capture_zip"])
    form = {name: inputs[name] for name in ("csrf_token", "started")} | answers
    headers = {"Content-Type": "application/x-www-form-urlencoded", **cookie_header(cookie)}
    return path, urllib.parse.urlencode(form), headers


def measure(sizes: list[Size], repeat: int, warm_ups: int = WARM_UPS) -> None:
    """Time every call: a warm-up per size (a few requests, so that each worker has answered
    it once), then `repeat` rounds of one request per size."""
    for item in calls():
        for size in sizes:
            for _ in range(warm_ups):
                call(size, item)
        for _ in range(repeat):
            for size in sizes:
                size.times.setdefault(item.name, []).append(call(size, item))


def report(sizes: list[Size]) -> int:
    """Print the table; how many calls miss a goal."""
    width = max(len(item.name) for item in calls())
    head = "".join(f"{f'{size.leads:,} leads':>18}" for size in sizes)
    print(f"\n{'':<{width}}{head}")
    columns = "".join(f"{'p50':>9}{'max':>9}" for _ in sizes)
    print(f"{'page or call (ms)':<{width}}{columns}{'growth':>9}  goal")
    missed = 0
    for item in calls():
        figures = ""
        for size in sizes:
            runs = size.times[item.name]
            figures += f"{statistics.median(runs):9.1f}{max(runs):9.1f}"
        first, last = sizes[0].times[item.name], sizes[-1].times[item.name]
        growth = statistics.median(last) / statistics.median(first)
        problems = []
        if statistics.median(last) > P50_MS:
            problems.append(f"p50 > {P50_MS:g} ms")
        if max(last) > MAX_MS:
            problems.append(f"max > {MAX_MS:g} ms")
        if len(sizes) > 1 and growth > GROWTH:
            problems.append(f"growth > {GROWTH:g}x")
        missed += bool(problems)
        verdict = "MISSED: " + ", ".join(problems) if problems else "ok"
        print(f"{item.name:<{width}}{figures}{growth:8.2f}x  {verdict}")
    return missed


def start_server(size: Size, env: dict, folder: Path) -> None:
    """gunicorn in production mode on a free loopback port, and a connection to it."""
    size.server = Gunicorn(env, workers=2, log=str(folder / f"gunicorn-{size.leads}.log"))
    size.server.start(timeout=60)
    size.connection = http.client.HTTPConnection(HOST, size.server.port, timeout=60)
    size.cookies["admin"] = sign_in(size, "admin", *ADMIN)
    size.cookies["school"] = sign_in(size, "school", *SCHOOL_USER)


def main() -> int:
    """Build each size, serve them all, time every call; 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warm-ups", type=int, default=WARM_UPS, help="untimed requests first")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG),
        help="the PostgreSQL server to make the databases on",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS_URL"),
        help="RATELIMIT_STORAGE_URI, e.g. redis://127.0.0.1:6379/9 (default: limits off)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases; print them")
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        help="use this database, filled by an earlier --keep run, for the next size",
    )
    args = parser.parse_args()
    counts = [int(n.replace("_", "")) for n in args.leads.split(",") if n.strip()]
    load_before = os.getloadavg()
    now = datetime.now(UTC).replace(microsecond=0)
    folder = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    sizes: list[Size] = []
    with ExitStack() as stack:
        for index, leads in enumerate(counts):
            if index < len(args.database):
                size = Size(leads, args.database[index])
                env = site_env(size.url, args.redis)
                size.facts["token"] = flask(env, "school-tokens", "create", "1").splitlines()[-1]
            else:
                context = scratch_postgres(args.postgres, f"scale_bench_{leads}")
                url = context.__enter__() if args.keep else stack.enter_context(context)
                size = Size(leads, url)
                env = site_env(url, args.redis)
                build(size, env, now)
                if args.keep:
                    print(f"  kept: {url}")
            learn_facts(size)
            sizes.append(size)
            stack.callback(lambda s=size: s.server and s.server.stop())
            start_server(size, env, folder)
        try:
            measure(sizes, args.repeat, args.warm_ups)
        except Unexpected as error:
            print(f"\n{error}")
            return 2
    after = os.getloadavg()
    load = ", ".join(f"{a:.1f} -> {b:.1f}" for a, b in zip(load_before, after, strict=True))
    print(
        f"\ngunicorn 2 sync workers per size, production mode, PostgreSQL; {args.repeat} timed "
        f"requests per size after {args.warm_ups} untimed, sizes taking turns; "
        f"{os.cpu_count()} CPUs, load average (1, 5, 15 min) {load}"
    )
    print(f"goals at {counts[-1]:,} leads: p50 <= {P50_MS:g} ms, max <= {MAX_MS:g} ms", end="")
    print(f", growth from {counts[0]:,} <= {GROWTH:g}x" if len(counts) > 1 else "")
    missed = report(sizes)
    print(f"\n{missed} missed" if missed else "\nevery page and call met the goals")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
