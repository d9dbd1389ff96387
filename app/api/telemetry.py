"""/v1/telemetry: multipart upload of CSV or Parquet telemetry."""

from __future__ import annotations

from flask import request
from werkzeug.formparser import FormDataParser

from app.api import Blueprint, context
from app.api.runs import run_response
from app.api.schemas import ArtifactSchema
from app.api.schemas_workflows import RunResponseSchema, SeedQuerySchema
from app.errors import ValidationFailed
from app.registry.records import artifact_json
from app.telemetry.replay import replay_telemetry
from app.telemetry.service import upload_telemetry
from app.telemetry.spool import SPOOL_FOLDER, spool_stream_factory

blp = Blueprint("telemetry", __name__, url_prefix="/v1", description="Telemetry import")
MULTIPART_SLACK = 1024 * 1024  # the file cap itself is enforced byte-exactly by the importer
UPLOAD_BODY = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}, "title": {"type": "string"},
                   "description": {"type": "string"},
                   "tags": {"type": "string", "description": "comma-separated, or repeated"}}}}}}


class _StrictFormParser(FormDataParser):
    """werkzeug's parser drops the whole form when a part header is not UTF-8; name that problem instead.

    Big file parts go straight to the data disk's spool folder (spool_stream_factory), where the importer
    checks them in place: an upload is written to disk once.
    """

    def __init__(self, stream_factory=None, *args, **kwargs):
        super().__init__(spool_stream_factory(context().config.data_dir / SPOOL_FOLDER), *args, **kwargs)

    def _parse_multipart(self, *args, **kwargs):
        try:
            return super()._parse_multipart(*args, **kwargs)
        except UnicodeDecodeError:
            raise ValidationFailed("the file name (or a field name) of the upload is not valid UTF-8",
                                   details={"filename": ["not valid UTF-8"]}) from None


def _tags() -> list[str] | None:
    values = request.form.getlist("tags")
    if not values:
        return None
    return [t.strip() for value in values for t in value.split(",") if t.strip()]


@blp.route("/telemetry", methods=["POST"])
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, ArtifactSchema)
@blp.errors(400, 413)
def upload():
    """Import a CSV or Parquet file (recognised by content) as a Telemetry artifact."""
    request.max_content_length = context().config.max_upload_bytes + MULTIPART_SLACK
    request.form_data_parser_class = _StrictFormParser
    if not request.mimetype.startswith("multipart/form-data"):
        raise ValidationFailed("send the file as multipart/form-data with a `file` field",
                               details={"file": ["send the file as multipart/form-data"]})
    upload_file = request.files.get("file")
    if upload_file is None:
        raise ValidationFailed("the `file` field is required", details={"file": ["missing"]})
    # str(): a multipart part without a name parses with the key None
    unknown = sorted(str(k) for k in set(request.form) - {"title", "description", "tags"})
    if unknown:
        raise ValidationFailed(f"unknown fields: {', '.join(unknown)}", details={k: ["unknown field"] for k in unknown})
    record = upload_telemetry(context(), upload_file.stream, upload_file.filename, request.form.get("title"),
                              request.form.get("description"), _tags())
    return artifact_json(record), 201


@blp.route("/telemetry/<telemetry_id>/replay", methods=["POST"])
@blp.arguments(SeedQuerySchema, location="query", as_kwargs=True)
@blp.response(200, RunResponseSchema)
@blp.errors(400, 404, 409)
def replay(telemetry_id: str, seed: int | None = None):
    """Run the telemetry's series through the engine (one const node per series); the run derives from it."""
    return run_response(replay_telemetry(context(), telemetry_id, seed=seed))
