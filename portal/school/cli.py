"""Commands for the schools' accounts: create-school-user and school-tokens create."""

import click
from flask.cli import AppGroup, with_appcontext

from portal.admin.cli import read_password, shell_user
from portal.delivery.cli import _school_id
from portal.services.school_accounts import AccountError, create_school_user
from portal.services.school_api import create_token


@click.command("create-school-user")
@click.argument("email")
@click.option("--school", "school", required=True, help="The school's id or exact name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_school_user_command(email: str, school: str, password_stdin: bool) -> None:
    """Create a user of SCHOOL who signs in at /school."""
    school_id = _school_id(school)
    try:
        user = create_school_user(school_id, email, read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created school user {user.email} of {user.school.name}.")


school_tokens = AppGroup("school-tokens", help="The schools' API tokens.")


@school_tokens.command("create")
@click.argument("school")
def create_token_command(school: str) -> None:
    """Make an API token for SCHOOL (id or exact name); prints the token once, last."""
    school_id = _school_id(school)
    row, token = create_token(school_id, f"shell ({shell_user()})")
    click.echo(f"Token {row.id} made for school {school_id}; it is shown this once:")
    click.echo(token)


SCHOOL_COMMANDS = [create_school_user_command, school_tokens]
