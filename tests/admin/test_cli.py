"""The admin commands: create-admin, set-password and export-leads."""

import csv
import io
import json

from sqlalchemy import select

from portal.extensions import db
from portal.models import AdminUser, Lead, LeadExport
from portal.services.accounts import authenticate
from tests.support.factories import make_lead, make_program, make_school

GOOD = "a long enough password"


def test_create_admin_from_stdin(app, runner):
    result = runner.invoke(
        args=["create-admin", "Ops@Example.com", "--password-stdin"], input=GOOD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ops@example.com" in result.output
    with app.app_context():
        admin = db.session.scalars(select(AdminUser)).one()
        assert admin.email == "ops@example.com"
        assert GOOD not in admin.password_hash
        assert authenticate("ops@example.com", GOOD, "192.0.2.1") is not None


def test_create_admin_from_hidden_prompt(app, runner):
    result = runner.invoke(args=["create-admin", "ops@example.com"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output  # the prompt does not echo


def test_real_hash_is_slow_scrypt(app, runner, monkeypatch):
    monkeypatch.undo()  # the real work factor, not the tests' cheap one
    runner.invoke(args=["create-admin", "ops@example.com", "--password-stdin"], input=GOOD)
    with app.app_context():
        stored = db.session.scalar(select(AdminUser.password_hash))
    assert stored.startswith("scrypt:32768:8:1$")


def test_create_admin_refuses_duplicates_and_short_passwords(app, runner):
    runner.invoke(args=["create-admin", "ops@example.com", "--password-stdin"], input=GOOD)
    again = runner.invoke(args=["create-admin", "OPS@example.com", "--password-stdin"], input=GOOD)
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(args=["create-admin", "b@example.com", "--password-stdin"], input="short")
    assert short.exit_code == 1 and "at least 12" in short.output


def test_set_password(app, runner):
    runner.invoke(args=["create-admin", "ops@example.com", "--password-stdin"], input=GOOD)
    new = "another long password"
    result = runner.invoke(args=["set-password", "ops@example.com", "--password-stdin"], input=new)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate("ops@example.com", new, "192.0.2.1") is not None
        assert authenticate("ops@example.com", GOOD, "192.0.2.1") is None
    missing = runner.invoke(args=["set-password", "x@example.com", "--password-stdin"], input=new)
    assert missing.exit_code == 1 and "no admin" in missing.output


def rows(text: str) -> list[list[str]]:
    """The CSV's data rows."""
    return list(csv.reader(io.StringIO(text, newline="")))[1:]


def test_export_to_stdout_with_filters(app, runner):
    with app.app_context():
        school = make_school("Acme College")
        program = make_program(school, external_id="ACME-1")
        make_lead(program, first_name="inside")
        make_lead(make_program(), first_name="other school")
    result = runner.invoke(
        args=["export-leads", "--school", "Acme College", "--since", "2026-11-01"]
    )
    assert result.exit_code == 0, result.output
    assert [r[13] for r in rows(result.stdout)] == ["inside"]
    assert "Exported 1 leads" in result.stderr
    by_program = runner.invoke(args=["export-leads", "--program", "ACME-1"])
    assert [r[13] for r in rows(by_program.stdout)] == ["inside"]


def test_export_to_file_marking_exported(app, runner, tmp_path):
    with app.app_context():
        program = make_program()
        make_lead(program, state="IL")
        make_lead(program, state="WI")
    out = tmp_path / "leads.csv"
    args = ["export-leads", "--state", "il", "--mark-exported", "-o", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    assert len(rows(out.read_text(encoding="utf-8"))) == 1
    assert runner.invoke(args=args).exit_code == 0
    assert rows(out.read_text(encoding="utf-8")) == []
    with app.app_context():
        record = db.session.scalars(select(LeadExport).order_by(LeadExport.id)).first()
        assert record.source == "cli" and record.actor.startswith("shell:")
        assert json.loads(record.filters) == {"state": "IL"} and record.row_count == 1
        statuses = dict(db.session.execute(select(Lead.state, Lead.status)).all())
        assert statuses == {"IL": "exported", "WI": "new"}


def test_export_time_bounds(app, runner):
    from datetime import UTC, datetime

    with app.app_context():
        program = make_program()
        for day in (1, 2, 3):
            make_lead(
                program, first_name=f"d{day}", created_at=datetime(2026, 11, day, 23, tzinfo=UTC)
            )
    whole_day = runner.invoke(args=["export-leads", "--until", "2026-11-02"])
    assert [r[13] for r in rows(whole_day.stdout)] == ["d1", "d2"]
    exclusive = runner.invoke(
        args=["export-leads", "--since", "2026-11-02T00:00", "--until", "2026-11-03T23:00Z"]
    )
    assert [r[13] for r in rows(exclusive.stdout)] == ["d2"]


def test_export_rejects_bad_options(app, runner):
    assert runner.invoke(args=["export-leads", "--since", "last week"]).exit_code == 2
    assert runner.invoke(args=["export-leads", "--school", "Nowhere"]).exit_code == 2
    assert runner.invoke(args=["export-leads", "--status", "lost"]).exit_code == 2
    assert runner.invoke(args=["export-leads", "--columns", "schools"]).exit_code == 2


def test_export_in_the_school_columns_with_a_byte_order_mark(app, runner, tmp_path):
    with app.app_context():
        make_lead(make_program(), first_name="Anna", phone_e164="+13125550100")
        make_lead(make_program(), first_name="Rita", status="rejected")
    out = tmp_path / "leads.csv"
    args = ["export-leads", "--columns", "school", "--bom", "-o", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfLead ID,Received (UTC),")
    [row] = rows(data[3:].decode("utf-8"))
    assert (row[7], row[10]) == ("Anna", "(312) 555-0100")
    everyone = runner.invoke(args=["export-leads", "--include-rejected", "--columns", "full"])
    assert [r[13] for r in rows(everyone.stdout)] == ["Anna", "Rita"]
    with app.app_context():
        record = db.session.scalars(select(LeadExport).order_by(LeadExport.id)).first()
        assert (record.columns, record.bom, record.per_school) == ("school", True, False)


def test_export_a_zip_per_school(app, runner, tmp_path):
    import zipfile

    with app.app_context():
        make_lead(make_program(make_school("Acme College")))
        make_lead(make_program(make_school("Zenith School")))
    out = tmp_path / "leads.zip"
    result = runner.invoke(args=["export-leads", "--per-school", "--mark-exported", "-o", str(out)])
    assert result.exit_code == 0 and "Exported 2 leads" in result.stderr
    names = zipfile.ZipFile(out).namelist()
    assert [name.rsplit("-", 1)[0] for name in names] == ["acme-college", "zenith-school"]
