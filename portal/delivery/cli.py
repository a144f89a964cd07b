"""Delivery commands: `flask --app wsgi deliver` (the worker) and `flask --app wsgi destinations`
(add-webhook, add-email, list, enable, disable, rotate-secret)."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from portal.delivery.worker import Worker
from portal.models import utcnow
from portal.services.admin_leads import UnknownChoice, resolve_school
from portal.services.destinations import (
    DestinationNotFound,
    InvalidDestination,
    add_email,
    add_webhook,
    list_destinations,
    rotate_secret,
    set_enabled,
)


@click.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--threads", type=click.IntRange(1, 64), help="Attempts at once (default: setting).")
@with_appcontext
def deliver_command(once: bool, threads: int | None) -> None:
    """Send queued leads to the schools' webhooks and email addresses, until SIGTERM."""
    worker = Worker(current_app._get_current_object(), threads)
    previous = worker.install_signal_handlers()
    try:
        stats = worker.run(once=once)
    finally:
        worker.restore_signal_handlers(previous)
    click.echo(
        f"Deliveries: {stats.delivered} delivered, {stats.retried} to retry later, "
        f"{stats.failed} failed."
    )
    for run_id, state, erased in stats.retention_runs:
        click.echo(f"Retention: daily run #{run_id} {state}, {erased} leads' details erased.")


destinations = AppGroup("destinations", help="Where each school's leads are delivered.")


def _school_id(school: str) -> int:
    """The id of a school given by id or exact name (a usage error when there is none)."""
    try:
        return resolve_school(school)
    except UnknownChoice as exc:
        raise click.BadParameter(str(exc), param_hint="SCHOOL") from exc


@destinations.command("add-webhook")
@click.argument("school")
@click.argument("url")
def add_webhook_command(school: str, url: str) -> None:
    """Add a webhook for SCHOOL (id or exact name); prints its signing secret last."""
    production = current_app.config["PORTAL_ENV"] == "production"
    try:
        allow_private = current_app.config["DELIVERY_ALLOW_PRIVATE_TARGETS"]
        created = add_webhook(_school_id(school), url, production, allow_private)
    except InvalidDestination as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from exc
    destination = created.destination
    click.echo(f"Added webhook #{destination.id} for {destination.school.name}: {destination.url}")
    click.echo("Signing secret (shown only now; give it to the school to verify signatures):")
    click.echo(created.secret)


@destinations.command("add-email")
@click.argument("school")
@click.argument("address")
def add_email_command(school: str, address: str) -> None:
    """Add an email destination for SCHOOL: ADDRESS (several separated by commas)."""
    try:
        destination = add_email(_school_id(school), address)
    except InvalidDestination as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS") from exc
    click.echo(
        f"Added email destination #{destination.id} for {destination.school.name}: "
        f"{destination.email_to}"
    )


@destinations.command("list")
def list_command() -> None:
    """List every destination: id, school, kind, on/off, target."""
    rows = list_destinations()
    if not rows:
        click.echo("No destinations yet.")
        return
    for destination in rows:
        state = "on" if destination.is_enabled else "off"
        line = (
            f"{destination.id}\t{destination.school.name}\t{destination.kind}\t{state}\t"
            f"{destination.target}"
        )
        if destination.disabled_reason and not destination.is_enabled:
            line += f"\t({destination.disabled_reason})"
        click.echo(line)


def _switch(destination_id: int, enabled: bool) -> None:
    """Switch a destination on or off and say so."""
    try:
        destination = set_enabled(destination_id, enabled)
    except DestinationNotFound as exc:
        raise click.BadParameter(f"No destination has the id {destination_id}.") from exc
    state = "on" if enabled else "off"
    click.echo(f"Destination #{destination.id} ({destination.school.name}) is now {state}.")


@destinations.command("disable")
@click.argument("destination_id", metavar="ID", type=int)
def disable_command(destination_id: int) -> None:
    """Switch destination ID off: no new leads are queued for it, none are sent to it."""
    _switch(destination_id, False)


@destinations.command("enable")
@click.argument("destination_id", metavar="ID", type=int)
def enable_command(destination_id: int) -> None:
    """Switch destination ID on again."""
    _switch(destination_id, True)


@destinations.command("rotate-secret")
@click.argument("destination_id", metavar="ID", type=int)
def rotate_secret_command(destination_id: int) -> None:
    """Give webhook ID a new signing secret (the old one stays valid for 24 hours)."""
    try:
        rotated = rotate_secret(destination_id, utcnow())
    except DestinationNotFound as exc:
        raise click.BadParameter(f"No destination has the id {destination_id}.") from exc
    except InvalidDestination as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(
        f"New secret for webhook #{destination_id}; the old one is valid until "
        f"{rotated.destination.previous_secret_expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    click.echo(rotated.secret)


DELIVERY_COMMANDS = [deliver_command, destinations]
