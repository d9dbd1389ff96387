"""Rescan and rebuild: bring the registry in line with the data directory, keeping every user edit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from app.db import RESCAN_LOCK
from app.errors import Conflict
from app.registry.context import RegistryContext
from app.registry.folders.scanner import (
    Candidate,
    Unindexable,
    fingerprint,
    folder_failures,
    iter_candidates,
    read_candidate,
)
from app.registry.locks import file_lock
from app.registry.records import ArtifactRecord
from app.registry.sync.apply import RescanReport, apply_records, mark_missing
from app.registry.sync.durable import read_durable_state
from app.registry.sync.index_import import apply_index
from app.timefmt import iso, utcnow

BATCH_SIZE = 500


@contextmanager
def single_rescan(ctx: RegistryContext) -> Iterator[None]:
    """One rescan or rebuild at a time, on this host (file lock) and across hosts (database lock)."""
    with file_lock(ctx.config.data_dir / ".rescan.lock", blocking=False) as here, \
            ctx.db.named_lock(RESCAN_LOCK, blocking=False) as everywhere:
        if not (here and everywhere):
            raise Conflict("a rescan is already running", details={"retry": ["after the running rescan"]})
        yield


def rescan(ctx: RegistryContext, progress: Callable[[Iterable], Iterable] | None = None) -> RescanReport:
    """Re-read the data directory; one rescan at a time (a concurrent one is a 409)."""
    with single_rescan(ctx):
        return _rescan(ctx, progress)


def _rescan(ctx: RegistryContext, progress) -> RescanReport:
    started = time.monotonic()
    report = RescanReport()
    with ctx.reading() as registry:
        known = registry.fingerprints()
    candidates = list(iter_candidates(ctx.storage))
    seen: set[str] = set()
    pending: list[ArtifactRecord] = []
    for candidate in progress(candidates) if progress else candidates:
        record = _read_if_changed(ctx, candidate, known, seen, report)
        if record is not None:
            pending.append(record)
        if len(pending) >= BATCH_SIZE:
            _commit(ctx, pending, report)
    _commit(ctx, pending, report)
    _mark_vanished(ctx, known, seen, report)
    with ctx.writing() as registry:
        registry.replace_skipped([(s["path"], s["reason"]) for s in report.skipped])
        registry.set_state("last_rescan", iso(utcnow()))
    report.total = len(seen)
    report.duration_ms = int((time.monotonic() - started) * 1000)
    return report


def _read_if_changed(ctx, candidate: Candidate, known: dict, seen: set, report) -> ArtifactRecord | None:
    if candidate.artifact_id in seen:
        report.skipped.append({"path": candidate.key, "reason": "duplicate artifact id"})
        return None
    try:
        with folder_failures(candidate.key):
            files = ctx.storage.list_files(candidate.key)
            digest = fingerprint(files)
        previous = known.get(candidate.artifact_id)
        if previous and previous.path == candidate.key and previous.fingerprint == digest:
            seen.add(candidate.artifact_id)
            report.unchanged += 1
            return None
        record = read_candidate(ctx.storage, candidate, files)
    except Unindexable as exc:  # whatever went wrong with this folder: skipped with the reason, the scan goes on
        report.skipped.append({"path": candidate.key, "reason": str(exc)})
        return None
    seen.add(candidate.artifact_id)
    return record


def _commit(ctx: RegistryContext, pending: list[ArtifactRecord], report: RescanReport) -> None:
    if pending:
        with ctx.writing(bulk=len(pending) > 100) as registry:
            apply_records(registry, pending, report)
        pending.clear()


def _mark_vanished(ctx: RegistryContext, known: dict, seen: set, report: RescanReport) -> None:
    vanished = [artifact_id for artifact_id, row in known.items() if artifact_id not in seen and not row.deleted]
    for start in range(0, len(vanished), BATCH_SIZE):
        with ctx.writing() as registry:
            for record in registry.get_many(vanished[start:start + BATCH_SIZE]).values():
                mark_missing(registry, registry.with_relationships([record])[0])
                report.removed += 1


def rebuild(ctx: RegistryContext, progress=None) -> RescanReport:
    """Recreate every row from the data directory plus the snapshot and journal (user edits, tombstones)."""
    with single_rescan(ctx):
        durable = read_durable_state(ctx.storage, ctx.journal)
        with ctx.writing(bulk=True) as registry:
            registry.clear_all()
            registry.new_epoch()
            if durable.registry_id:  # the same registry, rebuilt: its snapshot and journal stay its own
                registry.set_state("registry_id", durable.registry_id)
        report = _rescan(ctx, progress)
        for document in durable.documents():
            apply_index(ctx, document)
        return report


def bootstrap(ctx: RegistryContext) -> RescanReport | None:
    """On start: an empty registry over a non-empty data directory is rebuilt (adoption included)."""
    with ctx.reading() as registry:
        empty = registry.generation() == 0 and not registry.fingerprints()
    if not empty:
        return None
    return rebuild(ctx)
