"""Periodic rescans (FLOWTIME_RESCAN_SECONDS): auto-discovery for object stores that cannot be watched."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from app.errors import Conflict
from app.registry.context import RegistryContext
from app.registry.sync.rescan import rescan

log = logging.getLogger(__name__)
_started: set[int] = set()
_lock = threading.Lock()


def register_background_jobs(app: Flask) -> None:
    """Start per-process background jobs on the first request (after gunicorn has forked)."""
    ctx = app.extensions["flowtime"]
    app.before_request(lambda: start_periodic_rescan(ctx))


def start_periodic_rescan(ctx: RegistryContext) -> None:
    """Start this process's rescan timer once (after the fork: it is called from the first request)."""
    if ctx.config.rescan_seconds <= 0:
        return
    with _lock:
        if id(ctx) in _started:
            return
        _started.add(id(ctx))
    threading.Thread(target=_loop, args=(ctx,), name="periodic-rescan", daemon=True).start()


def _loop(ctx: RegistryContext) -> None:
    while True:
        time.sleep(ctx.config.rescan_seconds)
        if ctx.closed:
            return
        try:
            report = rescan(ctx)
            if report.added or report.removed or report.restored:
                log.info("periodic rescan: %d added, %d removed, %d restored", report.added, report.removed,
                         report.restored)
        except Conflict:
            pass  # another worker or host is rescanning right now: that one does the work
        except Exception:  # keep the timer alive; the next round retries
            log.exception("periodic rescan failed")
