"""The API's limits: how large and deep a JSON body may be, how many failed authentications a
client address gets, and the RateLimit-* headers that tell a client where it stands.

- A body sent to the API (POST, PUT, PATCH, DELETE) may hold MAX_BODY_BYTES, and its JSON
  may nest MAX_JSON_DEPTH arrays and objects deep; past either, 400 in the API's error shape,
  before anything parses it (Python's JSON parser recurses, so a body nested thousands deep
  would otherwise end in a RecursionError).
- Failed authentications (no token, or one that is unknown or revoked) count per client
  address (API_AUTH_FAILURE_LIMIT); once over, the address is answered 429 with Retry-After
  before its token is even looked up, so a client that makes up a new token for every try
  gets no more tries than one that repeats the same. The count lives in the Bearer-token
  check every token-protected route calls (portal.api.leads.authenticated).
- Every API answer that a rate limit counted carries RateLimit-Limit, RateLimit-Remaining and
  RateLimit-Reset (seconds until the window ends), as the IETF's RateLimit header fields draft
  names them, for the limit Flask-Limiter reports (the one breached, else the one with the
  shortest window). The public operations are counted per
  client address (API_RATE_LIMIT, a limit on the whole blueprint), the token-protected ones
  per token (SCHOOL_API_RATE_LIMIT, on each route).
"""

import logging
import math
import re
import time

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from portal.extensions import limiter

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
MAX_JSON_DEPTH = 32
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# JSON strings (their brackets are text) and the brackets that nest.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deep arrays and objects nest in JSON text, without parsing it (counting stops once
    past `stop_after`). Brackets inside strings do not count."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        if bracket[0] in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


def bad_request(detail: str):
    """400 in the API's error shape, saying what to send instead."""
    return jsonify(error={"status": 400, "title": "Bad request", "detail": detail}), 400


def body_limits():
    """Refuse a body that is too large, or JSON nested too deep, before anything parses it."""
    if request.method not in UNSAFE_METHODS:
        return None
    too_large = f"Send at most {MAX_BODY_BYTES:,} bytes of JSON."
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return bad_request(too_large)
    data = request.get_data(cache=True)  # read once, kept for the view's get_json()
    if len(data) > MAX_BODY_BYTES:
        return bad_request(too_large)
    if request.is_json and json_depth(data) > MAX_JSON_DEPTH:
        return bad_request(f"Nest arrays and objects at most {MAX_JSON_DEPTH} deep.")
    return None


# --- Failed authentications per client address ------------------------------------------


def _client_key() -> str:
    """The failed-authentication counter of this request's client address."""
    return f"api-auth-failures:{get_remote_address() or 'unknown'}"


def _failure_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config["API_AUTH_FAILURE_LIMIT"])


def refuse_failing_client() -> None:
    """Raise 429 (with Retry-After) if this client address failed to authenticate too often
    lately; do nothing when it has not, or when rate limits are off."""
    if not limiter.enabled:
        return
    try:
        strategy, key = limiter.limiter, _client_key()
        for item in _failure_limits():
            if not strategy.test(item, key):
                reset = strategy.get_window_stats(item, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                g.api_rate_limit = (item.amount, 0, wait)
                raise TooManyRequests(retry_after=wait)
    except TooManyRequests:
        raise
    except Exception:
        log.warning("failed API authentications unknown: the rate-limit storage did not answer")


def count_failed_authentication() -> None:
    """Count one failed authentication against this client address."""
    if not limiter.enabled:
        return
    try:
        strategy, key = limiter.limiter, _client_key()
        for item in _failure_limits():
            strategy.hit(item, key)
    except Exception:
        log.warning("a failed API authentication was not counted: the storage did not answer")


# --- RateLimit-* headers -----------------------------------------------------------------


def public_limit() -> str:
    """The public operations' limit, per client address (API_RATE_LIMIT)."""
    return current_app.config["API_RATE_LIMIT"]


def _counted_limit() -> tuple[int, int, int] | None:
    """(limit, remaining, seconds to reset) of the limit that counted this request, if any."""
    if "api_rate_limit" in g:
        return g.api_rate_limit
    current = limiter.current_limit if limiter.enabled else None
    if current is None:
        return None
    try:
        reset, remaining = current.window
    except Exception:
        return None
    return current.limit.amount, max(0, remaining), max(0, math.ceil(reset - time.time()))


def rate_limit_headers(response: Response) -> Response:
    """Tell the client where it stands with the limit that counted its request."""
    counted = _counted_limit()
    if counted is not None:
        amount, remaining, reset = counted
        response.headers.setdefault("RateLimit-Limit", str(amount))
        response.headers.setdefault("RateLimit-Remaining", str(remaining))
        response.headers.setdefault("RateLimit-Reset", str(reset))
    return response


def install(blueprint: Blueprint) -> None:
    """Give the API blueprint its body limits, its per-address limit and its headers."""
    blueprint.before_request(body_limits)
    blueprint.after_request(rate_limit_headers)
    limiter.limit(public_limit)(blueprint)
