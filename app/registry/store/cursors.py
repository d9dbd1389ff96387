"""Keyset cursors: HMAC-SHA256-signed tokens bound to their query, whose values are checked against the sort.

A cursor carries the sort value and id of the last row of a page. It is signed with the registry's
cursor key (itsdangerous), so a forged or edited token is a 400; even a validly signed one is
type-checked before its value reaches SQL (a number for relevance and size, an ISO time for created and
modified, a string for title and id).
"""

from __future__ import annotations

import math

from itsdangerous import BadData, URLSafeSerializer

from app.errors import BadRequest
from app.timefmt import parse_iso

SALT = "flowtime-registry-cursor-v1"
MAX_INT = 2**63 - 1  # the range SQLite and PostgreSQL BIGINT compare against


MAX_DEPTH = 10**9


def encode_cursor(key: bytes, fingerprint: str, value, last_id: str, depth: int = 0) -> str:
    """The signed token for the page after (value, last_id) of the query with this fingerprint.

    `depth` is how many rows came before the cursor: a ranked search sizes its window to reach it.
    """
    return URLSafeSerializer(key, salt=SALT).dumps({"q": fingerprint, "v": value, "id": last_id, "n": depth})


def decode_cursor(key: bytes, token: str, fingerprint: str, sort: str) -> tuple:
    """(sort value, id, depth) a signed cursor points after; 400 naming `cursor` when it is anything else."""
    try:
        payload = URLSafeSerializer(key, salt=SALT).loads(token or "")
    except (BadData, ValueError, TypeError, RecursionError) as exc:
        raise BadRequest("invalid cursor", details={"cursor": ["not a cursor this registry issued"]}) from exc
    if not isinstance(payload, dict) or set(payload) not in ({"q", "v", "id"}, {"q", "v", "id", "n"}):
        raise _malformed("unexpected shape")
    depth = payload.get("n", 0)
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise _malformed("the depth is not a row count")
    if payload["q"] != fingerprint:
        raise BadRequest(
            "cursor does not belong to this query", details={"cursor": ["issued for different filters or sort"]}
        )
    if not isinstance(payload["id"], str):
        raise _malformed("the id is not a string")
    return checked_value(sort, payload["v"]), payload["id"], depth


def checked_value(sort: str, value):
    """The cursor's sort value in the type its column compares with, or a 400 naming `cursor`."""
    if sort == "relevance" or sort == "size" or sort.startswith("series:"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _malformed(f"a {sort} cursor holds a number")
        if isinstance(value, float) and not math.isfinite(value) or abs(value) > MAX_INT:
            raise _malformed(f"the {sort} value is out of range")
        if sort == "size" and not isinstance(value, int):
            raise _malformed("a size cursor holds an integer")
        return value if sort == "size" else float(value)
    if sort in ("created", "modified"):
        try:
            parsed = parse_iso(value) if isinstance(value, str) else None
        except Exception:  # an out-of-range date: malformed, never a 500
            parsed = None
        if parsed is None:
            raise _malformed(f"a {sort} cursor holds an ISO 8601 time")
        return parsed
    if not isinstance(value, str):
        raise _malformed(f"a {sort} cursor holds a string")
    return value


def _malformed(reason: str) -> BadRequest:
    return BadRequest("invalid cursor", details={"cursor": [reason]})
