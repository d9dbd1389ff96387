"""Copy a whole registry (user edits, edit history, links and tombstones included) into another database."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from app.db import Database
from app.errors import Conflict
from app.migrate import upgrade
from app.registry.context import RegistryContext
from app.registry.store.history import all_history, restore_history
from app.registry.store.repository import ArtifactRepository

BATCH = 5000


def copy_registry(ctx: RegistryContext, target_url: str, progress: Callable[[Iterable], Iterable] | None = None) -> int:
    """Migrate the target database and copy every row into it; refuses a target that holds artifacts."""
    upgrade(target_url)
    target = Database(target_url)
    try:
        with target.read() as connection:
            if ArtifactRepository(connection).fingerprints():
                raise Conflict("the target database already holds artifacts; copy only into an empty registry")
        with ctx.reading() as source:
            records = list(source.iter_all())
            skipped = source.skipped()
            history = all_history(source.connection)
            generation = source.generation()
        copied = 0
        for start in progress(range(0, len(records), BATCH)) if progress else range(0, len(records), BATCH):
            batch = records[start:start + BATCH]
            with target.write(bulk=True) as connection:
                ArtifactRepository(connection).add_many(batch)
            copied += len(batch)
        with target.write() as connection:
            registry = ArtifactRepository(connection)
            for item in skipped:
                registry.add_skipped(item["path"], item["reason"])
            for artifact_id, entries in history.items():
                restore_history(connection, artifact_id, entries)
            registry.set_state("generation", str(generation))
            registry.set_state("changes_floor", str(generation))  # the feed starts here; followers relist
            registry.new_epoch()
        return copied
    finally:
        target.dispose()
