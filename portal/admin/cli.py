"""Admin commands: create-admin, set-password, export-leads and retention run."""

import getpass
import sys
from datetime import UTC, date, datetime, time, timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from portal.models import EXPORT_COLUMN_SETS, LEAD_STATUSES, RetentionRun, utcnow
from portal.services.accounts import AccountError, create_admin, set_password
from portal.services.admin_leads import (
    LeadFilters,
    UnknownChoice,
    resolve_program,
    resolve_school,
)
from portal.services.exports import Actor, ExportOptions, ExportSummary, export_leads_csv
from portal.services.retention import period_in_words, run_retention


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin_command(email: str, password_stdin: bool) -> None:
    """Create an admin account that can sign in at /admin."""
    try:
        admin = create_admin(email, read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created admin {admin.email}.")


@click.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password for an admin account."""
    try:
        admin = set_password(email, read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password changed for {admin.email}.")


def parse_moment(text: str | None, *, end: bool) -> datetime | None:
    """An ISO 8601 date or time as aware UTC (naive means UTC).

    A bare date as --until covers that whole day; a time is an exclusive bound.
    """
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date or time") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shell_user() -> str:
    """Who runs this command, as the operating system knows them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.command("export-leads")
@click.option("--since", help="Leads created at or after this UTC date/time (ISO 8601).")
@click.option("--until", help="Leads created before this UTC time, or on or before this date.")
@click.option("--school", help="School id or exact name.")
@click.option("--program", help="Program id or external id.")
@click.option("--career", help="Career slug, e.g. medical-office-manager.")
@click.option("--state", help="Two-letter state of the lead.")
@click.option("--status", type=click.Choice(LEAD_STATUSES), help="Lead status.")
@click.option("--not-exported", is_flag=True, help="Only leads no export has marked yet.")
@click.option("--mark-exported", is_flag=True, help="Mark the exported leads (implies the above).")
@click.option("--include-duplicates", is_flag=True, help="Also export non-billable duplicates.")
@click.option("--include-rejected", is_flag=True, help="Also export rejected leads.")
@click.option(
    "--columns",
    type=click.Choice(EXPORT_COLUMN_SETS),
    default="full",
    show_default=True,
    help="full: every column, as stored; school: readable, no internal columns.",
)
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte-order mark (for Excel).")
@click.option("--per-school", is_flag=True, help="Write a zip of one CSV per school.")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File (default stdout).")
@with_appcontext
def export_leads_command(
    since,
    until,
    school,
    program,
    career,
    state,
    status,
    not_exported,
    mark_exported,
    include_duplicates,
    include_rejected,
    columns,
    bom,
    per_school,
    output,
) -> None:
    """Write leads as CSV (or a zip of one CSV per school) and record the export."""
    try:
        filters = LeadFilters(
            since=parse_moment(since, end=False),
            until=parse_moment(until, end=True),
            career=career or None,
            school_id=resolve_school(school) if school else None,
            program_id=resolve_program(program) if program else None,
            state=state.upper() if state else None,
            status=status,
        )
    except UnknownChoice as exc:
        raise click.BadParameter(str(exc)) from exc
    options = ExportOptions(
        filters,
        not_exported=not_exported,
        mark_exported=mark_exported,
        include_duplicates=include_duplicates,
        include_rejected=include_rejected,
        columns=columns,
        bom=bom,
        per_school=per_school,
    )
    summary = ExportSummary()
    actor = Actor(name=f"shell:{shell_user()}", source="cli")
    for chunk in export_leads_csv(options, actor, summary):
        output.write(chunk)
    output.flush()
    click.echo(f"Exported {summary.row_count} leads (export #{summary.export_id}).", err=True)


retention = AppGroup("retention", help="Erase leads' personal details after LEAD_RETENTION_DAYS.")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def retention_run_command(dry_run: bool) -> None:
    """Erase the personal details of leads older than LEAD_RETENTION_DAYS; record the run."""
    days = current_app.config["LEAD_RETENTION_DAYS"]
    run = run_retention(utcnow(), days, f"shell:{shell_user()}", dry_run=dry_run)
    click.echo(
        f"Retention period: {days:,} days ({period_in_words(days)}): leads that arrived "
        f"before {run.cutoff:%Y-%m-%d %H:%M:%S} UTC."
    )
    click.echo(retention_summary(run))


def _count(number: int, one: str, many: str) -> str:
    """'1 note', '2 notes'."""
    return f"{number:,} {one if number == 1 else many}"


def retention_summary(run: RetentionRun) -> str:
    """What a run did (or, dry, would do), in a sentence."""
    verbs = (
        ("erase", "delete", "clear", "cancel")
        if run.dry_run
        else ("erased", "deleted", "cleared", "cancelled")
    )
    cleared = (
        f"{_count(run.status_notes_erased, 'status change note', 'status change notes')}, "
        f"{_count(run.return_texts_erased, 'return text', 'return texts')} and "
        f"{_count(run.excerpts_erased, 'delivery answer excerpt', 'delivery answer excerpts')}"
    )
    parts = [
        f"{verbs[0]} the personal details of {_count(run.leads_erased, 'lead', 'leads')}",
        f"{verbs[1]} {_count(run.notes_deleted, 'note', 'notes')}",
        f"{verbs[2]} {cleared}",
        f"{verbs[3]} {_count(run.deliveries_cancelled, 'waiting delivery', 'waiting deliveries')}",
    ]
    if run.dry_run:
        return f"Dry run #{run.id}, nothing changed: it would " + "; ".join(parts) + "."
    return f"Run #{run.id} {run.state}: " + "; ".join(parts) + "."


ADMIN_COMMANDS = [create_admin_command, set_password_command, export_leads_command, retention]
