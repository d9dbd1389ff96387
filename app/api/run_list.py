"""GET /v1/runs and GET /v1/runs/{runId}: FlowTime's runs catalogue (M-03) over the registry."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas_workflows import RunDetailSchema, RunPageQuerySchema, RunPageSchema
from app.engine.service import get_run, list_runs

blp = Blueprint("run_list", __name__, url_prefix="/v1", description="FlowTime's runs catalogue")


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
