"""What every response carries: a request id, one log line, security and cache headers."""

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

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
# Areas whose pages carry forms, personal data or per-visitor content: never stored by caches.
NO_STORE_PREFIXES = ("/admin", "/programs/", "/requests/")
PUBLIC_MAX_AGE = 300


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


def cache_headers(response: Response) -> Response:
    """Let caches keep public pages (with an ETag); forbid it for forms and admin pages."""
    if "Cache-Control" in response.headers and request.endpoint != "static":
        return response
    path = request.path
    if path.startswith(NO_STORE_PREFIXES) or request.method not in ("GET", "HEAD"):
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or response.is_streamed:
        return response
    if request.endpoint == "static":
        return response
    private = "Cookie" in response.vary or "Set-Cookie" in response.headers
    scope = "private" if private else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={PUBLIC_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


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
    app.before_request(start_request)

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        security_headers(response, production)
        response = cache_headers(response)
        log_request(response)
        return response
