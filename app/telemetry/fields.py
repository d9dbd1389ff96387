"""The user-supplied title, description and tags of an import, checked by the one label rule."""

from __future__ import annotations

from dataclasses import dataclass

from app.registry.records import check_labels, normalise_tags


@dataclass(frozen=True)
class ImportFields:
    """Checked user fields (title None means 'derive it')."""

    title: str | None
    description: str
    tags: list[str]


def validate_fields(title, description, tags) -> ImportFields:
    """Check the labels (app.registry.records.check_labels: a 400 naming the field) and normalise them."""
    tags = [] if tags is None else list(tags) if isinstance(tags, tuple) else tags
    check_labels(title, description, tags)
    return ImportFields(title.strip() if title else None, description or "", normalise_tags(list(tags)))
