"""Stored bytes over HTTP: preconditions (RFC 9110 §13), byte ranges (§14) and download names (RFC 6266)."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response, request
from werkzeug.http import parse_date, parse_etags, parse_if_range_header, parse_range_header
from werkzeug.wsgi import wrap_file

from app.errors import PreconditionFailed, RangeNotSatisfiable
from app.registry.files import StoredFile
from app.storage import Storage

MAX_RANGES = 16  # more ranges than this are answered with the whole file (RFC 9110 §14.2 allows it)
CRLF = "\r\n"
RFC5987_SAFE = "!#$&+-.^_`|~"  # attr-char minus the alphanumerics quote() keeps anyway


def attachment(name: str) -> str:
    """`attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` for any file name."""
    name = name.rsplit("/", 1)[-1]
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in fallback)
    if fallback == name:
        return f'attachment; filename="{name}"'
    if not fallback.strip(" ._"):  # nothing readable left: keep at least the extension
        fallback = "download" + (fallback if fallback.startswith(".") else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe=RFC5987_SAFE)}"


def serve_file(storage: Storage, stored: StoredFile, download: bool = False) -> Response:
    """The file's response: 412/304 by its validators, then 206 (one range or multipart), 416 or 200."""
    modified = datetime.fromtimestamp(int(stored.mtime), UTC)  # HTTP dates have whole seconds
    response = _not_modified(stored, modified)
    if response is None:
        spans = _requested_spans(stored, modified)
        if spans is None or len(spans) > MAX_RANGES:
            response = Response(wrap_file(request.environ, storage.open(stored.key)), mimetype=stored.content_type,
                                direct_passthrough=True)
            response.content_length = stored.size
        elif len(spans) == 1:
            response = _single_range(storage, stored, *spans[0])
        else:
            response = _multipart(storage, stored, spans)
    response.set_etag(stored.etag)
    response.last_modified = modified
    response.accept_ranges = "bytes"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if download and response.status_code in (200, 206):
        response.headers["Content-Disposition"] = attachment(stored.name)
    return response


def not_modified(etag: str) -> Response | None:
    """A 304 carrying `etag` (quoted) when the request's If-None-Match holds it, else None."""
    header = request.headers.get("If-None-Match")
    if header is None or not parse_etags(header).contains_weak(etag.strip('"')):
        return None
    response = Response(status=304)
    response.headers["ETag"] = etag
    return response


def _not_modified(stored: StoredFile, modified: datetime) -> Response | None:
    """RFC 9110 §13.2.2 in order: If-Match / If-Unmodified-Since (412), If-None-Match / If-Modified-Since (304)."""
    headers = request.headers
    if "If-Match" in headers:
        if not parse_etags(headers["If-Match"]).contains(stored.etag):
            raise PreconditionFailed("the file changed (If-Match)",
                                     details={"If-Match": [f'the file\'s ETag is now "{stored.etag}"']})
    elif (since := parse_date(headers.get("If-Unmodified-Since"))) is not None and modified > since:
        raise PreconditionFailed("the file changed (If-Unmodified-Since)",
                                 details={"If-Unmodified-Since": [f"the file was modified at {modified.isoformat()}"]})
    if "If-None-Match" in headers:
        unchanged = parse_etags(headers["If-None-Match"]).contains_weak(stored.etag)
    else:
        since = parse_date(headers.get("If-Modified-Since"))
        unchanged = since is not None and modified <= since
    return Response(status=304) if unchanged else None


def _requested_spans(stored: StoredFile, modified: datetime) -> list[tuple[int, int]] | None:
    """Satisfiable [start, end) spans of a usable Range header; None to send the whole file; 416 if none fit."""
    header = request.headers.get("Range")
    if not header or not _if_range_holds(stored, modified):
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes":
        return None  # an invalid or foreign ranges-specifier is ignored (RFC 9110 §14.2)
    spans = [span for start, stop in parsed.ranges if (span := _span(start, stop, stored.size))]
    if not spans:
        raise RangeNotSatisfiable(f"no requested range lies inside the file's {stored.size} bytes",
                                  details={"Range": [f"the file has {stored.size} bytes"]},
                                  headers={"Content-Range": f"bytes */{stored.size}"})
    return spans


def _span(start: int, stop: int | None, size: int) -> tuple[int, int] | None:
    if start < 0:  # a suffix: the last -start bytes, the whole file when it is shorter
        return (max(size + start, 0), size) if size else None
    if start >= size:
        return None
    return start, size if stop is None else min(stop, size)


def _if_range_holds(stored: StoredFile, modified: datetime) -> bool:
    raw = request.headers.get("If-Range")
    if raw is None:
        return True
    condition = parse_if_range_header(raw)
    if condition.etag is not None:
        return not raw.lstrip().startswith("W/") and condition.etag == stored.etag
    return condition.date is not None and condition.date == modified


def _single_range(storage: Storage, stored: StoredFile, start: int, end: int) -> Response:
    response = Response(storage.iter_range(stored.key, start, end - start), status=206,
                        mimetype=stored.content_type, direct_passthrough=True)
    response.content_length = end - start
    response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{stored.size}"
    return response


def _multipart(storage: Storage, stored: StoredFile, spans: list[tuple[int, int]]) -> Response:
    boundary = secrets.token_hex(16)
    heads = [(f"{'' if i == 0 else CRLF}--{boundary}{CRLF}Content-Type: {stored.content_type}{CRLF}"
              f"Content-Range: bytes {start}-{end - 1}/{stored.size}{CRLF}{CRLF}").encode()
             for i, (start, end) in enumerate(spans)]
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        for head, (start, end) in zip(heads, spans, strict=True):
            yield head
            yield from storage.iter_range(stored.key, start, end - start)
        yield tail

    response = Response(body(), status=206, mimetype=f"multipart/byteranges; boundary={boundary}",
                        direct_passthrough=True)
    response.content_length = sum(len(h) for h in heads) + sum(e - s for s, e in spans) + len(tail)
    return response
