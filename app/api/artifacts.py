"""/v1/artifacts: list and search, read, edit, soft delete, restore, archive, bulk delete, relationships."""

from __future__ import annotations

import json

from flask import Response, request

from app.api import Blueprint, context, parse_id_list
from app.api.schemas import (
    ArtifactListSchema,
    ArtifactSchema,
    ArtifactUpdateSchema,
    BulkResponseSchema,
    IncludeDeletedSchema,
    VerificationSchema,
)
from app.api.schemas_list import ListQuerySchema
from app.api.serving import not_modified
from app.engine.verification import verify_run
from app.registry import service
from app.registry.files import file_json, files_of
from app.registry.records import artifact_json
from app.registry.store.listing import ListQuery
from app.security import current_actor

blp = Blueprint("artifacts", __name__, url_prefix="/v1/artifacts", description="Registry artifacts")


@blp.route("", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query", as_kwargs=False)
@blp.response(200, ArtifactListSchema)
@blp.errors(400)
def list_artifacts(query: ListQuery):
    """List, filter, search and page through artifacts."""
    result = service.list_artifacts(context(), query)
    return json_response(list_body(result, query), headers={"X-Registry-Generation": str(result.generation)})


@blp.route("/<artifact_id>", methods=["GET"])
@blp.arguments(IncludeDeletedSchema, location="query", as_kwargs=True)
@blp.response(200, ArtifactSchema)
@blp.errors(400, 404)
def get_artifact(artifact_id: str, include_deleted: bool):
    """One artifact with its file names (`files`) and file objects (`file_details`); ETag for If-Match."""
    record = service.get_artifact(context(), artifact_id, include_deleted=include_deleted)
    etag = service.etag_of(record)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    found = files_of(context(), record)
    body = {**artifact_json(record), "files": [f.name for f in found], "file_details": [file_json(f) for f in found]}
    return json_response(json.dumps(body, ensure_ascii=False), headers={"ETag": etag})


def list_body(result, query: ListQuery) -> str:
    """The list response as JSON text, assembled from each artifact's stored JSON document.

    The documents are what the registry's one serialiser (`artifact_doc`) wrote; re-encoding fifty
    artifacts per request through marshmallow would cost more than the query (the schema still
    documents the shape in OpenAPI, and the contract tests check it).
    """
    items = []
    for artifact_id, document in zip(result.ids, result.documents, strict=True):
        if artifact_id in result.scores:
            extra = json.dumps({"score": result.scores[artifact_id], "snippet": result.snippets.get(artifact_id, "")})
            document = document[:-1] + ", " + extra[1:]
        items.append(document)
    tail = {"total": result.total, "total_exact": result.total_exact, "count": len(items), "limit": query.limit,
            "offset": query.offset, "next_cursor": result.next_cursor}
    if query.search:
        tail.update(ranking_exact=result.ranking_sample is None, ranking_sample=result.ranking_sample)
    if result.facets is not None:
        tail.update(facets=result.facets, facets_exact=result.facets_sample is None, facets_sample=result.facets_sample)
    return '{"artifacts": [' + ", ".join(items) + "], " + json.dumps(tail, ensure_ascii=False)[1:]


def json_response(body: str, status: int = 200, headers: dict | None = None) -> Response:
    """A ready JSON response (flask-smorest passes Response objects through untouched)."""
    return Response(body, status=status, mimetype="application/json", headers=headers)


def _with_etag(record):
    return artifact_json(record), 200, {"ETag": service.etag_of(record)}


@blp.route("/<artifact_id>", methods=["PUT", "PATCH"])
@blp.arguments(ArtifactUpdateSchema)
@blp.response(200, ArtifactSchema)
@blp.errors(400, 404, 412)
def update_artifact(changes: dict, artifact_id: str):
    """Update title, description and/or tags (PUT and PATCH alike are partial; If-Match honoured)."""
    return _with_etag(service.update_artifact(context(), artifact_id, changes, request.headers.get("If-Match"),
                                              actor=current_actor()))


@blp.route("/<artifact_id>", methods=["DELETE"])
@blp.response(200, ArtifactSchema)
@blp.errors(400, 404, 412)
def delete_artifact(artifact_id: str):
    """Soft delete (files kept; idempotent; If-Match honoured)."""
    return _with_etag(service.delete_artifact(context(), artifact_id, request.headers.get("If-Match"),
                                              actor=current_actor()))


@blp.route("/<artifact_id>/restore", methods=["POST"])
@blp.response(200, ArtifactSchema)
@blp.errors(400, 404, 409, 412)
def restore_artifact(artifact_id: str):
    """Undo a soft delete (If-Match honoured)."""
    return _with_etag(service.restore_artifact(context(), artifact_id, request.headers.get("If-Match"),
                                               actor=current_actor()))


def _bulk_body(outcome, verb: str) -> dict:
    return {"success": all(r["success"] for r in outcome.results), "processed": len(outcome.results),
            verb: outcome.succeeded, "results": outcome.results}


@blp.route("/archive", methods=["POST"])
@blp.response(200, BulkResponseSchema)
@blp.errors(400)
def archive(_=None):
    """Archive artifacts (body: a JSON list of ids)."""
    return _bulk_body(service.archive_artifacts(context(), parse_id_list(), actor=current_actor()), "archived")


@blp.route("/bulk-delete", methods=["POST"])
@blp.response(200, BulkResponseSchema)
@blp.errors(400)
def bulk_delete(_=None):
    """Soft-delete artifacts (body: a JSON list of ids)."""
    return _bulk_body(service.bulk_delete(context(), parse_id_list(), actor=current_actor()), "deleted")


@blp.route("/<artifact_id>/verify", methods=["POST"])
@blp.response(200, VerificationSchema)
@blp.errors(400, 404, 409)
def verify(artifact_id: str):
    """Re-run a run from its spec.yaml and seed; compare every series' SHA-256 with manifest.seriesHashes."""
    return verify_run(context(), artifact_id)
