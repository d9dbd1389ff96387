"""Time as text: the registry's one clock and its ISO-8601 formatting and parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current UTC time as a naive datetime with millisecond precision (how the registry stores it)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def from_timestamp(seconds: float) -> datetime:
    """Naive UTC datetime (millisecond precision) from epoch seconds."""
    value = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000)


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 with a trailing Z."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    return text + "Z"


def parse_iso(text: str | None) -> datetime | None:
    """Parse an ISO timestamp (.NET's 7 fractional digits and a Z included) to naive UTC; None if not one.

    A time whose UTC equivalent is outside datetime's years 1..9999 (`0001-01-01T00:00:00+14:00`) is None.
    """
    if not text or not isinstance(text, str):
        return None
    value = text.strip()
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", value)
    if match:
        micro = (match.group(2) or "")[1:7]
        value = match.group(1) + (f".{micro}" if micro else "") + (match.group(3) or "")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            return None
    return parsed
