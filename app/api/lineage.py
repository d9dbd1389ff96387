"""/v1/artifacts/{id}/relationships and /lineage."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas_workflows import (
    LineageQuerySchema,
    LineageSchema,
    LinkSchema,
    RelationshipListSchema,
)
from app.registry.lineage import lineage_of, link, relationships_of
from app.security import current_actor

blp = Blueprint("lineage", __name__, url_prefix="/v1/artifacts", description="Lineage")


@blp.route("/<artifact_id>/relationships", methods=["GET"])
@blp.response(200, RelationshipListSchema)
@blp.errors(400, 404)
def relationships(artifact_id: str):
    """derived_from and generates as summaries, plus related artifacts (same model or template)."""
    return relationships_of(context(), artifact_id)


@blp.route("/<artifact_id>/relationships", methods=["POST"])
@blp.arguments(LinkSchema)
@blp.response(200, RelationshipListSchema)
@blp.errors(400, 404, 409)
def add_relationships(body: dict, artifact_id: str):
    """Link an artifact by hand to the artifacts it derives from (unknown ids 400, a cycle 409)."""
    return link(context(), artifact_id, body["derived_from"], actor=current_actor())


@blp.route("/<artifact_id>/lineage", methods=["GET"])
@blp.arguments(LineageQuerySchema, location="query", as_kwargs=True)
@blp.response(200, LineageSchema)
@blp.errors(400, 404)
def lineage(artifact_id: str, depth: int):
    """Ancestors and descendants within `depth` (1..5) steps."""
    return lineage_of(context(), artifact_id, depth)
