"""GET /healthz: database and data-directory checks."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas import HealthSchema
from app.registry.health import health_checks

blp = Blueprint("health", __name__, description="Health")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz():
    """Liveness plus database, storage and mirror checks (503 when one fails)."""
    checks = health_checks(context())
    healthy = all(c == "ok" for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks, "version": "0.1.0"}
    return body, 200 if healthy else 503

