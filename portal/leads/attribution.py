"""Attribution: remember where a visitor came from, so their request can say so."""

from flask import request, session

from portal.services.leads import Attribution

SESSION_KEY = "landing"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Kept short so the session cookie stays well under the browsers' 4 KB limit.
REFERRER_MAX = 1000
UTM_MAX = 200
# Requests that are not a visitor's page view.
SKIPPED_ENDPOINTS = {"static", "core.healthz"}


def remember_landing_page() -> None:
    """On a visitor's first page view, keep its referrer and utm_* values; never overwrite."""
    if SESSION_KEY in session or request.method != "GET":
        return
    if request.endpoint is None or request.endpoint in SKIPPED_ENDPOINTS:
        return
    if request.path.startswith("/api/"):
        return
    landing = {"referrer": (request.referrer or "")[:REFERRER_MAX]}
    for key in UTM_KEYS:
        landing[key] = request.args.get(key, "")[:UTM_MAX]
    session[SESSION_KEY] = landing


def attribution_from(stored: dict | None) -> Attribution:
    """The Attribution for what remember_landing_page stored (empty if nothing was)."""
    stored = stored if isinstance(stored, dict) else {}
    values = {key: str(stored.get(key, "")) for key in ("referrer", *UTM_KEYS)}
    return Attribution(**values)
