"""Auto-discovery: folders written by other processes appear on the next list call.

The check that nothing changed is a few `stat` calls (the storage's change token: the mtimes of the
folders that hold artifact folders), so it stays cheap at any registry size. Only when the token
moves is the layout listed, and only the difference to the previous listing is looked at; the
database is written only when something really appeared or vanished.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from app.registry.context import RegistryContext
from app.registry.rescan import RescanReport, apply_records, bootstrap, mark_missing
from app.registry.scanner import Candidate, Unindexable, iter_candidates, read_candidate


@dataclass
class DiscoveryState:
    """What this process last saw of the data directory."""

    token: tuple | None = None
    keys: dict[str, Candidate] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def discover(ctx: RegistryContext) -> None:
    """Index new artifact folders and flag vanished ones if the data directory changed."""
    if not ctx.config.auto_discover:
        return
    state: DiscoveryState = ctx.discovery
    token = ctx.storage.change_token()
    if token is None or state.token == token:
        return
    if not state.lock.acquire(blocking=False):
        return  # another thread of this process is already catching up
    try:
        state.token = token  # taken before listing, so a change during the listing is seen next time
        _catch_up(ctx, state)
    finally:
        state.lock.release()


def _catch_up(ctx: RegistryContext, state: DiscoveryState) -> None:
    current = {c.key: c for c in iter_candidates(ctx.storage)}
    previous, state.keys = state.keys, current
    if previous is None:
        _reconcile_with_database(ctx, current)
        return
    appeared = [current[k] for k in current.keys() - previous.keys()]
    vanished = [previous[k].artifact_id for k in previous.keys() - current.keys()]
    if appeared or vanished:
        _apply(ctx, appeared, vanished)


def _reconcile_with_database(ctx: RegistryContext, current: dict[str, Candidate]) -> None:
    """First listing in this process: compare with every known row."""
    with ctx.reading() as registry:
        known = registry.fingerprints()
        untouched = registry.generation() == 0
    if untouched and not known and current:
        bootstrap(ctx)  # first sight of a data directory: adopt it whole (index user state included)
        return
    on_disk = {c.artifact_id for c in current.values()}
    appeared = [c for c in current.values() if c.artifact_id not in known or _came_back(known[c.artifact_id])]
    vanished = [i for i, (_, _, deleted) in known.items() if not deleted and i not in on_disk]
    if appeared or vanished:
        _apply(ctx, appeared, vanished)


def _came_back(row: tuple) -> bool:
    _, fingerprint, deleted = row
    return deleted and fingerprint == ""  # flagged missing earlier (see rescan.mark_missing)


def _apply(ctx: RegistryContext, appeared: list[Candidate], vanished: list[str]) -> None:
    with ctx.reading() as registry:
        known = registry.fingerprints()
        recorded = {item["path"]: item["reason"] for item in registry.skipped()}
    fresh, skipped = [], []
    for candidate in appeared:
        row = known.get(candidate.artifact_id)
        if row is not None and not _came_back(row):
            continue  # registered meanwhile (by the writer itself or another worker)
        try:
            fresh.append(read_candidate(ctx.storage, candidate))
        except Unindexable as exc:
            if recorded.get(candidate.key) != str(exc):
                skipped.append((candidate.key, str(exc)))
    gone = [i for i in vanished if i in known and not known[i][2]]
    if not (fresh or skipped or gone):
        return
    with ctx.writing() as registry:
        apply_records(registry, fresh, RescanReport())
        for path, reason in skipped:
            registry.add_skipped(path, reason)
        for artifact_id in gone:
            record = registry.get(artifact_id)
            if record is not None and record.deleted_at is None:
                mark_missing(registry, record)
