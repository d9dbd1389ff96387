"""Descriptor files (run.json, manifest.json, metadata.json): read as JSON objects, or a reason why not."""

from __future__ import annotations

import json

from app.storage import Storage

MAX_JSON_BYTES = 16 * 1024 * 1024


class Unindexable(Exception):
    """A folder that looks like an artifact but cannot be indexed; the message is the reason."""


def read_json(storage: Storage, key: str) -> tuple[dict | None, str | None]:
    """Parse a JSON object file; returns (document, None) or (None, reason)."""
    try:
        raw = storage.read_bytes(key, limit=MAX_JSON_BYTES + 1)
    except Exception:  # missing or unreadable: the caller decides whether that matters
        return None, "missing"
    if len(raw) > MAX_JSON_BYTES:
        return None, "too large"
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"invalid JSON ({exc})"
    if not isinstance(doc, dict):
        return None, "not a JSON object"
    return doc, None
