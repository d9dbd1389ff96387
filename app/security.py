"""Access control and hardening: bearer tokens with scopes, security headers, CORS, JSON-only writes."""

from __future__ import annotations

import hmac
import ipaddress
import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, g, request

from app.errors import ConfigError, Forbidden, Unauthorized, UnsupportedMediaType

SCOPES = {"read": 1, "write": 2, "admin": 3}
ADMIN_ENDPOINTS = {"admin.rescan_artifacts", "admin.index_artifacts"}
MULTIPART_ENDPOINTS = {"telemetry.upload"}
# Routes that read a non-JSON body and check its type themselves: YAML models (runs.yaml_body), the upload.
OWN_BODY_ENDPOINTS = {"runs.run", "runs.graph", "models.create_model", *MULTIPART_ENDPOINTS}
JSON_TYPE = "application/json"
ANY_ORIGIN = "*"
TOKEN_COOKIE = "flowtime_token"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CORS_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Range, X-Model-Provenance"
CORS_EXPOSE = ("ETag, Content-Range, Content-Length, Content-Disposition, Retry-After, X-Request-ID, X-Registry-Generation, "
               "X-Registry-Oldest-Generation")
_ORIGIN = re.compile(r"^https?://[^/\s,*]+$")
# FlowTime's UIs in development: Blazor WASM (5219), SvelteKit `vite dev` (5173) and `vite preview` (4173).
FLOWTIME_UI_ORIGINS = frozenset(f"http://{host}:{port}" for host in ("localhost", "127.0.0.1")
                                for port in (5219, 5173, 4173))


def parse_tokens(spec: str) -> dict[str, str]:
    """`token:scope,token2:scope` -> {token: scope}; scopes are read, write and admin."""
    tokens: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        token, _, scope = entry.rpartition(":")
        if not token or scope not in SCOPES or len(token) < 16:
            raise ConfigError("FLOWTIME_API_TOKENS entries must be `<token of 16+ chars>:<read|write|admin>`")
        tokens[token] = scope
    return tokens


def is_loopback(host: str) -> bool:
    """Whether a bind host only accepts connections from this machine."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_scope(path: str, endpoint: str | None, method: str) -> str | None:
    """The scope a route needs when tokens are configured (None: open); the OpenAPI document says the same."""
    if not path.startswith("/v1/") or method == "OPTIONS":
        return None
    if endpoint in ADMIN_ENDPOINTS:
        return "admin"
    return "write" if method in WRITE_METHODS else "read"


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    if request.method in ("GET", "HEAD") and TOKEN_COOKIE in request.cookies:
        # lets the UI's plain download links work; the UI stores it with encodeURIComponent
        return unquote(request.cookies[TOKEN_COOKIE])
    return None


def _scope_of(presented: str, tokens: dict[str, str]) -> str | None:
    found = None
    for token, scope in tokens.items():  # compare against every token, in constant time each
        if hmac.compare_digest(presented.encode(), token.encode()):
            found = scope
    return found


def _authorise(tokens: dict[str, str]) -> None:
    needed = required_scope(request.path, request.endpoint, request.method)
    if needed is None:
        return
    presented = _presented_token()
    scope = _scope_of(presented, tokens) if presented else None
    if scope is None:
        raise Unauthorized("a valid bearer token is required", headers={"WWW-Authenticate": 'Bearer realm="flowtime"'})
    g.token_scope = scope
    if SCOPES[scope] < SCOPES[needed]:
        raise Forbidden(f"this token's scope ({scope}) does not allow this; it needs {needed}",
                        details={"required_scope": [needed]})


def current_actor() -> str:
    """Who makes this request, for the edit history: the token's scope when tokens are set, else `anonymous`."""
    scope = g.get("token_scope")
    return scope or "anonymous"


def origin_allowed(origin: str, allowed: set[str]) -> bool:
    """Whether a request's Origin may change state: same origin as the Host, or in the CORS allow-list."""
    if origin in allowed or ANY_ORIGIN in allowed:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


def _refuse_cross_site(allowed: set[str]) -> None:
    """403 for a state change sent by another site's page (its Origin, or Sec-Fetch-Site: cross-site)."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if "Origin" in request.headers and not origin_allowed(origin, allowed):
        raise Forbidden("cross-origin state changes are refused; this origin is not in FLOWTIME_CORS_ORIGINS",
                        details={"Origin": [f"{origin[:200]} is not allowed"]})
    listed = origin in allowed or ANY_ORIGIN in allowed
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site" and not listed:
        raise Forbidden("cross-site state changes are refused", details={"Sec-Fetch-Site": ["cross-site"]})


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _refuse_other_bodies() -> None:
    """415 naming the accepted types: JSON routes take JSON only, the others never take HTML form encodings."""
    mimetype = request.mimetype
    if request.endpoint in OWN_BODY_ENDPOINTS:
        if mimetype == "application/x-www-form-urlencoded" or (
                mimetype == "multipart/form-data" and request.endpoint not in MULTIPART_ENDPOINTS):
            raise UnsupportedMediaType(f"{mimetype} is not accepted here; send YAML (text/plain or application/yaml)",
                                       details={"accepted": ["text/plain", "application/yaml"]})
        return
    if _has_body() and mimetype != JSON_TYPE and not (mimetype.startswith("application/") and
                                                      mimetype.endswith("+json")):
        raise UnsupportedMediaType(f"{mimetype or 'a body without Content-Type'} is not accepted here; "
                                   f"send {JSON_TYPE}", details={"accepted": [JSON_TYPE]})


def _guard_writes(allowed: set[str]) -> None:
    if request.method in WRITE_METHODS:
        _refuse_cross_site(allowed)
        if request.path.startswith("/v1/"):
            _refuse_other_bodies()


def cors_origins(config) -> set[str]:
    """Allowed browser origins: FLOWTIME_CORS_ORIGINS (`*` = any), plus FlowTime's UI origins on loopback."""
    origins = {o.strip().rstrip("/") for o in config.cors_origins.split(",") if o.strip()}
    bad = sorted(o for o in origins if o != ANY_ORIGIN and not _ORIGIN.match(o))
    if bad:
        raise ConfigError(f"FLOWTIME_CORS_ORIGINS entries must be `*` or scheme://host[:port], not {', '.join(bad)}")
    return {ANY_ORIGIN} if ANY_ORIGIN in origins else origins | (FLOWTIME_UI_ORIGINS if config.loopback_only else set())


def _headers(response: Response, cors_origins: set[str]) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", API_CSP)
    origin = request.headers.get("Origin")
    if origin and (origin in cors_origins or ANY_ORIGIN in cors_origins):
        # `*` is sent literally: browsers then never attach credentials (no Allow-Credentials is ever sent).
        headers["Access-Control-Allow-Origin"] = ANY_ORIGIN if ANY_ORIGIN in cors_origins else origin
        headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
        headers["Access-Control-Max-Age"] = "600"
        headers.add("Vary", "Origin")
    return response


def register_security(app: Flask) -> None:
    """Tokens (when FLOWTIME_API_TOKENS is set), same-origin JSON writes, security headers and CORS."""
    config = app.config["FLOWTIME"]
    tokens = parse_tokens(config.api_tokens)
    allowed = cors_origins(config)
    if tokens:
        app.before_request(lambda: _authorise(tokens))
    app.before_request(lambda: _guard_writes(allowed))
    app.after_request(lambda response: _headers(response, allowed))
