"""The telemetry upload use case: import under the cap, then register the artifact at once."""

from __future__ import annotations

from typing import BinaryIO

from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import register_new_folder
from app.telemetry.importer import import_telemetry
from app.telemetry.spool import SPOOL_FOLDER


def upload_telemetry(ctx: RegistryContext, stream: BinaryIO, filename: str | None, title: str | None,
                     description: str | None, tags: list[str] | None) -> ArtifactRecord:
    """Store an uploaded CSV/Parquet file as `telemetry/<id>/` and register it."""
    result = import_telemetry(ctx.storage, stream, spool_dir=ctx.config.data_dir / SPOOL_FOLDER,
                              max_bytes=ctx.config.max_upload_bytes, filename=filename, title=title,
                              description=description, tags=tags)
    return register_new_folder(ctx, result.key, "telemetry")
