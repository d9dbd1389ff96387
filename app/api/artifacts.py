"""/v1/artifacts: list and search, read, edit, soft delete, restore, archive, bulk delete, relationships."""

from __future__ import annotations

from flask import request

from app.api import Blueprint, context, parse_id_list
from app.api.schemas import (
    ArtifactListSchema,
    ArtifactSchema,
    ArtifactUpdateSchema,
    BulkResponseSchema,
    IncludeDeletedSchema,
    ListQuerySchema,
)
from app.registry import service
from app.registry.files import file_json, list_artifact_files
from app.registry.query import ListQuery
from app.registry.records import artifact_json

blp = Blueprint("artifacts", __name__, url_prefix="/v1/artifacts", description="Registry artifacts")


@blp.route("", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query", as_kwargs=False)
@blp.response(200, ArtifactListSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
def list_artifacts(query: ListQuery):
    """List, filter, search and page through artifacts."""
    result = service.list_artifacts(context(), query)
    items = []
    for record in result.records:
        item = artifact_json(record)
        if record.id in result.scores:
            item["score"], item["snippet"] = result.scores[record.id], result.snippets.get(record.id, "")
        items.append(item)
    body = {"artifacts": items, "total": result.total, "count": len(items), "limit": query.limit,
            "offset": query.offset, "next_cursor": result.next_cursor}
    if result.facets is not None:
        body["facets"] = result.facets
    return body


@blp.route("/<artifact_id>", methods=["GET"])
@blp.arguments(IncludeDeletedSchema, location="query", as_kwargs=True)
@blp.response(200, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(404, "DEFAULT_ERROR")
def get_artifact(artifact_id: str, include_deleted: bool):
    """One artifact with its files; ETag header for If-Match edits."""
    record = service.get_artifact(context(), artifact_id, include_deleted=include_deleted)
    files = list_artifact_files(context(), artifact_id, include_deleted=include_deleted)
    return {**artifact_json(record), "files": [file_json(f) for f in files]}, 200, {"ETag": service.etag_of(record)}


def _update(artifact_id: str, changes: dict):
    record = service.update_artifact(context(), artifact_id, changes, request.headers.get("If-Match"))
    return artifact_json(record), 200, {"ETag": service.etag_of(record)}


@blp.route("/<artifact_id>", methods=["PUT"])
@blp.arguments(ArtifactUpdateSchema)
@blp.response(200, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(404, "DEFAULT_ERROR")
@blp.alt_response(412, "DEFAULT_ERROR")
def put_artifact(changes: dict, artifact_id: str):
    """Update title, description and/or tags (partial; If-Match honoured)."""
    return _update(artifact_id, changes)


@blp.route("/<artifact_id>", methods=["PATCH"])
@blp.arguments(ArtifactUpdateSchema)
@blp.response(200, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(404, "DEFAULT_ERROR")
@blp.alt_response(412, "DEFAULT_ERROR")
def patch_artifact(changes: dict, artifact_id: str):
    """Same as PUT: partial update of the user-editable fields."""
    return _update(artifact_id, changes)


@blp.route("/<artifact_id>", methods=["DELETE"])
@blp.response(200, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(404, "DEFAULT_ERROR")
def delete_artifact(artifact_id: str):
    """Soft delete (files kept; idempotent)."""
    return artifact_json(service.delete_artifact(context(), artifact_id))


@blp.route("/<artifact_id>/restore", methods=["POST"])
@blp.response(200, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(404, "DEFAULT_ERROR")
def restore_artifact(artifact_id: str):
    """Undo a soft delete."""
    return artifact_json(service.restore_artifact(context(), artifact_id))


def _bulk_body(outcome, verb: str) -> dict:
    return {"success": all(r["success"] for r in outcome.results), "processed": len(outcome.results),
            verb: outcome.succeeded, "results": outcome.results}


@blp.route("/archive", methods=["POST"])
@blp.response(200, BulkResponseSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
def archive(_=None):
    """Archive artifacts (body: a JSON list of ids)."""
    return _bulk_body(service.archive_artifacts(context(), parse_id_list()), "archived")


@blp.route("/bulk-delete", methods=["POST"])
@blp.response(200, BulkResponseSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
def bulk_delete(_=None):
    """Soft-delete artifacts (body: a JSON list of ids)."""
    return _bulk_body(service.bulk_delete(context(), parse_id_list()), "deleted")
