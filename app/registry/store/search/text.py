"""What both search dialects share: how user text is cut into words, and how snippets are marked."""

from __future__ import annotations

import html
import re
from typing import NamedTuple

TOKEN = re.compile(r'"([^"]*)"|(\S+)')  # a "quoted phrase" or a bare word
HAS_WORD = re.compile(r"[^\W_]")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Private markers the database puts around matches; only render_snippet turns them into <mark>.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


class RankedMatch(NamedTuple):
    """One of the best matches of a search: its row, its rank (lower is better) and its snippet."""

    seq: int
    rank: float
    snippet: str


def render_snippet(raw: str | None) -> str:
    """Escape a raw snippet and turn the private markers into <mark> tags."""
    escaped = html.escape(raw or "", quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
