"""/v1/artifacts/{id}/compare: two runs or telemetry artifacts series by series, or two model specs."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas_workflows import CompareRequestSchema, CompareResponseSchema
from app.compare.service import compare_artifacts

blp = Blueprint("compare", __name__, url_prefix="/v1/artifacts", description="Compare")


@blp.route("/<artifact_id>/compare", methods=["POST"])
@blp.arguments(CompareRequestSchema)
@blp.response(200, CompareResponseSchema)
@blp.errors(400, 404, 413)
def compare(body: dict, artifact_id: str):
    """Compare series of runs/telemetry, or the specs of two models."""
    return compare_artifacts(context(), artifact_id, body["other"], body.get("series"), body["include_values"])
