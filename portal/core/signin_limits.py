"""Sign-in throttling that slows password guessing without letting anyone lock an account out.

Only failed sign-ins count (a 401 answer). Three limits apply, each from a setting:
- per client IP (ADMIN_LOGIN_LIMIT_PER_IP), whatever account it tries;
- per account and client together (ADMIN_LOGIN_LIMIT_PER_ACCOUNT): one client's guesses at one
  account, so an attacker's failures never hold back the real owner signing in from elsewhere;
- per account from all clients (ADMIN_LOGIN_LIMIT_ACCOUNT_WIDE), much higher: once reached, it
  stops only clients that have failed on that account recently, so many addresses each get
  one guess at most, and a client with no recent failures is still let in on its password.
Counts live where every rate limit does (Redis in production, see RATELIMIT_STORAGE_URI).
"""

import functools
import logging

from flask import abort, current_app, make_response, request
from flask_limiter.util import get_remote_address
from limits import parse, parse_many

from portal.extensions import limiter
from portal.services.accounts import normalise_email

log = logging.getLogger(__name__)

# Whether a client failed on an account recently: the last hour, as the hourly limits see it.
RECENT_FAILURES = parse("1000000 per hour")


def failed(response) -> bool:
    """Whether the answer is a refused sign-in: only those are counted."""
    return response.status_code == 401


def _account(scope: str) -> str:
    """The account being signed in to, as typed (normalised), within its kind."""
    return f"{scope}-signin:{normalise_email(request.form.get('email', ''))}"


def _client() -> str:
    """The client, by its IP address (read behind PROXY_COUNT proxies)."""
    return get_remote_address() or "unknown"


def _ceiling_stops_client(scope: str, ceiling: str) -> bool:
    """Whether the account-wide ceiling is reached and this client failed on it recently."""
    try:
        strategy = limiter.limiter
        account = _account(scope)
        if strategy.get_window_stats(RECENT_FAILURES, account, _client()).remaining == (
            RECENT_FAILURES.amount
        ):
            return False  # a client with no recent failure is always let try its password
        return not all(strategy.test(item, account) for item in parse_many(ceiling))
    except Exception:
        log.warning("sign-in ceiling unknown: the rate-limit storage did not answer")
        return False


def _count_failure(scope: str, ceiling: str) -> None:
    """Count a failed sign-in against the account-wide ceiling, and mark the client."""
    try:
        strategy = limiter.limiter
        account = _account(scope)
        strategy.hit(RECENT_FAILURES, account, _client())
        for item in parse_many(ceiling):
            strategy.hit(item, account)
    except Exception:
        log.warning("a failed sign-in was not counted: the rate-limit storage did not answer")


def signin_limits(scope: str, setting_prefix: str):
    """Decorate a sign-in view with the three limits, read from `setting_prefix`_* settings."""

    def setting(suffix: str):
        return lambda: current_app.config[f"{setting_prefix}_{suffix}"]

    def decorate(view):
        @functools.wraps(view)
        def with_ceiling(*args, **kwargs):
            counted = request.method == "POST" and limiter.enabled
            ceiling = current_app.config[f"{setting_prefix}_ACCOUNT_WIDE"]
            if counted and _ceiling_stops_client(scope, ceiling):
                abort(429)
            response = make_response(view(*args, **kwargs))
            if counted and failed(response):
                _count_failure(scope, ceiling)
            return response

        per_account_and_client = limiter.limit(
            setting("PER_ACCOUNT"),
            key_func=lambda: f"{_account(scope)}|{_client()}",
            methods=["POST"],
            deduct_when=failed,
        )
        per_ip = limiter.limit(setting("PER_IP"), methods=["POST"], deduct_when=failed)
        return per_ip(per_account_and_client(with_ceiling))

    return decorate
