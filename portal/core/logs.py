"""Log lines that nobody can forge: control characters in any field are written as escapes.

A request's path, headers or form values may carry a line break (`%0a` in a URL); written as
they are, they would start a new, made-up line in the log. Every log field is escaped instead:
by the app's own log handler here, and by gunicorn's access log (portal.core.gunicorn_logging).
"""

import logging
import re

from flask import Flask
from flask.logging import default_handler

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """The text with each control character written as \\xNN (or \\uNNNN): one line, always."""
    return _CONTROLS.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", text
    )


class EscapingFormatter(logging.Formatter):
    """Flask's log format, with control characters escaped in the message (not the traceback)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        """The formatted line, escaped."""
        return escape_controls(super().formatMessage(record))


class DropDevServerRequestLines(logging.Filter):
    """The development server's own line per request: the app writes one already (and without
    the query string, which may hold a ZIP or campaign tag)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for werkzeug's request lines, True for everything else it says."""
        return not (isinstance(record.msg, str) and record.msg.rstrip().endswith('"%s" %s %s'))


def register(app: Flask) -> None:
    """Set the app's log level, escape its log lines, keep one line per request."""
    app.logger.setLevel(app.config["LOG_LEVEL"])
    default_handler.setFormatter(
        EscapingFormatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
    )
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropDevServerRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(DropDevServerRequestLines())
