"""GET /healthz: database and data-directory checks."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas import HealthSchema

blp = Blueprint("health", __name__, description="Health")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz():
    """Liveness plus database and storage checks (503 when one fails)."""
    ctx = context()
    checks = {"database": _check(ctx.db.ping),
              "storage": _check(lambda: ctx.storage.list_folders(""))}
    healthy = all(c == "ok" for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks, "version": "0.1.0"}
    return body, 200 if healthy else 503


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # reported, never raised: this endpoint must always answer
        return f"error: {type(exc).__name__}"
    return "ok"
