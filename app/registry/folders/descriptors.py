"""Descriptor files (run.json, manifest.json, metadata.json): read as JSON objects, or a reason why not."""

from __future__ import annotations

from app.storage import Storage
from app.strictjson import NotStrictJSON, loads, printable

MAX_JSON_BYTES = 16 * 1024 * 1024


class Unindexable(Exception):
    """A folder that looks like an artifact but cannot be indexed; the message is the reason."""


def read_json(storage: Storage, key: str) -> tuple[dict | None, str | None]:
    """Parse a strict JSON object file; returns (document, None) or (None, reason)."""
    try:
        raw = storage.read_bytes(key, limit=MAX_JSON_BYTES + 1)
    except Exception:  # missing or unreadable: the caller decides whether that matters
        return None, "missing"
    if len(raw) > MAX_JSON_BYTES:
        return None, "too large"
    try:
        doc = loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except NotStrictJSON as exc:  # bad syntax, NaN, a lone surrogate, nesting, a huge number
        return None, printable(str(exc))[:300]
    if not isinstance(doc, dict):
        return None, "not a JSON object"
    return doc, None

