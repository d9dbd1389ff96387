"""What /healthz checks: the database answers and has room, the storage answers, the mirror is written."""

from __future__ import annotations

import os

from app.registry.context import RegistryContext
from app.registry.store.repository import ArtifactRepository

# Below this much free space in the data directory the next write will likely fail.
MIN_FREE_BYTES = 1024 * 1024


def health_checks(ctx: RegistryContext) -> dict[str, str]:
    """Each check's result: "ok" or "error: <reason>" (never raises)."""
    return {"database": _check(lambda: _database(ctx)), "storage": _check(lambda: _storage(ctx)),
            "mirror": _check(lambda: _mirror(ctx))}


def _check(probe) -> str:
    try:
        problem = probe()
    except Exception as exc:  # reported, never raised: this endpoint must always answer
        return f"error: {type(exc).__name__}"
    return f"error: {problem}" if problem else "ok"


def _database(ctx: RegistryContext) -> str | None:
    ctx.db.ping()
    return ctx.db.storage_problem() or _free_space(ctx)


def _free_space(ctx: RegistryContext) -> str | None:
    """A (nearly) full disk under the data directory, where SQLite keeps its database and WAL."""
    try:
        info = os.statvfs(ctx.config.data_dir)
    except OSError:  # no local data directory (object storage only): nothing to measure
        return None
    free = info.f_bavail * info.f_frsize
    return f"the data directory's disk has {free} bytes free" if free < MIN_FREE_BYTES else None


def _storage(ctx: RegistryContext) -> None:
    ctx.storage.list_folders("")


def _mirror(ctx: RegistryContext) -> str | None:
    """The mirror writer's last failure (recorded by whichever process hit it), until a write succeeds."""
    with ctx.reading() as registry:
        return mirror_problem(registry)


def mirror_problem(registry: ArtifactRepository) -> str | None:
    """The recorded mirror failure, or None."""
    error = registry.state("mirror_error")
    return f"registry-index.json cannot be written: {error}" if error else None
