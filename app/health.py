"""Health: database and storage checks, and FlowTime's ServiceInfo (GET /v1/healthz?detailed=true)."""

from __future__ import annotations

import time
from datetime import datetime

from app.registry.context import RegistryContext
from app.registry.records import iso, utcnow

SERVICE_NAME = "FlowTime Registry"
API_VERSION = "v1"
VERSION = "0.1.0"
STARTED_AT = utcnow()
_STARTED_MONOTONIC = time.monotonic()


def run_checks(ctx: RegistryContext, deep: bool = True) -> dict[str, str]:
    """"ok" or "error: <kind>" per dependency; `deep=False` probes storage with a few stats only."""
    storage_probe = (lambda: ctx.storage.list_folders("")) if deep else ctx.storage.change_token
    return {"database": _check(ctx.db.ping), "storage": _check(storage_probe)}


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # reported, never raised: a health endpoint must always answer
        return f"error: {type(exc).__name__}"
    return "ok"


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
    checks = run_checks(ctx, deep=False)
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
