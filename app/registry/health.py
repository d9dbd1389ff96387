"""Health: the database answers and has room, the storage answers, the mirror is written; FlowTime's ServiceInfo."""

from __future__ import annotations

import os
import time
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from app.registry.context import RegistryContext
from app.registry.store.repository import ArtifactRepository
from app.timefmt import iso, utcnow

SERVICE_NAME = "FlowTime Registry"
API_VERSION = "v1"
STARTED_AT = utcnow()
_STARTED_MONOTONIC = time.monotonic()

# Below this much free space in the data directory the next write will likely fail.
MIN_FREE_BYTES = 1024 * 1024


def package_version() -> str:
    """This package's version, from its installed metadata."""
    try:
        return version("flowtime-registry")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


VERSION = package_version()


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


def _storage(ctx: RegistryContext) -> str | None:
    # One stat (local) or a one-key listing (S3): a probe every poll can afford at any registry size,
    # where listing the whole data root costs a million-entry scandir at 1M artifacts.
    return None if ctx.storage.exists("") else "the data directory is missing"


def _mirror(ctx: RegistryContext) -> str | None:
    """The mirror writer's last failure (recorded by whichever process hit it), until a write succeeds."""
    with ctx.reading() as registry:
        return mirror_problem(registry)


def mirror_problem(registry: ArtifactRepository) -> str | None:
    """The recorded mirror failure, or None."""
    error = registry.state("mirror_error")
    return f"registry-index.json cannot be written: {error}" if error else None


def status_of(checks: dict[str, str]) -> str:
    """"healthy" when every check passed, else "degraded"."""
    return "healthy" if all(c == "ok" for c in checks.values()) else "degraded"


def timespan(seconds: float) -> str:
    """A duration as .NET's TimeSpan "c" format: `[d.]hh:mm:ss.fffffff`."""
    ticks = int(seconds * 10_000_000)
    whole, fraction = divmod(ticks, 10_000_000)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    return f"{days}." * bool(days) + f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:07d}"


def service_info(ctx: RegistryContext, now: datetime | None = None) -> dict:
    """FlowTime's ServiceInfo: serviceName, apiVersion, build, status, startTime, uptime (and our checks)."""
    checks = health_checks(ctx)
    uptime = (now - STARTED_AT).total_seconds() if now else time.monotonic() - _STARTED_MONOTONIC
    return {
        "serviceName": SERVICE_NAME,
        "apiVersion": API_VERSION,
        "build": {"version": VERSION, "environment": ctx.config.environment},
        "status": status_of(checks),
        "startTime": iso(STARTED_AT),
        "uptime": timespan(max(uptime, 0.0)),
        "checks": checks,
    }
