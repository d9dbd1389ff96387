"""Registry-wide rows: the state table (generation, epoch, mirror progress) and skipped folders."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlalchemy import BigInteger, Connection, Text, cast, delete, insert, select, update

from app.registry.store.tables import registry_state, skipped_folders
from app.timefmt import utcnow


class Snapshot(NamedTuple):
    """Identifies the registry's exact state: caches keyed by it are never stale."""

    epoch: str
    generation: int


class StateRows:
    """registry_state over the repository's connection."""

    connection: Connection

    def snapshot(self) -> Snapshot:
        """(epoch, generation): identifies the registry's exact state, for caches."""
        rows = dict(self.connection.execute(
            select(registry_state.c.key, registry_state.c.value)
            .where(registry_state.c.key.in_(("epoch", "generation")))).all())
        return Snapshot(rows.get("epoch", ""), int(rows.get("generation", 0)))

    def new_epoch(self) -> None:
        """Mark a wholesale rebuild: caches keyed by the old epoch never match again."""
        self.set_state("epoch", uuid.uuid4().hex)

    def registry_id(self) -> str:
        """This registry's identity (in the snapshot's header and the journal's), created on first use."""
        value = self.state("registry_id")
        if not value:
            value = uuid.uuid4().hex
            self.set_state("registry_id", value)
        return value

    def next_commit(self) -> tuple[str, str]:
        """(previous, new) commit id: journal entries chain commits, so a rolled-back database's are told apart."""
        previous = self.state("commit_id") or ""
        new = uuid.uuid4().hex[:16]
        self.set_state("commit_id", new)
        return previous, new

    def generation(self) -> int:
        """The number of committed changes so far."""
        return int(self.state("generation") or 0)

    def bump_generation(self) -> int:
        """Count one more committed change (call inside every write transaction)."""
        self.connection.execute(
            update(registry_state).where(registry_state.c.key == "generation")
            .values(value=cast(cast(registry_state.c.value, BigInteger) + 1, Text))
        )
        return self.generation()

    def state(self, key: str) -> str | None:
        """One registry_state value."""
        return self.connection.execute(
            select(registry_state.c.value).where(registry_state.c.key == key)
        ).scalar_one_or_none()

    def set_state(self, key: str, value: str) -> None:
        """Insert or replace one registry_state value."""
        updated = self.connection.execute(
            update(registry_state).where(registry_state.c.key == key).values(value=value)
        )
        if updated.rowcount == 0:
            self.connection.execute(insert(registry_state).values(key=key, value=value))


class SkippedRows:
    """skipped_folders over the repository's connection: folders a scan could not index, with reasons."""

    connection: Connection

    def replace_skipped(self, skipped: list[tuple[str, str]]) -> None:
        """Record the folders the last scan could not index, with reasons."""
        self.connection.execute(delete(skipped_folders))
        if skipped:
            now = utcnow()
            self.connection.execute(
                insert(skipped_folders), [{"path": p, "reason": r, "seen_at": now} for p, r in skipped]
            )

    def add_skipped(self, path: str, reason: str) -> None:
        """Record (or refresh) one skipped folder."""
        self.connection.execute(delete(skipped_folders).where(skipped_folders.c.path == path))
        self.connection.execute(insert(skipped_folders).values(path=path, reason=reason, seen_at=utcnow()))

    def skipped(self) -> list[dict]:
        """Folders that could not be indexed: [{"path", "reason"}]."""
        rows = self.connection.execute(select(skipped_folders).order_by(skipped_folders.c.path))
        return [{"path": r.path, "reason": r.reason} for r in rows]
