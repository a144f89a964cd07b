"""Issue 25: a formula start followed by combining marks, joiners or variation selectors is
neutralised in every export path and both column sets, on SQLite (Python) and PostgreSQL
(COPY for the `full` set).

Hypothesis draws batches of such values; each becomes a lead whose text cells (names, the
consent page, attribution, the program's title and the school's name) all hold it; then the
leads go out every way a file is made: the admin's CSV (`full` and `school`), the admin's zip
of one CSV per school (both sets), `flask --app wsgi export-leads` (both sets) and the
school's own CSV at /school. Each of those cells must read back as ' and the value.
"""

import csv
import io
import itertools
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.services import accounts
from tests.services.test_csv_cells import disguised_formulas
from tests.support.factories import (
    make_admin,
    make_lead,
    make_program,
    make_school,
    make_school_user,
)
from tests.support.forms import csrf_token, sign_in, sign_in_school

NUMBERS = itertools.count(1)
# The cells that hold the value, by column set: (header of the lead's id, headers of the value).
FULL = (
    "lead_id",
    [
        "first_name",
        "last_name",
        "page_url",
        "user_agent",
        "referrer",
        "utm_source",
        "utm_content",
        "program",
        "school",
    ],
)
SCHOOL = ("Lead ID", ["First name", "Last name", "Consent page", "Program", "School"])


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor: each example signs a school user in."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


def make_leads(values: list[str]) -> tuple[dict[int, str], str]:
    """A school (its name the first value) with one program and lead per value, every text cell
    holding it; the lead ids with their values, and the school user's email."""
    number = next(NUMBERS)
    school = make_school(f"{values[0]} {number}")
    leads = {}
    for value in values:
        program = make_program(school, title=value, zip_code="60601")
        text = dict.fromkeys(
            ("first_name", "last_name", "page_url", "user_agent", "referrer"), value
        )
        lead = make_lead(program, **text, utm_source=value, utm_content=value)
        leads[lead.id] = value
    user = make_school_user(school, f"staff{number}@school.example")
    return leads, user.email


def rows(data: bytes) -> list[dict[str, str]]:
    """The records of a CSV file as dicts by header."""
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def zip_rows(data: bytes) -> list[dict[str, str]]:
    """The records of every CSV in a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [row for name in archive.namelist() for row in rows(archive.read(name))]


def check(found: list[dict[str, str]], columns, leads: dict[int, str], path: str) -> None:
    """Every value cell of every lead of `leads` reads ' and the value."""
    id_header, headers = columns
    seen = set()
    for row in found:
        lead_id = int(row[id_header])
        if lead_id not in leads:
            continue
        seen.add(lead_id)
        expected = "'" + leads[lead_id]
        schoolwide = {"school", "School"}  # the school's name has its number after the value
        for header in headers:
            cell = row[header]
            if header in schoolwide:
                assert cell.startswith("'"), (path, header, cell)
            else:
                assert cell == expected, (path, header, ascii(cell), ascii(expected))
    assert seen == set(leads), path


def admin_export(client, **fields) -> bytes:
    """The admin's export of every lead, not marking them (as the form on the leads page)."""
    data = {"csrf_token": csrf_token(client, "/admin/leads"), **fields}
    response = client.post("/admin/leads/export.csv", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.data


@settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(values=st.lists(disguised_formulas, min_size=1, max_size=5))
def check_every_export_path(app, admin_client, values):
    with app.app_context():
        leads, email = make_leads(values)
    for columns, layout in (("full", FULL), ("school", SCHOOL)):
        check(rows(admin_export(admin_client, columns=columns)), layout, leads, "admin " + columns)
        zipped = admin_export(admin_client, columns=columns, per_school="y")
        check(zip_rows(zipped), layout, leads, "zip " + columns)
        result = app.test_cli_runner().invoke(args=["export-leads", "--columns", columns])
        assert result.exit_code == 0, result.output
        check(rows(result.stdout_bytes), layout, leads, "cli " + columns)
    school_client = app.test_client()
    assert sign_in_school(school_client, email).status_code == 302
    token = csrf_token(school_client, "/school/leads")
    response = school_client.post("/school/leads/export.csv", data={"csrf_token": token})
    assert response.status_code == 200
    check(rows(response.data), SCHOOL, leads, "school")


def test_formulas_followed_by_marks_are_neutralised_in_every_export(app, client):
    with app.app_context():
        make_admin()
    assert sign_in(client).status_code == 302
    check_every_export_path(app, client)
