"""Cross-origin reads (CORS): which browsers' scripts on other sites may call the API.

- PUBLIC_PATHS, the public GET endpoints, answer every origin with
  `Access-Control-Allow-Origin: *` and never with credentials: a page anywhere may search the
  listings, read the API's document or the keys receipts are signed with. The set is declared
  here by path, so an endpoint joins it by being listed, whichever blueprint serves it (the
  JSON Web Key Set at /.well-known/jwks.json too).
- Every other path under API_PREFIX (the token-protected API, now and later) answers only the
  origins listed in API_CORS_ORIGINS (none by default): its preflights allow the methods the
  URL takes and the Authorization and Content-Type headers, and its answers name that origin.
  `Access-Control-Allow-Credentials` is never sent, so a browser never sends cookies with such
  a request nor lets a script read the answer to one that had them: the API is called with a
  bearer token, and nothing else.
- Nothing else on the site answers CORS at all (same-origin only).
"""

from flask import Flask, Response, current_app, request

PUBLIC_PATHS = frozenset({"/api/v1/programs", "/api/v1/openapi.json", "/.well-known/jwks.json"})
API_PREFIX = "/api/v1/"
# Answer headers a script may read besides the safelisted ones.
EXPOSED = "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-ID"
PREFLIGHT_MAX_AGE = "600"


def is_preflight() -> bool:
    """Whether the request is a browser's CORS preflight."""
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _allowed_methods() -> str:
    """The methods this URL takes, as the Allow header of an OPTIONS answer names them."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    return ", ".join(sorted(adapter.allowed_methods()))


def public(response: Response) -> None:
    """Any origin may read a public endpoint, without credentials."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED
    if is_preflight():
        headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE


def token_protected(response: Response, origins: frozenset[str]) -> None:
    """Only the listed origins may call the token-protected API, with a bearer token."""
    if not origins:
        return
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    if origin not in origins:
        return
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = EXPOSED + ", WWW-Authenticate"
    if is_preflight():
        headers["Access-Control-Allow-Methods"] = _allowed_methods()
        headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE


def cors_headers(response: Response) -> Response:
    """Add the CORS headers the request's path has (see the module's rules)."""
    if request.path in PUBLIC_PATHS:
        public(response)
    elif request.path.startswith(API_PREFIX):
        token_protected(response, current_app.config["API_CORS_ORIGINS"])
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


def register(app: Flask) -> None:
    """Install the CORS headers on every answer."""
    app.after_request(cors_headers)
