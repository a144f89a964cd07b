"""The project's `flask --app wsgi ...` commands."""

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.services.demo import seed_demo
from portal.services.geo import load_zip_codes
from portal.services.imports import ImportReport, import_programs


def register(app: Flask) -> None:
    """Attach every command below to the app's CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)


@click.command("load-zips")
@with_appcontext
def load_zips_command() -> None:
    """Load the US ZIP codes of the `zipcodes` package (only those not loaded yet)."""
    added = load_zip_codes()
    click.echo(f"ZIP codes: {added} added.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the ZIP codes and the demo schools and listings (safe to run again)."""
    report = seed_demo()
    if not report.ok:
        _fail(report)
    click.echo("Demo data: " + _summary(report))


@click.command("import-programs")
@with_appcontext
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Check the file and report, writing nothing.")
def import_programs_command(csv_file, dry_run: bool) -> None:
    """Import program listings from CSV_FILE (format in README.md, "Importing programs")."""
    report = import_programs(csv_file, dry_run=dry_run)
    if not report.ok:
        _fail(report)
    prefix = "Dry run, nothing written: would have " if dry_run else "Imported: "
    click.echo(prefix + _summary(report))


def _summary(report: ImportReport) -> str:
    """One line saying what an import did."""
    return (
        f"{report.rows} rows; {report.created} listings created, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.schools_created} schools and "
        f"{report.campuses_created} campuses created."
    )


def _fail(report: ImportReport) -> None:
    """Print each error and stop with exit status 1."""
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(report.errors)} error(s); nothing was written.", err=True)
    raise SystemExit(1)


COMMANDS: list = [load_zips_command, seed_demo_command, import_programs_command]
