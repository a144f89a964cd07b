"""The API under /api/v1, one blueprint: the program search as JSON (views.py) and the schools'
pull API of their leads and opt-outs (leads.py). Every route answers errors in the API's JSON
shape, skips CSRF (there is no cookie session) and counts against the API's rate limits."""

from flask import Blueprint

from portal.api import limits
from portal.core.errors import json_errors
from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
json_errors(bp)
limits.install(bp)

# The route modules add their routes to bp.
from portal.api import leads, views  # noqa: E402, F401
