"""One exception hierarchy (the HTTP status lives on the class) and the one JSON error shape."""

from __future__ import annotations

import errno
import logging
from collections.abc import Mapping

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from app.logs import request_id

log = logging.getLogger(__name__)


class RegistryError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str | None = None, details: dict | None = None, headers: dict | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.details = details or {}
        self.headers = headers or {}


class ConfigError(RegistryError):
    """Invalid configuration."""

    code = "config_error"


class DatabaseUnreachable(RegistryError):
    """The registry database cannot be reached."""

    status = 503
    code = "database_unavailable"


class BadRequest(RegistryError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class ValidationFailed(BadRequest):
    """Some fields or parameters are invalid."""

    code = "validation_error"


class ModelInvalid(BadRequest):
    """The model cannot be parsed or evaluated."""

    code = "invalid_model"


class Unauthorized(RegistryError):
    """Authentication is required."""

    status = 401
    code = "unauthorized"


class Forbidden(RegistryError):
    """The credentials do not allow this."""

    status = 403
    code = "forbidden"


class NotFound(RegistryError):
    """Not found."""

    status = 404
    code = "not_found"


class Conflict(RegistryError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"


class ArtifactUnreadable(Conflict):
    """The artifact's files are damaged or incomplete, so this operation cannot use them."""

    code = "artifact_unreadable"


class NotVerifiable(Conflict):
    """The artifact cannot be verified (not a run, or no spec.yaml or seed to re-run it from)."""

    code = "not_verifiable"


class Gone(RegistryError):
    """What was asked for is no longer kept (e.g. changes older than the feed's window)."""

    status = 410
    code = "gone"


class PreconditionFailed(RegistryError):
    """The resource changed since it was read (If-Match)."""

    status = 412
    code = "precondition_failed"


class PayloadTooLarge(RegistryError):
    """The request body is too large."""

    status = 413
    code = "payload_too_large"


class ResultTooLarge(PayloadTooLarge):
    """The response would be larger than the configured limit; ask for less."""

    code = "result_too_large"


class UnsupportedMediaType(RegistryError):
    """The request body has an unsupported content type."""

    status = 415
    code = "unsupported_media_type"


class RangeNotSatisfiable(RegistryError):
    """The requested byte range cannot be served."""

    status = 416
    code = "range_not_satisfiable"


class StorageFull(RegistryError):
    """The storage has no space left."""

    status = 507
    code = "insufficient_storage"


class StorageUnavailable(RegistryError):
    """The artifact storage cannot be reached right now; retry shortly."""

    status = 503
    code = "storage_unavailable"


class StorageRejected(RegistryError):
    """The artifact storage refused the request (check the service's storage credentials)."""

    status = 502
    code = "storage_error"


class ServiceBusy(RegistryError):
    """The registry is busy; retry shortly."""

    status = 503
    code = "busy"


def error_body(message: str, code: str, status: int, details: dict | None = None) -> dict:
    """The single error shape used by every response (`request_id` is the response's X-Request-ID)."""
    return {"error": message, "code": code, "status": status, "details": normalise_details(details),
            "request_id": request_id()}


def normalise_details(details: object) -> dict[str, list[str]]:
    """`details` in its one shape: field (nested ones as dotted paths, `tags.0`) -> a non-empty list of messages."""
    flat: dict[str, list[str]] = {}
    _collect(flat, "", details)
    return flat


def _collect(flat: dict[str, list[str]], path: str, value: object) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _collect(flat, f"{path}.{key}" if path else str(key), inner)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            # a mapping inside a list is about that item (marshmallow keys list errors by index the same way)
            _collect(flat, f"{path}.{index}" if isinstance(item, Mapping) else path, item)
    elif value is not None and str(value).strip():
        flat.setdefault(path or "request", []).append(str(value))


def _json_error(message: str, code: str, status: int, details: dict | None = None, headers=None):
    response = jsonify(error_body(message, code, status, details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def register_error_handlers(app: Flask) -> None:
    """Turn every exception into the one JSON error shape; never leak a traceback."""

    @app.errorhandler(RegistryError)
    def handle_registry_error(exc: RegistryError):
        return _json_error(exc.message, exc.code, exc.status, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        status = exc.code or 500
        details = {}
        data = getattr(exc, "data", None)  # webargs/flask-smorest attach validation messages here
        if isinstance(data, dict) and "messages" in data:
            details = _flatten_webargs(data["messages"])  # error_body turns nested messages into dotted fields
            status, message, code = 400, _summarise(details), "validation_error"
        elif status == 413:
            message, code = "request body too large", "payload_too_large"
        else:
            message, code = exc.description or exc.name, _http_code(exc)
        headers = {}
        # werkzeug's own 405 and 416 (static files) carry Allow / Content-Range: bytes */N; keep them.
        for name in ("Allow", "Content-Range"):
            value = exc.get_response().headers.get(name) if status in (405, 416) else None
            if value:
                headers[name] = value
        return _json_error(message, code, status, details, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if _is_disk_full(exc):  # a write outside Database.read/write (which map it themselves)
            log.error("no space left: %s", exc)
            return _json_error(StorageFull.__doc__, StorageFull.code, StorageFull.status)
        log.exception("unhandled error")
        return _json_error("internal server error", "internal_error", 500)


def _is_disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT anywhere in the cause chain, or SQLite's "database or disk is full"."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _flatten_webargs(messages: dict) -> dict:
    """webargs nests messages by location ({"query": {"limit": [...]}}); keep the field level."""
    flat: dict = {}
    for location, location_messages in messages.items():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
        elif location_messages:  # about the location itself, e.g. {"json": ["Invalid JSON body."]}
            flat["body" if location in ("json", "form", "files") else location] = location_messages
    return flat


def _summarise(details: dict) -> str:
    names = ", ".join(sorted(str(k) for k in details))
    return f"invalid parameters: {names}" if names else "invalid request"
