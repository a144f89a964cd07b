"""The WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...` both load this app."""

import atexit
import gc

from portal import create_app

app = create_app()

# A process that loaded the app spends about 0.3 s of its exit in the interpreter's last
# garbage collections, walking every object the modules hold (SQLAlchemy's, Alembic's) only
# to free them a moment later anyway. Frozen, those objects are skipped and simply freed, so a
# command such as `flask export-leads` hands the shell back that much sooner. Registered
# after the libraries' own exit handlers, it runs before them: they still run (logging is
# flushed, the search log written); only collecting cycles at the very end is skipped.
atexit.register(gc.freeze)
