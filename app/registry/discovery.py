"""Auto-discovery: folders written by other processes appear on the next list call.

The check that nothing changed is a few `stat` calls (the storage's change token: the mtimes of the
folders that hold artifact folders), so it stays cheap at any registry size. Only when the token
moves is the layout listed and compared with the known ids.
"""

from __future__ import annotations

import threading

from app.registry.context import RegistryContext
from app.registry.rescan import RescanReport, apply_records, bootstrap, mark_missing
from app.registry.scanner import Unindexable, iter_candidates, read_candidate

_lock = threading.Lock()
_seen_tokens: dict[int, tuple] = {}


def discover(ctx: RegistryContext) -> None:
    """Index new artifact folders and flag vanished ones if the data directory changed."""
    if not ctx.config.auto_discover:
        return
    token = ctx.storage.change_token()
    if token is None or _seen_tokens.get(id(ctx)) == token:
        return
    if not _lock.acquire(blocking=False):
        return  # another thread of this process is already catching up
    try:
        _seen_tokens[id(ctx)] = token  # taken before listing, so a change during the listing is seen next time
        _catch_up(ctx)
    finally:
        _lock.release()


def _catch_up(ctx: RegistryContext) -> None:
    candidates = {c.artifact_id: c for c in iter_candidates(ctx.storage)}
    with ctx.reading() as registry:
        known = registry.fingerprints()
        untouched = registry.generation() == 0
    if untouched and not known and candidates:
        bootstrap(ctx)  # first sight of a data directory: adopt it whole (index user state included)
        return
    fresh, skipped = [], []
    for artifact_id, candidate in candidates.items():
        previous = known.get(artifact_id)
        if previous is not None and not (previous[2] and previous[1] == ""):
            continue  # known, and not a missing folder that came back
        try:
            fresh.append(read_candidate(ctx.storage, candidate))
        except Unindexable as exc:
            skipped.append((candidate.key, str(exc)))
    vanished = [i for i, (_, _, deleted) in known.items() if not deleted and i not in candidates]
    if not (fresh or skipped or vanished):
        return
    with ctx.writing() as registry:
        apply_records(registry, fresh, RescanReport())
        for path, reason in skipped:
            registry.add_skipped(path, reason)
        for artifact_id in vanished:
            record = registry.get(artifact_id)
            if record is not None and record.deleted_at is None:
                mark_missing(registry, record)
