"""Retention from the admin's side: `flask --app wsgi retention run [--dry-run]`, the runs on
the data deletion page, and every admin page and file that shows a lead coping with one whose
personal details were erased (no crash, no stand-in details)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead, RetentionRun, utcnow
from portal.services.lead_status import Editor, add_note
from tests.support.exports import DOCUMENTED_COLUMNS, read
from tests.support.factories import make_lead, make_program
from tests.support.forms import csrf_token

PERIOD = timedelta(days=1826)
OLD = {
    "first_name": "Eleanor",
    "last_name": "Vance",
    "email": "eleanor.vance@example.com",
    "phone_e164": "+13125550199",
    "ip_address": "198.51.100.23",
    "user_agent": "OldBrowser/1.0",
    "page_url": "http://localhost/programs/1/request-info?zip=60601",
    "referrer": "https://search.example/?q=eleanor",
}


def details_of(app, lead_id: int) -> dict:
    """The erasable columns of a lead, and erased_at."""
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        return {name: getattr(lead, name) for name in [*OLD, "erased_at"]}


@pytest.fixture
def old_and_new(app):
    """A lead an hour past the period (with a note) and one an hour within it."""
    with app.app_context():
        program = make_program(title="Medical Office Administration")
        now = utcnow()
        old = make_lead(program, created_at=now - PERIOD - timedelta(hours=1), **OLD)
        add_note(old.id, "Eleanor asked for evening classes", Editor("ops@example.com"), now)
        new = make_lead(program, created_at=now - PERIOD + timedelta(hours=1))
        return {"old": old.id, "new": new.id}


def test_a_dry_run_reports_what_it_would_erase_and_changes_nothing(app, runner, old_and_new):
    before = details_of(app, old_and_new["old"])
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Retention period: 1,826 days (five years)" in result.output
    assert (
        "Dry run #1, nothing changed: it would erase the personal details of 1 lead; "
        "delete 1 note;" in result.output
    )
    assert details_of(app, old_and_new["old"]) == before
    with app.app_context():
        run = db.session.scalars(select(RetentionRun)).one()
        assert (run.dry_run, run.source, run.leads_erased, run.notes_deleted) == (
            True,
            "cli",
            1,
            1,
        )
        assert run.actor.startswith("shell:")


def test_the_command_erases_leads_past_the_period_only_and_says_so(app, runner, old_and_new):
    kept = details_of(app, old_and_new["new"])
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Run #1 complete: erased the personal details of 1 lead; deleted 1 note;" in (
        result.output
    )
    erased = details_of(app, old_and_new["old"])
    assert erased.pop("erased_at") is not None
    assert erased == dict.fromkeys(OLD)
    assert details_of(app, old_and_new["new"]) == kept
    again = runner.invoke(args=["retention", "run"])
    assert "Run #2 complete: erased the personal details of 0 leads" in again.output


def test_the_period_comes_from_the_setting(app, runner, old_and_new):
    app.config["LEAD_RETENTION_DAYS"] = 3650
    result = runner.invoke(args=["retention", "run"])
    assert "3,650 days (ten years)" in result.output and "of 0 leads" in result.output
    assert details_of(app, old_and_new["old"])["erased_at"] is None


@pytest.fixture
def erased(app, runner, old_and_new):
    """The old lead erased by a real run (after a dry run)."""
    runner.invoke(args=["retention", "run", "--dry-run"])
    assert runner.invoke(args=["retention", "run"]).exit_code == 0
    return old_and_new


def test_an_erased_leads_page_says_so_and_shows_no_details(app, admin_client, erased):
    response = admin_client.get(f"/admin/leads/{erased['old']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<h1>Lead \d+</h1>", html)
    assert "Personal details erased on" in html and "details erased" in html
    assert html.count('<span class="erased">Erased</span>') == 9  # details and receipt
    for value in [*OLD.values(), "Eleanor asked", "mailto:", "tel:"]:
        assert value not in html, value
    assert "Medical Office Administration" in html and "$25.00" in html
    assert 'name="body"' not in html and 'name="note"' not in html  # no notes taken


def test_a_note_sent_to_an_erased_lead_is_refused(app, admin_client, erased):
    token = csrf_token(admin_client, f"/admin/leads/{erased['old']}")
    response = admin_client.post(
        f"/admin/leads/{erased['old']}/notes", data={"csrf_token": token, "body": "Call Eleanor"}
    )
    assert response.status_code == 422
    assert "takes no notes" in response.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/leads/{erased['old']}/status",
        data={"csrf_token": token, "status": "rejected", "reason": "test", "note": "Eleanor"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Lead, erased["old"]).status == "new"


def test_the_lead_list_and_search_cope_with_an_erased_lead(app, admin_client, erased):
    html = admin_client.get("/admin/leads").get_data(as_text=True)
    assert "Details erased" in html and f"Select lead {erased['old']}, details erased" in html
    assert "None" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)
    found = admin_client.get("/admin/leads?q=eleanor.vance%40example.com")
    assert f"/admin/leads/{erased['old']}" not in found.get_data(as_text=True)


def test_the_exports_leave_erased_cells_empty_and_say_when(app, admin_client, erased):
    token = csrf_token(admin_client, "/admin/leads")
    for columns in ("full", "school"):
        response = admin_client.post(
            "/admin/leads/export.csv", data={"csrf_token": token, "columns": columns}
        )
        assert response.status_code == 200
        rows = read(response.get_data())
        header, by_id = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows}
        old, new = by_id[str(erased["old"])], by_id[str(erased["new"])]
        if columns == "full":
            assert header == DOCUMENTED_COLUMNS
            personal = ["first_name", "last_name", "email", "phone", "ip_address"]
            personal += ["user_agent", "page_url", "referrer"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", old["erased_at"])
            assert old["price_cents"] == "2500" and old["consent_sha256"]
            assert new["erased_at"] == ""
        else:
            personal = ["First name", "Last name", "Email", "Phone", "Consent page"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", old["Details erased (UTC)"])
            assert old["Program"] == "Medical Office Administration"
        assert all(old[name] == "" for name in personal)
        assert all(new[name] != "" for name in personal)
        assert "Eleanor" not in response.get_data(as_text=True)


def test_the_deletion_page_lists_the_runs(app, admin_client, erased):
    html = admin_client.get("/admin/privacy/delete").get_data(as_text=True)
    runs = html.split('id="retention"', 1)[1].split("</table>", 1)[0]
    assert "five years" in html.split('id="retention"', 1)[1]
    rows = re.findall(r"<tr><td>.*?</tr>", runs, re.S)
    assert len(rows) == 2
    assert "complete" in rows[0] and "dry run" in rows[1]
    assert all("shell:" in row and '<td class="num">1</td>' in row for row in rows)
