"""When the snapshot writer may rewrite: its CPU share (what each rewrite cost, how long the next waits for
it), and a journal grown past its share of the snapshot (compacted at once)."""

from __future__ import annotations

import resource
import time

from app.registry.journal import JOURNAL_NAME
from app.registry.mirror import INDEX_NAME
from app.registry.store.repository import ArtifactRepository
from app.storage import Storage

JOURNAL_FRACTION = 0.25  # a journal this large relative to the snapshot (and over 1 MB) is compacted at once
JOURNAL_MIN_BYTES = 1024 * 1024
LAST_COST, TOTAL_COST, FINISHED_AT = "mirror_export_s", "mirror_cpu_s", "mirror_finished_at"


def count_cost(registry: ArtifactRepository, seconds: float, total: float | None = None) -> None:
    """Record what the last rewrite cost in CPU seconds (what the share budgets) and add `total` (default: the
    same) to `mirror_cpu_s`, the CPU every rewrite has cost (the benchmark reads it)."""
    registry.set_state(LAST_COST, f"{seconds:.3f}")
    added = max(seconds if total is None else total, 0.0)
    registry.set_state(TOTAL_COST, f"{float(registry.state(TOTAL_COST) or 0) + added:.3f}")


def last_cost(registry: ArtifactRepository) -> float:
    """CPU seconds the last rewrite cost."""
    return float(registry.state(LAST_COST) or 0)


def rest_until(registry: ArtifactRepository, rest_factor: float) -> float:
    """Monotonic time before which no rewrite may start: the last one's end plus its cost times the rest."""
    finished = float(registry.state(FINISHED_AT) or 0)
    return time.monotonic() + (finished + last_cost(registry) * rest_factor - time.time())


def children_cpu() -> float:
    """CPU seconds of the children this process has waited for (a mirror_job child's start-up and export)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def journal_outgrew_snapshot(storage: Storage) -> bool:
    """Whether the journal passed its share of the snapshot's size (local storage; S3 keeps segments)."""
    try:
        journal = storage.stat(JOURNAL_NAME).size
        return journal > JOURNAL_MIN_BYTES and journal > JOURNAL_FRACTION * storage.stat(INDEX_NAME).size
    except Exception:  # either file missing (or on S3): the schedule alone decides
        return False
