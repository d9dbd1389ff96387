"""GET /healthz (database and storage checks) and FlowTime's GET /v1/healthz (`{status}` or ServiceInfo)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from app.api import Blueprint, context
from app.api.schemas import HealthSchema
from app.registry.health import VERSION, health_checks, service_info, status_of

blp = Blueprint("health", __name__, description="Health")


class HealthQuerySchema(Schema):
    """Query of GET /v1/healthz."""

    class Meta:
        unknown = RAISE

    detailed = fields.Boolean(load_default=False)


class BuildSchema(Schema):
    version = fields.String()
    environment = fields.String()


class ServiceInfoSchema(Schema):
    """FlowTime's ServiceInfo (detailed) or `{status}`."""

    serviceName = fields.String()
    apiVersion = fields.String()
    build = fields.Nested(BuildSchema)
    status = fields.String()
    startTime = fields.String()
    uptime = fields.String(metadata={"description": ".NET TimeSpan text, [d.]hh:mm:ss.fffffff"})
    checks = fields.Dict()


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz():
    """Liveness plus database, storage and mirror checks (503 when one fails)."""
    checks = health_checks(context())
    healthy = status_of(checks) == "healthy"
    body = {"status": "ok" if healthy else "degraded", "checks": checks, "version": VERSION}
    return body, 200 if healthy else 503


@blp.route("/v1/healthz", methods=["GET"])
@blp.arguments(HealthQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ServiceInfoSchema)
@blp.errors(400)
def v1_healthz(detailed: bool):
    """FlowTime's health: `{status}`, or ServiceInfo with `detailed=true` (503 when a check fails)."""
    body = service_info(context())
    status = 200 if body["status"] == "healthy" else 503
    return (body if detailed else {"status": body["status"]}), status
