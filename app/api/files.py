"""/v1/artifacts/{id}/files and /download: listings and streamed bytes (Range, ETag, 304)."""

from __future__ import annotations

from flask import Response, stream_with_context

from app.api import Blueprint, context
from app.api.schemas import DownloadSchema, FileListSchema
from app.api.serving import attachment, serve_file
from app.registry.files import file_json, list_artifact_files, locate_file, zip_artifact

blp = Blueprint("files", __name__, url_prefix="/v1/artifacts", description="Artifact files")


@blp.route("/<artifact_id>/files", methods=["GET"])
@blp.response(200, FileListSchema)
@blp.errors(400, 404)
def list_files(artifact_id: str):
    """Every file of the artifact, recursive, sorted by name."""
    files = [file_json(f) for f in list_artifact_files(context(), artifact_id)]
    return {"artifact_id": artifact_id, "files": files, "count": len(files)}


@blp.route("/<artifact_id>/files/<path:file_path>", methods=["GET"])
@blp.arguments(DownloadSchema, location="query", as_kwargs=True)
@blp.response(200, content_type="application/octet-stream")
@blp.errors(400, 404, 412, 416)
def get_file(artifact_id: str, file_path: str, download: bool):
    """The file's bytes, streamed; Range (multipart too), If-Match/If-None-Match, If-(Un)Modified-Since."""
    return serve_file(context().storage, locate_file(context(), artifact_id, file_path), download)


@blp.route("/<artifact_id>/download", methods=["GET"])
@blp.response(200, content_type="application/zip")
@blp.errors(400, 404)
def download(artifact_id: str):
    """The whole artifact folder as a streamed zip attachment."""
    name, chunks = zip_artifact(context(), artifact_id)
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
