"""Stored documents written before FlowTime's fields (migration 0008) or the results fields (0009), completed
when served.

A list page is the concatenation of stored documents. Documents stored by this version already carry
`files`, `totalSize` and `lastModified`, `series_summary`, `duplicate_of` and `verification`; older ones
(until a rescan rewrites them) are parsed, given those fields (file names from a storage listing; null for
the results fields) and re-encoded here, one document at a time.
"""

from __future__ import annotations

import json

from app.errors import NotFound
from app.storage import Storage
from app.timefmt import iso, parse_iso, utcnow

# A key only artifact_doc writes at the top level (metadata values are nested one level deeper).
_MARKER = '"totalSize": '
_RESULTS_MARKER = '"duplicate_of": '
RESULTS_KEYS = ("series_summary", "duplicate_of", "verification")


def complete_documents(storage: Storage, documents: list[str]) -> list[str]:
    """The documents with FlowTime's fields (and the results fields) added to any that lack them."""
    return [doc if _MARKER in doc and _RESULTS_MARKER in doc else _complete(storage, doc) for doc in documents]


def _complete(storage: Storage, text: str) -> str:
    doc = json.loads(text)
    relationships = doc.pop("relationships", None)
    for key in RESULTS_KEYS:
        doc.setdefault(key, None)
    if _MARKER in text:
        return _with_relationships(doc, relationships)
    try:
        names = [info.name for info in storage.list_files(doc.get("path") or doc["id"])]
    except NotFound:
        names = []
    modified = parse_iso(doc.get("modified")) or parse_iso(doc.get("created")) or utcnow()
    doc.update({"files": names, "totalSize": int(doc.get("size_bytes") or 0), "lastModified": iso(modified)})
    return _with_relationships(doc, relationships)


def _with_relationships(doc: dict, relationships) -> str:
    if relationships is not None:
        doc["relationships"] = relationships
    return json.dumps(doc, ensure_ascii=False)
