"""Auto-discovery: folders written by other processes appear on the next list call.

The check that nothing changed is a few `stat` calls (the storage's change token: the mtimes of the
folders that hold artifact folders), so it stays cheap at any registry size. Only when the token
moves is the layout listed, and only the difference to the previous listing is looked at; the
database is written only when something really appeared or vanished.
"""

from __future__ import annotations

import json
import time

from app.registry.context import DiscoveryState, RegistryContext
from app.registry.folders.scanner import Candidate, Unindexable, iter_candidates, read_candidate
from app.registry.store.repository import KnownFolder
from app.registry.sync.apply import RescanReport, apply_records, mark_missing
from app.registry.sync.rescan import bootstrap

# Trusting the mirror's before/after tokens is only allowed this long after a real listing: a
# folder created in the instant between the mirror's first stat and its write would otherwise hide.
RELIST_AFTER_SECONDS = 60.0


def discover(ctx: RegistryContext) -> bool:
    """Index new artifact folders and flag vanished ones if the data directory changed; True if it did."""
    if not ctx.config.auto_discover:
        return False
    state = ctx.discovery
    token = ctx.storage.change_token()
    if token is None or state.token == token:
        return False
    if not state.lock.acquire(blocking=False):
        return False  # another thread of this process is already catching up
    try:
        if _only_the_mirror_changed(ctx, state, token):
            state.token = token
            return False
        state.token = token  # taken before listing, so a change during the listing is seen next time
        return _catch_up(ctx, state)
    finally:
        state.lock.release()


def _only_the_mirror_changed(ctx: RegistryContext, state: DiscoveryState, token: tuple) -> bool:
    if state.token is None or time.monotonic() - state.listed_at > RELIST_AFTER_SECONDS:
        return False
    with ctx.reading() as registry:
        recorded = registry.state("mirror_tokens")
    if not recorded:
        return False
    before, after = (tuple(t) if t else None for t in json.loads(recorded))
    return before == state.token and after == token


def _catch_up(ctx: RegistryContext, state: DiscoveryState) -> bool:
    current = {c.key: c for c in iter_candidates(ctx.storage)}
    previous, state.keys, state.listed_at = state.keys, current, time.monotonic()
    if previous is None:
        return _reconcile_with_database(ctx, current)
    appeared = [current[k] for k in current.keys() - previous.keys()]
    vanished = [previous[k].artifact_id for k in previous.keys() - current.keys()]
    return _apply(ctx, appeared, vanished) if appeared or vanished else False


def _reconcile_with_database(ctx: RegistryContext, current: dict[str, Candidate]) -> bool:
    """First listing in this process: compare with every known row."""
    with ctx.reading() as registry:
        known = registry.fingerprints()
        untouched = registry.generation() == 0
    if untouched and not known and current:
        bootstrap(ctx)  # first sight of a data directory: adopt it whole (index user state included)
        return True
    on_disk = {c.artifact_id for c in current.values()}
    appeared = [c for c in current.values() if c.artifact_id not in known or _came_back(known[c.artifact_id])]
    vanished = [i for i, row in known.items() if not row.deleted and i not in on_disk]
    return _apply(ctx, appeared, vanished) if appeared or vanished else False


def _came_back(row: KnownFolder) -> bool:
    return row.deleted and row.fingerprint == ""  # flagged missing earlier (see apply.mark_missing)


def _apply(ctx: RegistryContext, appeared: list[Candidate], vanished: list[str]) -> bool:
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
    gone = [i for i in vanished if i in known and not known[i].deleted]
    if not (fresh or skipped or gone):
        return False
    with ctx.writing() as registry:
        apply_records(registry, fresh, RescanReport())
        for path, reason in skipped:
            registry.add_skipped(path, reason)
        for artifact_id in gone:
            record = registry.get(artifact_id)
            if record is not None and record.deleted_at is None:
                mark_missing(registry, record)
    return True
