"""The project's `flask --app wsgi ...` commands."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command below to the app's CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)


COMMANDS: list = []
