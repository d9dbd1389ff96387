"""Bad-file errors (400) and the limits every telemetry upload is held to."""

from __future__ import annotations

from app.errors import BadRequest

MAX_COLUMNS = 10_000
MAX_ROWS = 500_000_000
MAX_ROW_GROUPS = 100_000
MAX_SERIES = 10_000
MAX_KEY_LENGTH = 200
BLOCK_SIZE = 512 * 1024  # pyarrow's CSV reader reads up to 32 blocks ahead: 16 MB at this size


def bad_file(message: str) -> BadRequest:
    """A 400 for an unusable upload; the message names the row, column or line when known (see `at`)."""
    return BadRequest(message, details={"file": [message]})


def at(row: int | None, column: str | None) -> str:
    """A 'row 3, column 'x': ' prefix for messages (rows are 1-based data rows, header excluded)."""
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts) + ": " if parts else ""


def shorten(value: object, limit: int = 60) -> str:
    """A value quoted for an error message, cut to `limit` characters."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")
