"""The project's `flask --app wsgi ...` commands."""

import ipaddress
import os

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.models import utcnow
from portal.services import rollup
from portal.services.demo import seed_demo
from portal.services.geo import load_zip_codes
from portal.services.imports import ImportReport, import_programs


def register(app: Flask) -> None:
    """Attach every command below to the app's CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)
    warn_if_served_openly(app)


def warn_if_served_openly(app: Flask) -> None:
    """Warn when `flask run` serves development mode on an address other machines can reach."""
    context = click.get_current_context(silent=True)
    if app.config["PORTAL_ENV"] != "development" or context is None:
        return
    if context.info_name != "run" or os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return  # not `flask run`, or its reloader's second process (the first one warned)
    host = str(context.params.get("host") or "127.0.0.1")
    if not is_loopback(host):
        click.secho(
            f"WARNING: development mode is being served on {host}, which other machines can "
            "reach. It is not hardened for that (debugging aids, a local secret key, no HTTPS). "
            "Run production mode behind gunicorn instead (README: Production), or serve on "
            "127.0.0.1.",
            err=True,
            fg="yellow",
        )


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only: localhost or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors)} more.", err=True)
    click.echo(f"{report.error_count} error(s); nothing was written.", err=True)
    raise SystemExit(1)


@click.command("roll-up")
@click.option("--recount", is_flag=True, help="Empty the roll-up and count every day again.")
@with_appcontext
def roll_up_command(recount: bool) -> None:
    """Count every ended day's leads into the daily roll-up (the worker does it as days end)."""
    now = utcnow()
    days = rollup.recount(now) if recount else rollup.count_all_ended_days(now)
    through = rollup.counted_through()
    click.echo(f"Roll-up: {days} day(s) counted; it counts every UTC day through {through}.")


COMMANDS: list = [
    load_zips_command,
    seed_demo_command,
    import_programs_command,
    roll_up_command,
]
