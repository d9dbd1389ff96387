"""/v1/run, /v1/graph and /v1/runs/{id}/...: the FlowTime engine endpoints."""

from __future__ import annotations

from flask import Response, request

from app.api import Blueprint, context
from app.api.schemas_workflows import ExportResponseSchema, GraphSchema, RunQuerySchema, RunResponseSchema
from app.api.serving import serve_file
from app.engine.provenance import HEADER as PROVENANCE_HEADER
from app.engine.provenance import from_header
from app.engine.service import (
    EXPORT_FORMATS,
    export,
    export_key,
    model_graph,
    run_spec,
    series_index_key,
    series_key,
)
from app.errors import BadRequest, UnsupportedMediaType
from app.registry.files import stored_file
from app.sim.service import run_stored_model

blp = Blueprint("runs", __name__, url_prefix="/v1", description="FlowTime engine runs and exports")
YAML_TYPES = {"text/plain", "application/x-yaml", "application/yaml", "text/yaml", ""}
YAML_BODY = {"content": {t: {"schema": {"type": "string"}} for t in sorted(YAML_TYPES - {""})}}


def yaml_body() -> str:
    """The raw model YAML of the request (415 for other content types, 400 if not UTF-8 text)."""
    if request.mimetype not in YAML_TYPES:
        raise UnsupportedMediaType(f"send the model as YAML (text/plain or application/yaml), not {request.mimetype}")
    try:
        text = request.get_data(cache=False).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("the model is not UTF-8 text", details={"body": [f"not UTF-8 text: {exc}"]}) from exc
    if not text.strip():
        raise BadRequest("the request body is empty; send a model YAML", details={"body": ["empty"]})
    return text


def provenance_header() -> dict | None:
    """X-Model-Provenance: a JSON object (templateId, modelId, source) or a bare model id (FlowTime M2.9)."""
    return from_header(request.headers.get(PROVENANCE_HEADER))


def _plain_numbers(values) -> list:
    return [int(v) if v.is_integer() else v for v in values.tolist()]


@blp.route("/run", methods=["POST"])
@blp.arguments(RunQuerySchema, location="query", as_kwargs=True)
@blp.doc(requestBody=YAML_BODY)
@blp.response(200, RunResponseSchema)
@blp.errors(400, 404, 413, 415)
def run(seed: int | None = None, model_id: str | None = None):
    """Run a model (YAML body, or `?model_id=` of a stored model); registered before the response."""
    if model_id:
        return run_response(run_stored_model(context(), model_id, seed=seed))
    return run_response(run_spec(context(), yaml_body(), seed=seed, provenance=provenance_header()))


def run_response(outcome) -> dict:
    """FlowTime's POST /v1/run response for a finished run."""
    return {
        "runId": outcome.info.run_id,
        "artifactId": outcome.artifact.id,
        "grid": outcome.info.grid,
        "order": list(outcome.result.order),
        "series": {node: _plain_numbers(outcome.result.series[node]) for node in outcome.result.order},
        "artifactPath": outcome.artifact.path,
        "modelHash": outcome.info.model_hash,
    }


@blp.route("/graph", methods=["POST"])
@blp.doc(requestBody=YAML_BODY)
@blp.response(200, GraphSchema)
@blp.errors(400, 413, 415)
def graph():
    """Nodes, order and edges of a model, without running it."""
    return model_graph(yaml_body())


def _stream(key: str, mimetype: str) -> Response:
    """The stored file with an ETag and Last-Modified: 304 for If-None-Match, Range as for artifact files."""
    return serve_file(context().storage, stored_file(context(), key, mimetype))


@blp.route("/runs/<run_id>/index", methods=["GET"])
@blp.response(200, content_type="application/json")
@blp.errors(400, 404)
def series_index(run_id: str):
    """The run's series/index.json."""
    return _stream(series_index_key(context(), run_id), "application/json")


@blp.route("/runs/<run_id>/series/<series_id>", methods=["GET"])
@blp.response(200, content_type="text/csv")
@blp.errors(400, 404)
def series(run_id: str, series_id: str):
    """One series as CSV (`t,value`); a bare node name resolves to its series."""
    return _stream(series_key(context(), run_id, series_id), "text/csv")


@blp.route("/runs/<run_id>/export", methods=["POST"])
@blp.response(200, ExportResponseSchema)
@blp.errors(400, 404)
def export_gold(run_id: str):
    """Write gold/export.csv, .ndjson and .parquet and update the Run artifact."""
    return export(context(), run_id)


@blp.route("/runs/<run_id>/export/<fmt>", methods=["GET"])
@blp.response(200, content_type="application/octet-stream")
@blp.errors(400, 404)
def get_export(run_id: str, fmt: str):
    """An existing export: csv (or gold), ndjson or parquet (a `{runId}.parquet` attachment)."""
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(f"unknown export format: {fmt}", details={"format": [f"one of {', '.join(EXPORT_FORMATS)}"]})
    key, mimetype = export_key(context(), run_id, fmt)
    response = _stream(key, mimetype)
    if fmt == "parquet":
        response.headers.set("Content-Disposition", "attachment", filename=f"{run_id}.parquet")
    return response
