"""Validation of the user-supplied title, description and tags of an import."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import ValidationFailed
from app.registry.records import TAG_PATTERN, normalise_tags

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_TAGS = 50


@dataclass(frozen=True)
class ImportFields:
    """Checked user fields (title None means 'derive it')."""

    title: str | None
    description: str
    tags: list[str]


def _invalid(field: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"invalid {field}: {problem}", details={field: problem})


def validate_fields(title, description, tags) -> ImportFields:
    """Check title (1..200 chars), description (<= 10,000) and tags (<= 50 matching the tag pattern)."""
    if title is not None and (not isinstance(title, str) or not 1 <= len(title.strip()) <= MAX_TITLE):
        raise _invalid("title", f"must be 1 to {MAX_TITLE} characters")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
        raise _invalid("description", f"must be text of at most {MAX_DESCRIPTION} characters")
    tags = [] if tags is None else tags
    if not isinstance(tags, list | tuple) or len(tags) > MAX_TAGS:
        raise _invalid("tags", f"must be a list of at most {MAX_TAGS} tags")
    for tag in tags:
        if not isinstance(tag, str) or not TAG_PATTERN.match(tag):
            raise _invalid("tags", f"{str(tag)[:70]!r} must match {TAG_PATTERN.pattern}")
    return ImportFields(title.strip() if title else None, description or "", normalise_tags(list(tags)))
