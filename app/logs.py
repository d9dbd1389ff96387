"""Logging: one format for the app's and gunicorn's logs (text, or JSON with FLOWTIME_LOG_FORMAT=json), request ids.

Every request gets an id (the client's `X-Request-ID` when it is a sane token, else a new one); it is sent back
in the `X-Request-ID` header, carried in error bodies (`request_id`) and stamped on every log line of the
request, the access line included.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_ACCESS_ID_ATOM = "{x-request-id}o"  # gunicorn's access-log atom for the response header
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
# gunicorn's access line (the request id comes from the shared format): client, request, status, bytes, duration.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def request_id() -> str:
    """The current request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the request's, or the access line's response header."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id()
        if current == "-" and isinstance(record.args, dict):
            current = str(record.args.get(_ACCESS_ID_ATOM, "-"))
        record.request_id = current
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (as logging's last resort does), with request ids."""

    def __init__(self, json_logs: bool = False):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(make_formatter(json_logs))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def make_formatter(json_logs: bool = False) -> logging.Formatter:
    """The one log format: text lines, or one JSON object per line (python-json-logger)."""
    if json_logs:
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str, json_logs: bool) -> None:
    """Put the one handler on the root logger (once per process) at `level`, as logging.basicConfig would.

    A root logger that already has other handlers (pytest's, an embedding program's) is left to its owner.
    """
    root = logging.getLogger()
    root.setLevel(level)
    ours = [handler for handler in root.handlers if isinstance(handler, StderrHandler)]
    for handler in ours:
        handler.setFormatter(make_formatter(json_logs))
    if not root.handlers:
        root.addHandler(StderrHandler(json_logs))


def gunicorn_logconfig(level: str, json_logs: bool) -> dict:
    """gunicorn's logconfig_dict: its error and access logs through the app's handler and format."""
    handler = {"()": StderrHandler, "json_logs": json_logs}
    quiet = {"level": "INFO", "handlers": ["flowtime"], "propagate": False}
    return {"version": 1, "disable_existing_loggers": False, "handlers": {"flowtime": handler},
            "root": {"level": level, "handlers": ["flowtime"]},
            "loggers": {"gunicorn.error": {**quiet, "qualname": "gunicorn.error"},
                        "gunicorn.access": {**quiet, "qualname": "gunicorn.access"}}}


def _assign() -> None:
    request_id()  # a before_request hook must return None (a value would be the response)


def _stamp(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def register_request_ids(app: Flask) -> None:
    """Give every request an id, returned as X-Request-ID."""
    app.before_request(_assign)
    app.after_request(_stamp)
