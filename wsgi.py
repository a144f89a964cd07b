"""The WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...` both load this app."""

from portal import create_app

app = create_app()
