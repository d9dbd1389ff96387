"""/v1/telemetry: multipart upload of CSV or Parquet telemetry."""

from __future__ import annotations

from flask import request

from app.api import Blueprint, context
from app.api.schemas import ArtifactSchema
from app.errors import ValidationFailed
from app.registry.records import artifact_json
from app.telemetry.service import upload_telemetry

blp = Blueprint("telemetry", __name__, url_prefix="/v1", description="Telemetry import")
MULTIPART_SLACK = 1024 * 1024  # the file cap itself is enforced byte-exactly by the importer
UPLOAD_BODY = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}, "title": {"type": "string"},
                   "description": {"type": "string"},
                   "tags": {"type": "string", "description": "comma-separated, or repeated"}}}}}}


def _tags() -> list[str] | None:
    values = request.form.getlist("tags")
    if not values:
        return None
    return [t.strip() for value in values for t in value.split(",") if t.strip()]


@blp.route("/telemetry", methods=["POST"])
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, ArtifactSchema)
@blp.alt_response(400, "DEFAULT_ERROR")
@blp.alt_response(413, "DEFAULT_ERROR")
def upload():
    """Import a CSV or Parquet file (recognised by content) as a Telemetry artifact."""
    request.max_content_length = context().config.max_upload_bytes + MULTIPART_SLACK
    if not request.mimetype.startswith("multipart/form-data"):
        raise ValidationFailed("send the file as multipart/form-data with a `file` field",
                               details={"file": "missing"})
    upload_file = request.files.get("file")
    if upload_file is None:
        raise ValidationFailed("the `file` field is required", details={"file": "missing"})
    # str(): a multipart part without a name parses with the key None
    unknown = sorted(str(k) for k in set(request.form) - {"title", "description", "tags"})
    if unknown:
        raise ValidationFailed(f"unknown fields: {', '.join(unknown)}", details={k: "unknown field" for k in unknown})
    record = upload_telemetry(context(), upload_file.stream, upload_file.filename, request.form.get("title"),
                              request.form.get("description"), _tags())
    return artifact_json(record), 201
