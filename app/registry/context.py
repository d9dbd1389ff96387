"""The registry's dependencies, built once per process and handed to every service function."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from app.config import Config
from app.db import Database
from app.registry.cursor_key import cursor_key
from app.registry.journal import Journal, change_entry
from app.registry.mirror_writer import MirrorWriter
from app.registry.store.cache import SnapshotCache
from app.registry.store.changes import record_changes
from app.registry.store.history import write_history
from app.registry.store.repository import ArtifactRepository
from app.registry.store.rewrites import record_rewrites
from app.registry.store.search import SearchIndex, search_backend
from app.registry.store.statistics import correct_few_valued
from app.storage import Storage, get_storage

log = logging.getLogger(__name__)
STATISTICS_EVERY = 5000  # commits between two refreshes of the planner's statistics (bulk writes refresh at once)


@dataclass
class DiscoveryState:
    """What this process last saw of the data directory (kept by app.registry.sync.discovery)."""

    token: tuple | None = None
    keys: dict | None = None  # storage key -> Candidate of the last listing
    listed_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class RegistryContext:
    """Database, storage, search dialect, snapshot cache and mirror writer of one registry."""

    config: Config
    db: Database
    storage: Storage
    search: SearchIndex
    mirror: MirrorWriter
    journal: Journal
    cache: SnapshotCache = field(default_factory=SnapshotCache)
    discovery: DiscoveryState = field(default_factory=DiscoveryState)
    closed: bool = False

    @classmethod
    def build(cls, config: Config) -> RegistryContext:
        """Wire the registry from configuration (backends chosen by URL)."""
        db = Database(config.database_url, config.sqlite_mmap_mb)
        storage = get_storage(config.storage_url, endpoint_url=config.s3_endpoint_url or None)
        child_env = {"FLOWTIME_DATA_DIR": str(config.data_dir), "FLOWTIME_DATABASE_URL": config.database_url,
                     "FLOWTIME_STORAGE_URL": config.storage_url} if config.mirror_process else None
        journal = Journal(storage)
        mirror = MirrorWriter(db, storage, journal, config.data_dir / ".registry-index.lock",
                              config.mirror_delay_ms / 1000, cpu_share=config.mirror_max_cpu / 100,
                              child_env=child_env)
        return cls(config=config, db=db, storage=storage, search=search_backend(db.engine.dialect.name),
                   mirror=mirror, journal=journal, cache=SnapshotCache(max_bytes=config.cache_mb * 1024 * 1024))

    @cached_property
    def cursor_key(self) -> bytes:
        """The key that signs listing cursors (read or created on first use, after the fork)."""
        return cursor_key(self.config.cursor_key, self.config.data_dir)

    def close(self) -> None:
        """Flush the mirror, stop background jobs and release database connections (tests, shutdown)."""
        self.closed = True
        self.mirror.close()
        self.db.dispose()

    @contextmanager
    def writing(self, bulk: bool = False, actor: str | None = None) -> Iterator[ArtifactRepository]:
        """One write transaction that counts as a change: commits, journals what it touched, schedules a snapshot.

        `actor` (a user's edit: the token's scope or `anonymous`) records what changed in the edit history.

        The journal append (fsynced) happens before this returns, so a request answered after it is
        durable beyond the database. `bulk` is for transactions that insert thousands of rows (seeding,
        rescans, imports): what they write comes from folders or an index already on disk, so they are
        not journaled line by line; they ask for a snapshot at once instead.
        """
        with self.db.write(bulk=bulk) as connection:
            registry = ArtifactRepository(connection)
            registry.tracker.actor = actor
            yield registry
            generation = registry.bump_generation()
            registry_id = registry.registry_id()
            record_changes(connection, registry, generation, registry.tracker.events, self.config.changes_keep)
            record_rewrites(connection, registry, generation, registry.tracker.rewritten, bulk)
            history = write_history(connection, generation, actor, registry.tracker.edits) if actor else []
            entries = [] if bulk else _journal_entries(registry, generation, history)  # before the commit, in it
        try:
            self.journal.append(registry_id, generation - 1, entries)
        except Exception:
            log.error("the change journal cannot be appended to; the commit at generation %d is in the database "
                      "and goes into the next snapshot, written now", generation)
            self.mirror.notify(urgent=True)
            raise
        self.mirror.notify(urgent=bulk)
        if bulk or generation % STATISTICS_EVERY == 0:
            self.refresh_statistics()

    def refresh_statistics(self) -> None:
        """Refresh the query planner's statistics; a failure is logged, never raised (they are an optimisation)."""
        try:
            self.db.refresh_statistics(correct=correct_few_valued)
        except Exception:  # the commit stands; the planner keeps its older statistics meanwhile
            log.warning("refreshing the query planner's statistics failed", exc_info=True)

    @contextmanager
    def reading(self) -> Iterator[ArtifactRepository]:
        """One read transaction."""
        with self.db.read() as connection:
            yield ArtifactRepository(connection)


def _journal_entries(registry: ArtifactRepository, generation: int, history: list[tuple[str, dict]]) -> list[dict]:
    """The journal entries of one commit: the document of every artifact it touched (None when purged) and
    the history entry the commit added to it."""
    if not registry.touched:
        return []
    commit = registry.next_commit()
    documents = registry.documents_by_id(registry.touched)
    added = dict(history)
    return [change_entry(generation, commit, artifact_id, doc, added.get(artifact_id))
            for artifact_id, doc in documents.items()]
