"""Start-up work that runs once per deployment, before any worker starts (never per worker)."""

from __future__ import annotations

import logging

from app.config import Config
from app.migrate import upgrade
from app.registry.context import RegistryContext
from app.registry.rescan import bootstrap

log = logging.getLogger(__name__)


def prepare(overrides: dict | None = None) -> None:
    """Migrate the schema, sweep interrupted writes, rebuild an empty registry, sync the mirror."""
    config = Config.from_env().with_overrides(overrides)
    upgrade(config.database_url)
    ctx = RegistryContext.build(config)
    ctx.mirror.background = False
    try:
        sweep = getattr(ctx.storage, "sweep_temp", None)
        if sweep is not None and (removed := sweep()):
            log.info("removed %d leftover temp folders", removed)
        report = bootstrap(ctx)
        if report is not None:
            log.info("registry rebuilt from the data directory: %d artifacts", report.total)
        ctx.mirror.sync_here()
    finally:
        ctx.db.dispose()
