"""Import one uploaded CSV or Parquet file as a telemetry artifact folder `telemetry/<id>/`."""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from app.registry.records import TITLE_MAX
from app.storage.base import Storage
from app.telemetry.catalog import build_catalog
from app.telemetry.fields import ImportFields, validate_fields
from app.telemetry.problems import bad_file
from app.telemetry.spool import CHUNK, SpooledUpload, spooled_upload
from app.timefmt import iso, utcnow

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class TelemetryImport:
    """The result of an import: the new artifact's id, its storage key and its catalog."""

    artifact_id: str
    key: str
    catalog: dict


def import_telemetry(storage: Storage, stream: BinaryIO, *, spool_dir: Path, max_bytes: int,
                     filename: str | None = None, title: str | None = None, description: str | None = None,
                     tags: list[str] | None = None, now: datetime | None = None) -> TelemetryImport:
    """Spool, inspect and store an uploaded telemetry file; 400 for bad files, 413 beyond `max_bytes`."""
    fields = validate_fields(title, description, tags)
    original = _basename(filename)
    created = _naive_utc(now)
    artifact_id = new_telemetry_id(created)
    key = f"telemetry/{artifact_id}"
    with spooled_upload(stream, Path(spool_dir), max_bytes) as upload:
        if upload.size == 0:
            raise bad_file("the file is empty")
        _check_claim(original, upload.format)
        catalog = build_catalog(lambda: open(upload.path, "rb"), upload.format)
        metadata = build_metadata(artifact_id, catalog, fields, original, created)
        _write_folder(storage, key, upload, catalog, metadata)
    return TelemetryImport(artifact_id=artifact_id, key=key, catalog=catalog)


def new_telemetry_id(when: datetime) -> str:
    """`telemetry_<yyyyMMddTHHmmssZ>_<8 hex>`."""
    return f"telemetry_{when:%Y%m%dT%H%M%S}Z_{secrets.token_hex(4)}"


def build_metadata(artifact_id: str, catalog: dict, fields: ImportFields, original: str | None,
                   created: datetime) -> dict:
    """The metadata.json document the registry indexes the folder from."""
    stem = PurePosixPath(original).stem.strip() if original else ""
    return {
        "id": artifact_id,
        "type": "telemetry",
        "title": fields.title or stem[:TITLE_MAX] or artifact_id,
        "description": fields.description,
        "created": iso(created),
        "tags": fields.tags,
        "source": "import",
        "metadata": {
            "format": catalog["format"],
            "shape": catalog["shape"],
            "rows": catalog["rows"],
            "series": [entry["id"] for entry in catalog["series"]],
            "time_range": catalog["time_range"],
            "bin_minutes": catalog["bin_minutes"],
            "original_filename": original,
        },
    }


def _write_folder(storage: Storage, key: str, upload: SpooledUpload, catalog: dict, metadata: dict) -> None:
    with storage.write_folder(key) as folder:
        with open(upload.path, "rb") as source, folder.open(catalog["data_file"]) as target:
            shutil.copyfileobj(source, target, CHUNK)
        folder.write_bytes("catalog.json", _json(catalog))
        folder.write_bytes("metadata.json", _json(metadata))


def _json(document: dict) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _basename(filename: str | None) -> str | None:
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or None


def _naive_utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def _check_claim(filename: str | None, fmt: str) -> None:
    """A file named .parquet must hold Parquet, and one named .csv must not."""
    suffix = PurePosixPath(filename).suffix.lower() if filename else ""
    if suffix in PARQUET_SUFFIXES and fmt != "parquet":
        raise bad_file(f"'{filename}' is named as Parquet but is not a Parquet file (no PAR1 header)")
    if suffix in CSV_SUFFIXES and fmt != "csv":
        raise bad_file(f"'{filename}' is named as CSV but holds Parquet data")
