"""What one write transaction did to each artifact: ids for the journal, events for the feed, edits for history."""

from __future__ import annotations

import json
from collections.abc import Iterable

from app.registry.records import ARCHIVED_TAG, ArtifactRecord
from app.registry.store.changes import event_of
from app.registry.store.history import merge_changes, state_changes, user_state


def stored_state(row) -> dict:
    """The user state of a stored artifacts row (title, description, tags_json, deleted_at, user_edits)."""
    tags = json.loads(row.tags_json)
    return {"title": row.title, "description": row.description, "tags": tags, "archived": ARCHIVED_TAG in tags,
            "deleted": row.deleted_at is not None,
            "derived_from": list(json.loads(row.user_edits).get("derived_from") or [])}


class ChangeTracker:
    """Kept by the repository during one transaction; `actor` set means user edits are recorded as history."""

    def __init__(self) -> None:
        self.touched: set[str] = set()  # ids whose row changed (for the journal)
        # ids whose snapshot document changed: the touched ones, the other ends of links made or removed,
        # and the members of a duplicate group whose head moved (for the snapshot's patch)
        self.rewritten: set[str] = set()
        self.events: dict[str, str] = {}  # id -> created|updated|deleted|restored|archived (for the feed)
        self.edits: dict[str, dict] = {}  # id -> {field: {from, to}} (for history, when an actor is set)
        self.actor: str | None = None

    def created(self, ids: Iterable[str]) -> None:
        """New rows."""
        for artifact_id in ids:
            self.touched.add(artifact_id)
            self.rewritten.add(artifact_id)
            self.events[artifact_id] = "created"

    def saved(self, before: dict, record: ArtifactRecord) -> None:
        """An existing row replaced: `before` is its stored user state."""
        self.touched.add(record.id)
        self.rewritten.add(record.id)
        after = user_state(record)
        if self.events.get(record.id) != "created":
            self.events[record.id] = event_of(before, after)
        changes = state_changes(before, after)
        if self.actor is not None and changes:
            self.edits[record.id] = merge_changes(self.edits.get(record.id, {}), changes)

    def removed(self, artifact_id: str) -> None:
        """A row purged."""
        self.touched.add(artifact_id)
        self.rewritten.add(artifact_id)
        self.events[artifact_id] = "deleted"
        self.edits.pop(artifact_id, None)
