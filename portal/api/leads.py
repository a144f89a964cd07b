"""The schools' pull API (on the API's blueprint, portal.api): a school's CRM lists its
leads, records outcomes and lists its leads whose person opted out, with a Bearer token
(portal.services.school_api). Errors keep the API's shape,
{"error": {"status": ..., "title": ..., ["fields": ...]}}; 401 also says WWW-Authenticate.

Every token-protected route authenticates with authenticated(), which also counts failed
authentications per client address and answers 429 to an address past API_AUTH_FAILURE_LIMIT
(portal.api.limits), so a new route inherits the limit by calling it."""

import hashlib
import re
from datetime import UTC, date, datetime

from flask import current_app, g, jsonify, request
from flask_limiter.util import get_remote_address

from portal.api import bp
from portal.api.limits import count_failed_authentication, refuse_failing_client
from portal.api.views import invalid, not_found_field
from portal.extensions import limiter
from portal.models import LEAD_OUTCOMES, SchoolApiToken, today_utc, utcnow
from portal.services.school_api import InvalidCursor, lead_feed, opt_out_feed, token_in_use
from portal.services.school_leads import Actor, InvalidOutcome, LeadNotFound, record_outcome


def bearer_token() -> str | None:
    """The token of the Authorization header, if it is a Bearer one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_key() -> str:
    """Rate limits count per token (by its hash), or per IP for requests without one."""
    token = bearer_token()
    if token is None:
        return f"api-anonymous:{get_remote_address()}"
    return "api-token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def api_limit() -> str:
    return current_app.config["SCHOOL_API_RATE_LIMIT"]


def unauthorized():
    """401 in the API's error shape, naming the scheme to use."""
    body = jsonify(
        error={
            "status": 401,
            "title": "Unauthorized",
            "detail": "Send a valid token: Authorization: Bearer <token>.",
        }
    )
    return body, 401, {"WWW-Authenticate": 'Bearer realm="leads"'}


def not_found():
    """404 in the API's error shape."""
    return jsonify(error={"status": 404, "title": "Page not found"}), 404


def authenticated() -> SchoolApiToken | None:
    """The live token of this request (kept in g), or None, counted as a failure of the client
    address; an address that failed too often lately is answered 429 before any look-up."""
    refuse_failing_client()
    token = bearer_token()
    found = token_in_use(token, utcnow()) if token else None
    g.api_token = found
    if found is None:
        count_failed_authentication()
    return found


# RFC 3339's date-time, as OpenAPI's `format: date-time` has it: a date, T, a time to the
# second (a fraction allowed) and a zone (Z or an offset).
RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text) -> date:
    """A day as RFC 3339's full-date (YYYY-MM-DD, `format: date`); ValueError otherwise
    (Python alone would also take 20261104 or 2026-W45-3)."""
    if not isinstance(text, str) or not FULL_DATE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def parse_since(text: str | None) -> datetime | None:
    """An RFC 3339 time (None when the parameter is absent) in UTC; ValueError otherwise. A
    time so near the ends of the calendar that UTC has no such day stands for that end."""
    if text is None:
        return None
    match = RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(text)
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in "Zz" else zone
    moment = datetime.fromisoformat(f"{day}T{clock}{'.' + fraction[:6] if fraction else ''}{zone}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


@bp.get("/leads")
@limiter.limit(api_limit, key_func=token_key)
def leads():
    """The token's school's leads after `cursor` (received at or after `since`), oldest first,
    100 at a time, with the cursor to ask with next."""
    token = authenticated()
    if token is None:
        return unauthorized()
    try:
        since = parse_since(request.args.get("since"))
    except ValueError:
        return invalid(
            {"since": ["Give an RFC 3339 time with its zone, e.g. 2026-11-01T00:00:00Z."]}
        )
    cursor = request.args.get("cursor")
    try:
        page = lead_feed(token.school_id, since, cursor)
    except InvalidCursor as error:
        return not_found_field("cursor", str(error))
    return jsonify(leads=page.leads, next_cursor=page.next_cursor, has_more=page.has_more)


@bp.get("/opt-outs")
@limiter.limit(api_limit, key_func=token_key)
def opt_outs():
    """The token's school's leads whose person opted out after `cursor` (at or after
    `since`), in the order they opted out, 100 at a time, with the cursor to ask with next."""
    token = authenticated()
    if token is None:
        return unauthorized()
    try:
        since = parse_since(request.args.get("since"))
    except ValueError:
        return invalid(
            {"since": ["Give an RFC 3339 time with its zone, e.g. 2026-11-01T00:00:00Z."]}
        )
    try:
        page = opt_out_feed(token.school_id, since, request.args.get("cursor"))
    except InvalidCursor as error:
        return not_found_field("cursor", str(error))
    return jsonify(opt_outs=page.opt_outs, next_cursor=page.next_cursor, has_more=page.has_more)


@bp.post("/leads/<id:lead_id>/outcome")
@limiter.limit(api_limit, key_func=token_key)
def outcome(lead_id: int):
    """Record what became of one of the token's school's leads: {"outcome": ..., "date": ...}."""
    token = authenticated()
    if token is None:
        return unauthorized()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return invalid({"body": ['Send a JSON object, e.g. {"outcome": "contacted"}.']})
    code = body.get("outcome")
    if not isinstance(code, str) or code not in LEAD_OUTCOMES:
        return invalid({"outcome": [f"Use one of: {', '.join(LEAD_OUTCOMES)}."]})
    day = body.get("date")
    try:
        # Left out: today. Given, it is a YYYY-MM-DD string (null is not a date).
        occurred_on = parse_day(day) if "date" in body else today_utc()
    except (TypeError, ValueError):
        return invalid({"date": ["Give the day as YYYY-MM-DD."]})
    actor = Actor(f"API token {token.prefix}")
    try:
        record_outcome(token.school_id, lead_id, code, occurred_on, actor, today_utc())
    except LeadNotFound:
        return not_found()
    except InvalidOutcome as error:
        return invalid({"date": [str(error)]})
    return jsonify(lead_id=lead_id, outcome=code, date=occurred_on.isoformat()), 201
