"""GET /v1/runs and GET /v1/runs/{runId}: FlowTime's runs catalogue (M-03) over the registry."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.api import Blueprint, context
from app.engine.service import get_run, list_runs

blp = Blueprint("run_list", __name__, url_prefix="/v1", description="FlowTime's runs catalogue")
INT32 = 2**31 - 1


class RunPageQuerySchema(Schema):
    """Query of GET /v1/runs (pageSize above 200 is clamped)."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, strict=False, validate=validate.Range(1, INT32))
    pageSize = fields.Integer(load_default=50, strict=False, validate=validate.Range(1, INT32))


class RunSummarySchema(Schema):
    runId = fields.String()
    templateId = fields.String()
    mode = fields.String()
    createdUtc = fields.String()
    warningCount = fields.Integer()
    title = fields.String()
    tags = fields.List(fields.String())
    modelId = fields.String()
    rng = fields.Dict()
    inputHash = fields.String()


class RunDetailSchema(RunSummarySchema):
    isDryRun = fields.Boolean()
    wasReused = fields.Boolean()
    warnings = fields.List(fields.Dict())


class RunPageSchema(Schema):
    items = fields.List(fields.Nested(RunSummarySchema))
    totalCount = fields.Integer()
    page = fields.Integer()
    pageSize = fields.Integer()


@blp.route("/runs", methods=["GET"])
@blp.arguments(RunPageQuerySchema, location="query", as_kwargs=True)
@blp.response(200, RunPageSchema)
@blp.errors(400)
def runs(page: int, pageSize: int):
    """Runs, newest first, `page` from 1 and `pageSize` 1..200 (deleted runs hidden)."""
    return list_runs(context(), page, pageSize)


@blp.route("/runs/<run_id>", methods=["GET"])
@blp.response(200, RunDetailSchema)
@blp.errors(400, 404)
def run(run_id: str):
    """One run's summary."""
    return get_run(context(), run_id)
