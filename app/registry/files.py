"""Artifact files: listing, streamed single-file reads and a streamed zip of the whole folder."""

from __future__ import annotations

import hashlib
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from app.errors import NotFound
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact
from app.storage import FileInfo
from app.storage.paths import clean_key, join_key
from app.timefmt import from_timestamp, iso

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".ndjson": "application/x-ndjson",
    ".parquet": "application/vnd.apache.parquet",
    ".txt": "text/plain",
    ".log": "text/plain",
}
CHUNK = 256 * 1024


def content_type(name: str) -> str:
    """Content type by extension (application/octet-stream when unknown)."""
    dot = name.rfind(".")
    return CONTENT_TYPES.get(name[dot:].lower(), "application/octet-stream") if dot >= 0 else (
        "application/octet-stream")


def file_json(info: FileInfo) -> dict:
    """One entry of a file listing."""
    return {"name": info.name, "size_bytes": info.size, "content_type": content_type(info.name),
            "modified": iso(from_timestamp(info.mtime))}


def list_artifact_files(ctx: RegistryContext, artifact_id: str, include_deleted: bool = False) -> list[FileInfo]:
    """Every file of an artifact folder, recursive, sorted by name, internal files excluded."""
    record = get_artifact(ctx, artifact_id, include_deleted=include_deleted)
    return files_of(ctx, record)


def files_of(ctx: RegistryContext, record: ArtifactRecord) -> list[FileInfo]:
    """The files of an artifact already read from the registry (none if its folder is gone)."""
    try:
        return ctx.storage.list_files(record.path)
    except NotFound:
        return []


@dataclass
class StoredFile:
    """A file ready to be streamed: where it is, its size, mtime, type and validator."""

    key: str
    name: str
    size: int
    mtime: float
    content_type: str
    etag: str


def locate_file(ctx: RegistryContext, artifact_id: str, raw_path: str) -> StoredFile:
    """Resolve a client-supplied file path inside an artifact; 400 for unsafe paths, 404 if absent."""
    name = clean_key(raw_path)
    record = get_artifact(ctx, artifact_id)
    return stored_file(ctx, join_key(record.path, name), content_type(name), name=name, tag_prefix=f"{record.id}/")


def stored_file(ctx: RegistryContext, key: str, mimetype: str, name: str | None = None,
                tag_prefix: str = "") -> StoredFile:
    """A storage key ready to be served (one stat): its size, mtime and an ETag over them."""
    info = ctx.storage.stat(key)
    name = name if name is not None else key.rsplit("/", 1)[-1]
    tag = hashlib.sha256(f"{tag_prefix or key + '@'}{name}:{info.size}:{info.mtime}".encode()).hexdigest()[:24]
    return StoredFile(key=key, name=name, size=info.size, mtime=info.mtime, content_type=mimetype, etag=tag)


class _Sink:
    """A write-only buffer that zipfile writes into and the response generator drains."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def zip_entry(name: str, mtime: float) -> zipfile.ZipInfo:
    """A deflated zip entry stamped with the file's modification time (local time, as ZipFile.write does)."""
    stamp = time.localtime(mtime)[:6] if mtime > 0 else ZIP_EPOCH
    stamp = max(stamp, ZIP_EPOCH)
    entry = zipfile.ZipInfo(name, date_time=min(stamp, (2107, 12, 31, 23, 59, 58)))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


class ZipDownload(NamedTuple):
    """A zip of an artifact folder: its file name and the chunks to stream."""

    name: str
    chunks: Iterator[bytes]


def zip_artifact(ctx: RegistryContext, artifact_id: str) -> ZipDownload:
    """The folder as a zip, streamed file by file (never built in memory)."""
    record = get_artifact(ctx, artifact_id)
    files = files_of(ctx, record)

    def generate() -> Iterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for info in files:
                with ctx.storage.open(join_key(record.path, info.name)) as source, \
                        archive.open(zip_entry(f"{record.id}/{info.name}", info.mtime), "w", force_zip64=True) as target:
                    while block := source.read(CHUNK):
                        target.write(block)
                        yield sink.drain()
        yield sink.drain()

    return ZipDownload(f"{record.id}.zip", generate())
