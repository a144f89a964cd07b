"""gunicorn's logger with every access-log field escaped (gunicorn.conf.py names it)."""

from gunicorn.glogging import Logger

from portal.core.logs import escape_controls


class EscapingLogger(Logger):
    """gunicorn's logger; control characters in any access-log field are written as escapes."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        """gunicorn's fields for the access-log line, each one line of text."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: escape_controls(v) if isinstance(v, str) else v for k, v in atoms.items()}
