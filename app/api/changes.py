"""/v1/changes (the changes feed) and /v1/artifacts/{id}/history (an artifact's edits)."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas_changes import ChangesQuerySchema, ChangesSchema, HistoryQuerySchema, HistorySchema
from app.registry.changes import artifact_history, changes_since

blp = Blueprint("changes", __name__, url_prefix="/v1", description="Edit history and the changes feed")


@blp.route("/changes", methods=["GET"])
@blp.arguments(ChangesQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ChangesSchema)
@blp.errors(400, 410)
def changes(since: int, limit: int, query):
    """What changed after generation `since`, oldest first; filters as on the list (type, tags, search)."""
    page = changes_since(context(), since, limit, query)
    return {"changes": page.changes, "last_generation": page.last_generation}, 200, {
        "X-Registry-Generation": str(page.last_generation)}


@blp.route("/artifacts/<artifact_id>/history", methods=["GET"])
@blp.arguments(HistoryQuerySchema, location="query", as_kwargs=True)
@blp.response(200, HistorySchema)
@blp.errors(400, 404)
def history(artifact_id: str, limit: int, before: tuple | None):
    """Every change of the artifact's user state, newest first: when, who, each field's from and to."""
    return artifact_history(context(), artifact_id, limit, before)
