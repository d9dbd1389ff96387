"""The one resolver for every client-supplied name: decode, refuse anything that could escape, normalise."""

from __future__ import annotations

import re
from urllib.parse import unquote

from app.errors import BadRequest

MAX_KEY_LENGTH = 1024
MAX_SEGMENT_LENGTH = 255
ARTIFACT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
# Control characters and backslashes only: `; ? # " * < > |` are legal in the names listings show.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_INTERNAL_PREFIXES = ("registry.db", "registry-index.json", "registry-journal")


def is_internal_name(name: str) -> bool:
    """Names the registry keeps for itself: never artifacts, never listed, never served."""
    return (
        name.startswith(".")
        or name.startswith(_INTERNAL_PREFIXES)
        or name.endswith((".lock", ".tmp"))
    )


def is_unlisted_name(name: str) -> bool:
    """Names no listing shows: internal ones and any `clean_key` refuses, so every listed name downloads."""
    if is_internal_name(name):
        return True
    try:
        clean_key(name)
    except BadRequest:
        return True
    return False


def is_artifact_id(value) -> bool:
    """Whether a value is a well-formed artifact id (the one rule for folder names and ids)."""
    return (isinstance(value, str) and ARTIFACT_ID_PATTERN.match(value) is not None and ".." not in value
            and not is_internal_name(value))


def validate_artifact_id(artifact_id: str) -> str:
    """Return the id if it is a well-formed artifact id, else raise a 400."""
    if not is_artifact_id(artifact_id):
        raise BadRequest("invalid artifact id", details={"id": ["must match " + ARTIFACT_ID_PATTERN.pattern]})
    return artifact_id


def clean_key(raw: str, field: str = "path") -> str:
    """Validate a relative file key from a client and return it normalised ("a/b.csv")."""
    if not isinstance(raw, str) or raw == "":
        raise BadRequest(f"{field} is required", details={field: ["empty"]})
    if len(raw) > MAX_KEY_LENGTH:
        raise BadRequest(f"{field} is too long", details={field: [f"at most {MAX_KEY_LENGTH} characters"]})
    for stage in _decodings(raw):
        _check_stage(stage, field)
    return raw.strip("/") if raw.endswith("/") else raw


def join_key(*parts: str) -> str:
    """Join already-validated key parts with '/'."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def _decodings(raw: str) -> list[str]:
    """The raw value plus each further percent-decoding (catches double-encoded dots and slashes)."""
    stages = [raw]
    for _ in range(3):
        decoded = unquote(stages[-1])
        if decoded == stages[-1]:
            break
        stages.append(decoded)
    return stages


def _check_stage(value: str, field: str) -> None:
    if _FORBIDDEN.search(value):
        raise BadRequest(f"{field} contains forbidden characters", details={field: ["forbidden character"]})
    if value.startswith(("/", "~")) or _DRIVE.match(value):
        raise BadRequest(f"{field} must be relative", details={field: ["an absolute path"]})
    segments = value.rstrip("/").split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise BadRequest(f"{field} contains an invalid segment", details={field: ["an empty, . or .. segment"]})
        if segment.startswith(".") or segment.strip(". ") == "":
            raise BadRequest(f"{field} refers to an internal file", details={field: ["a hidden (dot) name"]})
        if len(segment.encode("utf-8")) > MAX_SEGMENT_LENGTH:
            raise BadRequest(f"{field} has a segment that is too long", details={field: [f"a segment longer than {MAX_SEGMENT_LENGTH} bytes"]})
