"""Start-up work that runs once per deployment, before any worker starts (never per worker)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from app.config import Config
from app.errors import DatabaseUnreachable
from app.migrate import upgrade
from app.registry.context import RegistryContext
from app.registry.mirror import INDEX_NAME, index_is_whole, write_index
from app.registry.sync.recovery import recover_lost_commits
from app.registry.sync.rescan import bootstrap
from app.telemetry.spool import SPOOL_FOLDER

log = logging.getLogger(__name__)


class StartupFailed(RuntimeError):
    """The service cannot start; the message says why and what to do (shown as one line)."""


class DatabaseCorrupt(StartupFailed):
    """The registry database is not a database: refuse to start, never overwrite it."""


def prepare(overrides: dict | None = None) -> None:
    """Migrate the schema, sweep interrupted writes, rebuild an empty registry, sync the mirror."""
    config = Config.from_env().with_overrides(overrides)
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)  # a first start on a fresh machine
    except OSError as exc:
        raise StartupFailed(f"cannot create the data directory {config.data_dir} (FLOWTIME_DATA_DIR): "
                            f"{exc.strerror}") from exc
    try:
        upgrade(config.database_url)
    except DatabaseUnreachable as exc:
        raise StartupFailed(exc.message) from exc
    except DatabaseError as exc:
        raise DatabaseCorrupt(_corrupt_message(config.database_url, exc)) from exc
    ctx = RegistryContext.build(config)
    ctx.mirror.background = False
    try:
        sweep = getattr(ctx.storage, "sweep_temp", None)
        if sweep is not None and (removed := sweep()):
            log.info("removed %d leftover temp folders", removed)
        if removed := sweep_spool(config.data_dir / SPOOL_FOLDER):
            log.info("removed %d interrupted uploads", removed)
        report = bootstrap(ctx)
        if report is not None:
            log.info("registry rebuilt from the data directory: %d artifacts", report.total)
        recover_lost_commits(ctx)
        ctx.refresh_statistics()
        sync_mirror(ctx)
    finally:
        ctx.db.dispose()


def sync_mirror(ctx: RegistryContext) -> None:
    """Bring the mirror up to date; a mirror that cannot be written is reported (log, /healthz), not fatal."""
    try:
        if replace_damaged_mirror(ctx):
            log.warning("%s was unreadable: kept as %s.damaged and regenerated", INDEX_NAME, INDEX_NAME)
    except Exception as exc:  # e.g. the mirror's path is a directory
        ctx.mirror.report_failure(exc)
    try:
        # In a child interpreter for a large registry: exported here, 1M artifacts held 2.8 GB that every
        # worker forked from this process kept.
        if ctx.mirror.sync():
            ctx.mirror.unbudget_last()
    except Exception:  # sync logged it at error level and recorded it for /healthz
        log.debug("mirror sync at start-up failed", exc_info=True)


def replace_damaged_mirror(ctx: RegistryContext) -> bool:
    """An unreadable registry-index.json (truncated, garbage, not an object) is kept aside and rewritten.

    The mirror writer only rewrites when the database moved on, so a mirror damaged at rest would stay
    damaged until the next change; start-up is where it gets noticed.
    """
    storage = ctx.storage
    if not storage.exists(INDEX_NAME) or index_is_whole(storage):
        return False
    storage.write_bytes(f"{INDEX_NAME}.damaged", storage.read_bytes(INDEX_NAME))
    write_index(ctx.db, storage)
    return True


def sweep_spool(folder: Path) -> int:
    """Remove uploads a killed worker left half-received (no upload is in flight before workers start)."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith("upload-") and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
            removed += 1
    return removed


def _corrupt_message(database_url: str, exc: DatabaseError) -> str:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return f"the registry database cannot be opened ({exc.orig}); it was left untouched"
    path = url.database
    return (f"the registry database {path} is not a readable SQLite database ({exc.orig}); it was left untouched. "
            f"Move it away (mv {path} {path}.corrupt) and run `flowtime-registry registry rebuild` "
            f"with FLOWTIME_DATA_DIR set, which recreates it from the artifact folders and registry-index.json")
