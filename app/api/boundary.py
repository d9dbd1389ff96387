"""The one boundary check for request text: every string a request carries is strict (see app.strictjson).

Runs before every route, so nothing a route writes can hold a lone surrogate, NaN/Infinity, a number
beyond 64 bits or nesting too deep for the parsers that come after. JSON syntax errors are left to the
route's own parser, which answers them in its own words.
"""

from __future__ import annotations

import re

from flask import request

from app.errors import BadRequest
from app.strictjson import NotStrictJSON, is_text, loads

JSON_HEADERS = ("X-Model-Provenance",)  # headers whose value is a JSON document
NOT_TEXT = "a lone surrogate is not Unicode text"


def check_request_text() -> None:
    """A 400 naming the part of the request (query, path, header, body) that is not strict text/JSON."""
    for name, value in request.args.items(multi=True):
        if not (is_text(name) and is_text(value)):
            field = name if is_text(name) else "query"
            raise _refused(f"query parameter {field}", NOT_TEXT, field)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and not is_text(value):
            raise _refused(f"path segment {name}", NOT_TEXT, name)
    for header in JSON_HEADERS:
        raw = request.headers.get(header)
        if raw:
            _check_json(raw, header, header)
    if request.is_json and request.content_length != 0:
        _check_json(request.get_data(cache=True), "the JSON body", None)


def _check_json(raw: str | bytes, label: str, field: str | None) -> None:
    """Refuse what is not strict JSON; `field` None names the body's top-level field (as validation does)."""
    try:
        loads(raw)
    except NotStrictJSON as exc:
        if exc.kind != "syntax":
            raise _refused(label, str(exc), field or _top_field(exc.where)) from None


def _top_field(where: str) -> str:
    match = re.match(r"^\$\.([^.\[]+)", where)
    return match.group(1) if match else "body"


def _refused(label: str, reason: str, field: str) -> BadRequest:
    return BadRequest(f"{label} is not accepted: {reason}", details={field: [reason]})
