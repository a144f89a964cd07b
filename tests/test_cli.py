"""The flask commands: load-zips, seed-demo and import-programs."""

from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Campus, Program, ProgramState, School, Sponsorship, ZipCode
from portal.services.demo import METRO_ZIPS
from portal.services.geo import distance_miles

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "programs-example.csv"


def test_load_zips_is_idempotent(runner):
    result = runner.invoke(args=["load-zips"])
    assert result.exit_code == 0 and "ZIP codes: 0 added." in result.output


def test_seed_demo_loads_a_marked_demo_set_and_can_run_again(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        programs = db.session.scalar(select(func.count()).select_from(Program))
        names = db.session.scalars(select(School.name)).all()
        assert programs > 400 and all(name.endswith("(Demo)") for name in names)
        careers = set(db.session.scalars(select(Program.career).distinct()))
        assert "medical-office-manager" in careers and len(careers) >= 5
        states_by_program: dict[int, set[str]] = {}
        for program_id, state in db.session.execute(
            select(ProgramState.program_id, ProgramState.state)
        ):
            states_by_program.setdefault(program_id, set()).add(state)
        assert len({frozenset(states) for states in states_by_program.values()}) >= 5
        metros = {_metro_of(campus) for campus in db.session.scalars(select(Campus))}
        assert len(metros - {None}) >= 40
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert f"0 listings created, 0 updated, {programs} unchanged" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == programs


def _metro_of(campus: Campus) -> str | None:
    """The demo metro whose centre is within 20 miles of the campus, if any."""
    for metro in METRO_ZIPS:
        centre = db.session.get(ZipCode, metro)
        miles = distance_miles(centre.latitude, centre.longitude, campus.latitude, campus.longitude)
        if miles <= 20:
            return metro
    return None


def test_import_programs_command(app, runner):
    result = runner.invoke(args=["import-programs", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Imported: 6 rows; 6 listings created" in result.output
    again = runner.invoke(args=["import-programs", str(EXAMPLE)])
    assert "0 listings created, 0 updated, 6 unchanged" in again.output


def test_import_programs_dry_run_writes_nothing(app, runner):
    result = runner.invoke(args=["import-programs", "--dry-run", str(EXAMPLE)])
    assert result.exit_code == 0
    assert "Dry run, nothing written" in result.output and "6 listings created" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sponsorship)) == 0


def test_import_programs_reports_bad_rows_and_fails(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    text = EXAMPLE.read_text().replace("certificate,campus", "phd,campus", 1)
    bad.write_text(text.replace("EX-2002", "EX-2001"))
    result = runner.invoke(args=["import-programs", str(bad)])
    assert result.exit_code == 1
    assert "line 2: credential_level must be one of" in result.output
    assert "line 6: external_id 'EX-2001' is already used on line 5" in result.output
    assert "2 error(s); nothing was written." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 0
