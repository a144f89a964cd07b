"""Schemathesis calls every /api/v1 operation of the OpenAPI document against the app itself
(in-process, through WSGI), with the demo data loaded, and checks each answer: no server
error, a documented status, the documented content type, headers and body schema.

Each operation gets the document's own examples, then MAX_EXAMPLES generated requests with
valid values and MAX_EXAMPLES with invalid ones (a missing ZIP, a radius of 7...), from a fixed
seed without Hypothesis's example database, so every run sends the same requests and stays
quick. `-s` prints how many requests each operation got:

    python3 tasks.py test tests/api/test_schemathesis.py -n0 -s

(Schemathesis's own pytest integration, `schemathesis.pytest.from_fixture`, needs a pytest
older than ours, so the operations are run here through its Python API.)
"""

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.api import openapi
from portal.services.demo import seed_demo
from tests.support.factories import make_lead, make_program, make_school
from tests.support.settings import SITE_URL

SEED = 20261130
MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SCHOOL = "Lakeshore Medical Institute"
OPERATIONS = [
    (method, path)
    for path, item in openapi.build(SITE_URL, openapi.SCHOOL_API)["paths"].items()
    for method in item
]


def school_token(app) -> str:
    """A token of SCHOOL for the pull API, made as a school's operator would (issue 15's
    `flask --app wsgi school-tokens create SCHOOL`, which prints it as its last line), and a
    few leads of that school to pull."""
    with app.app_context():
        program = make_program(make_school(SCHOOL), zip_code="60601")
        for _ in range(3):
            make_lead(program)
    result = app.test_cli_runner().invoke(args=["school-tokens", "create", SCHOOL])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def run_cases(strategy, headers: dict, max_examples: int) -> int:
    """Send the cases `strategy` draws (at most `max_examples`), checking each answer; how many."""
    sent = 0

    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def check(case):
        nonlocal sent
        case.call_and_validate(headers=headers, checks=CHECKS)
        sent += 1

    check()
    return sent


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_documented(app, method, path):
    with app.app_context():
        seed_demo()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    secured = bool(operation.definition.raw.get("security"))
    headers = {"Authorization": f"Bearer {school_token(app)}"} if secured else {}
    sent = {}
    examples = schema.get_strategies_from_examples(operation)
    sent["examples"] = sum(run_cases(strategy, headers, 1) for strategy in examples)
    # An operation without inputs (the document itself) has one request, and no invalid one.
    has_inputs = any(key in operation.definition.raw for key in ("parameters", "requestBody"))
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if has_inputs else [])
    for mode in modes:
        strategy = operation.as_strategy(generation_mode=mode)
        sent[mode.value] = run_cases(strategy, headers, MAX_EXAMPLES)
    print(f"\n{method.upper()} {path} ({app.config['SQLALCHEMY_DATABASE_URI'][:10]}): {sent}")
    assert sent["positive"] >= (10 if has_inputs else 1)
