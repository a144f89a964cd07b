"""Attribution: remember where a visitor came from, so their request can say so.

Only a landing page that says something (utm_* parameters, or a referrer from another site)
starts a session: a plain visit sets no cookie, so the page stays cacheable by shared caches.
"""

from urllib.parse import urlsplit

from flask import request, session

from portal.services.leads import Attribution

SESSION_KEY = "landing"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Kept short so the session cookie stays well under the browsers' 4 KB limit.
REFERRER_MAX = 1000
UTM_MAX = 200
# Requests that are not a visitor's page view.
SKIPPED_ENDPOINTS = {"static", "core.healthz"}
SKIPPED_BLUEPRINTS = {"api"}


def remember_landing_page() -> None:
    """On a visitor's first page view that has a referrer from elsewhere or utm_* values,
    keep them; never overwrite."""
    if request.method != "GET" or request.endpoint is None or request.endpoint in SKIPPED_ENDPOINTS:
        return
    if request.blueprint in SKIPPED_BLUEPRINTS:
        return
    landing = {"referrer": external_referrer()[:REFERRER_MAX]}
    for key in UTM_KEYS:
        landing[key] = request.args.get(key, "")[:UTM_MAX]
    if any(landing.values()) and SESSION_KEY not in session:
        session[SESSION_KEY] = landing


def external_referrer() -> str:
    """The Referer header when it names another site (our own pages say nothing of origin)."""
    referrer = request.referrer or ""
    try:
        host = urlsplit(referrer).netloc
    except ValueError:
        return referrer
    return "" if host == request.host else referrer


def attribution_from(stored: dict | None) -> Attribution:
    """The Attribution for what remember_landing_page stored (empty if nothing was)."""
    stored = stored if isinstance(stored, dict) else {}
    values = {key: str(stored.get(key, "")) for key in ("referrer", *UTM_KEYS)}
    return Attribution(**values)
