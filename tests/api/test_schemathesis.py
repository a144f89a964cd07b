"""`schemathesis run --checks all` over every operation of the OpenAPI document, the
token-protected ones included, against the app served over real HTTP (the `live_server`
fixture) with the demo data loaded, on SQLite and PostgreSQL.

Every check schemathesis has runs: no server error; documented statuses, content types,
headers and bodies; schema-valid requests accepted and schema-violating ones refused; a
missing token a 401, and a token ignored nowhere; undocumented methods a 405 with `Allow`;
and the rest. All four phases run: the document's examples, the coverage phase (boundary
values, every undeclared method, each parameter left out), fuzzing (MAX_EXAMPLES cases per
operation) and the stateful phase (following `next_cursor` into `cursor`). Deterministic
generation and no example database: every run sends the same requests.

tests/api/schemathesis.toml holds the one setting beyond the defaults, with its reason. To see
the whole report:

    python3 tasks.py test tests/api/test_schemathesis.py -n0 -s
"""

import re
import subprocess
import sys
from pathlib import Path

from portal.api import openapi
from portal.services.demo import seed_demo
from tests.support import openapi as contract
from tests.support.factories import make_lead, make_program, make_school
from tests.support.settings import SITE_URL

MAX_EXAMPLES = 30
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SCHOOL = "Lakeshore Medical Institute"


def school_token(app) -> str:
    """A token of SCHOOL for the pull API, made as a school's operator would (`flask --app
    wsgi school-tokens create SCHOOL`, which prints it as its last line), and a few leads of
    that school to pull."""
    with app.app_context():
        program = make_program(make_school(SCHOOL), zip_code="60601")
        for _ in range(3):
            make_lead(program)
    result = app.test_cli_runner().invoke(args=["school-tokens", "create", SCHOOL])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_every_operation_passes_every_check(app, live_server, tmp_path):
    with app.app_context():
        seed_demo()
    token = school_token(app)
    # Read from a file: given the document's own URL, schemathesis would leave that one
    # operation (GET /api/v1/openapi.json) out.
    document = tmp_path / "openapi.json"
    document.write_bytes(app.test_client().get("/api/v1/openapi.json").data)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        str(document),
        "--url",
        live_server,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",
        "--no-color",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=540)
    report = result.stdout + result.stderr
    print(report)
    assert result.returncode == 0, report[-12000:]
    operations = len(list(contract.operations(openapi.build(SITE_URL, openapi.SCHOOL_API))))
    assert re.search(rf"Tested: {operations}\b", report), report[-3000:]
