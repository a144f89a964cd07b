"""Receipt commands: `flask --app wsgi consent-keys create FILE` (a new signing key) and
`flask --app wsgi verify-receipt FILE` (check one; `-` reads standard input)."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from portal.services.consent_keys import KeyFileExists, signing_key, write_new_key
from portal.services.receipts import MAX_RECEIPT_CHARS, InvalidReceipt, verify_receipt

consent_keys = AppGroup("consent-keys", help="The keys that sign consent receipts.")


@consent_keys.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def create_key_command(file: Path) -> None:
    """Write a new Ed25519 signing key to FILE (PEM, PKCS#8, mode 600); never over a file."""
    try:
        key = write_new_key(file)
    except KeyFileExists:
        message = f"{file} already exists; a key file is never overwritten."
        raise click.ClickException(message) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror}") from None
    click.echo(f"Wrote a new consent receipt signing key to {file}.")
    click.echo(f"Its kid: {key.kid}")
    click.echo(
        "Set CONSENT_SIGNING_KEY_FILE to this file and restart the site to sign with it; "
        "receipts signed with earlier keys still verify."
    )


@consent_keys.command("current")
@with_appcontext
def current_key_command() -> None:
    """Print the kid of the key this configuration signs with."""
    click.echo(signing_key().kid)


@click.command("verify-receipt")
@click.argument("file")
@with_appcontext
def verify_receipt_command(file: str) -> None:
    """Check a consent receipt in FILE (- for standard input) against the site's keys:
    prints `valid` and its claims (exit 0), or `invalid: ` and why (exit 1)."""
    try:
        text = _read(file)
        checked = verify_receipt(text)
    except InvalidReceipt as error:
        click.echo(f"invalid: {error}")
        sys.exit(1)
    click.echo("valid")
    click.echo(json.dumps({"kid": checked.header["kid"], **checked.claims}, indent=2))


def _read(file: str) -> str:
    """The start of FILE (or standard input): enough for any receipt, and a little more."""
    try:
        with click.open_file(file, encoding="utf-8", errors="replace") as stream:
            return stream.read(MAX_RECEIPT_CHARS + 1)
    except OSError as error:
        raise InvalidReceipt(f"cannot read {file} ({error.strerror}).") from None


RECEIPT_COMMANDS = [consent_keys, verify_receipt_command]
