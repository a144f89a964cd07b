"""What every response carries: a request id, one log line, security and cache headers.

Whether a shared cache (a CDN, a proxy) may keep a response is decided last, once the session
cookie has been written (CachePolicySessionInterface), so the decision sees the final headers: a
response that sets a cookie, or that a signed-in user gets, is never public.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user

REQUEST_LOG = logging.getLogger("portal.request")
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
PUBLIC_MAX_AGE = 300
# Flask-Login's session key: present while someone is signed in.
SIGNED_IN_KEY = "_user_id"


def start_request() -> None:
    """Note the start time and the request id (the proxy's, when it is a sane token)."""
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex


def security_headers(response: Response, production: bool) -> None:
    """Add the security headers every response carries (HSTS only in production)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if production:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def in_blueprint(blueprint: Blueprint) -> bool:
    """Whether the request is for `blueprint`: routed to it, or (a URL nothing matched, such as
    a 404) under its url_prefix."""
    if request.url_rule is not None:
        return request.blueprint == blueprint.name
    prefix = blueprint.url_prefix
    return bool(prefix) and (request.path == prefix or request.path.startswith(prefix + "/"))


def no_store(response: Response) -> Response:
    """Forbid every cache to keep the response (for pages with forms or personal data)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def private_and_unindexed(response: Response) -> Response:
    """A signed-in area's page: never stored by a cache nor indexed by a search engine."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return no_store(response)


def signed_in_area(
    blueprint: Blueprint, allowed: Callable[[Any], bool], login_endpoint: str
) -> Callable[[], Response | None]:
    """Make every page of `blueprint`, and any URL under its prefix that matches nothing, need
    a user `allowed` accepts (but the sign-in page): anyone else is sent to `login_endpoint`,
    told nothing of the page asked for but where to come back to. No page of it is cached or
    indexed. Returns the gate, for other blueprints that join the area."""

    def gate() -> Response | None:
        if allowed(current_user) or request.endpoint == login_endpoint:
            return None
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for(login_endpoint, next=wanted))

    @blueprint.before_app_request
    def unknown_pages() -> Response | None:
        return gate() if request.url_rule is None and in_blueprint(blueprint) else None

    blueprint.before_request(gate)
    blueprint.after_request(private_and_unindexed)
    return gate


def cache_headers(response: Response) -> Response:
    """The default policy: public pages 5 minutes (with an ETag), unsafe methods never stored.

    A blueprint or view that set Cache-Control itself (no_store) keeps it; never_shared()
    narrows whatever was chosen once the session cookie is written.
    """
    if "Cache-Control" in response.headers and request.endpoint != "static":
        return response
    if request.method not in ("GET", "HEAD"):
        return no_store(response)
    if response.status_code != 200 or response.is_streamed or request.endpoint == "static":
        return response
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


def never_shared(response: Response, session: SessionMixin) -> None:
    """Keep shared caches away from what is one visitor's: the last word, whatever the route.

    A signed-in user's response, and the answer to a request with credentials (a bearer
    token), is `private, no-store`; one that sets a cookie, or may depend
    on the cookie the visitor sent (Vary: Cookie), is at most `private`.
    """
    if SIGNED_IN_KEY in session or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "private, no-store"
        return
    control = response.cache_control
    shared = control.public or control.s_maxage is not None
    sent_cookie = bool(request.cookies) and "Cookie" in response.vary
    if shared and ("Set-Cookie" in response.headers or sent_cookie):
        directives = [d.strip() for d in response.headers["Cache-Control"].split(",")]
        kept = [d for d in directives if d.lower() != "public" and "s-maxage" not in d.lower()]
        response.headers["Cache-Control"] = ", ".join(["private", *kept])


class CachePolicySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, then the cache headers: the last word on every response."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write the session cookie (when needed), then keep shared caches off what is private."""
        super().save_session(app, session, response)
        never_shared(response, session)


def allow_on_405(response: Response) -> None:
    """Make every 405 name the methods the URL takes (RFC 9110), whatever answered it."""
    if response.status_code == 405 and "Allow" not in response.headers:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        response.headers["Allow"] = ", ".join(sorted(adapter.allowed_methods()))


def log_request(response: Response) -> None:
    """Write one JSON line: method, path (never the query string), status, time, request id."""
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    REQUEST_LOG.info(
        json.dumps(
            {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round(elapsed_ms, 1),
                "request_id": g.get("request_id", "-"),
            }
        )
    )


def register(app: Flask) -> None:
    """Install the request hooks on the app."""
    production = app.config["PORTAL_ENV"] == "production"
    app.session_interface = CachePolicySessionInterface()
    app.before_request(start_request)

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        security_headers(response, production)
        allow_on_405(response)
        response = cache_headers(response)
        log_request(response)
        return response
