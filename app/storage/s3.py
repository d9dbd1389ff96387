"""S3 storage: artifact folders as key prefixes of `s3://bucket/prefix`, read lazily by byte range.

Layout: a storage key `runs/run_x/series/a.csv` is the object `<prefix>/runs/run_x/series/a.csv`;
"folders" are key prefixes, listed with `Delimiter="/"`. Names that `is_internal_name` marks
(dot names, `*.lock`, `*.tmp`, `registry.db*`, `registry-index.json*`) are never listed, at any level,
exactly as for `LocalStorage`.

Reading: `open()` returns a seekable `io.BufferedReader` over a raw reader that issues one ranged
GetObject per buffer fill (1 MB), pinned to the object's ETag so a concurrent replace is detected
instead of mixing two versions; Parquet footers are read without fetching the whole file.

Writing a folder: S3 has no rename, so `write_folder` buffers the files in a local temp directory and
uploads them only when the block exits cleanly (nothing is uploaded if it raises). The folder's
descriptor files (`run.json`, `manifest.json`, `metadata.json` at the folder's top level) are
uploaded LAST, after every other file has been acknowledged: the registry indexes a folder only
once its descriptor parses, so a reader listing the bucket mid-upload sees at worst a folder it
cannot index yet ("unindexable"), never an indexed artifact with missing files. If an upload fails,
the objects already uploaded are deleted again (best effort). A folder that already holds objects is
refused with `Conflict` (checked before and after the block; S3 offers no atomic create-if-absent
for a prefix, so two writers racing for the same new key within the upload window are not excluded).

`write_file` streams into a local temp file and uploads it with one PUT (multipart above 64 MB),
which S3 makes visible atomically. `change_token()` is None: on S3 new folders are found by rescan.

Errors: a missing object is `NotFound`; access refused (403) is `StorageRejected` (502); connection
failures, timeouts, throttling and a missing bucket are `StorageUnavailable` (503). Messages never
carry endpoints, credentials or tracebacks (details are logged server-side).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from app.errors import ConfigError, Conflict, NotFound, RegistryError, StorageRejected
from app.storage.base import FileInfo, FolderWriter, Storage
from app.storage.local import TempFolderWriter, translate_os_errors
from app.storage.paths import is_unlisted_name
from app.storage.s3_support import RangeReader, error_code, translate_exc, translated

log = logging.getLogger(__name__)

READ_BUFFER = 1024 * 1024
MULTIPART_THRESHOLD = 64 * 1024 * 1024
MULTIPART_CHUNK = 16 * 1024 * 1024
UPLOAD_WORKERS = 8
DELETE_BATCH = 1000
# Uploaded last by write_folder and deleted first by delete_folder (see the module docstring).
DESCRIPTOR_FILES = ("run.json", "manifest.json", "metadata.json")

def _hidden(relative: str) -> bool:
    """Whether any segment of a relative key is an internal, dot or unservable name (never listed)."""
    return any(is_unlisted_name(part) for part in relative.split("/") if part)


class S3Storage(Storage):
    """Artifact folders as key prefixes in one S3 (or S3-compatible) bucket."""

    scheme = "s3"

    def __init__(self, url: str, endpoint_url: str | None = None, *, client=None,
                 temp_dir: str | os.PathLike | None = None):
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ConfigError("S3 storage URL must look like s3://bucket/prefix")
        self.bucket = parsed.netloc
        self.prefix = unquote(parsed.path).strip("/")
        self.temp_dir = str(temp_dir) if temp_dir is not None else None
        if client is None:
            session = boto3.session.Session()
            client = session.client(
                "s3", endpoint_url=endpoint_url or None,
                config=BotoConfig(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5,
                                  read_timeout=60, max_pool_connections=32))
        self.client = client
        self.transfer = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_CHUNK,
                                       max_concurrency=4, use_threads=True)

    # -- resolution ---------------------------------------------------------------------------
    def _object(self, key: str) -> str:
        key = key.strip("/")
        if self.prefix:
            return f"{self.prefix}/{key}" if key else self.prefix
        return key

    def _folder(self, key: str) -> str:
        """The listing prefix for the folder at `key` ("" for an unprefixed root)."""
        base = self._object(key)
        return f"{base}/" if base else ""

    def _pages(self, prefix: str, delimiter: str | None = None) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        args = {"Bucket": self.bucket, "Prefix": prefix, "PaginationConfig": {"PageSize": 1000}}
        if delimiter:
            args["Delimiter"] = delimiter
        with translated("folder"):
            yield from paginator.paginate(**args)

    # -- reading ------------------------------------------------------------------------------
    def list_folders(self, prefix: str = "") -> list[str]:
        base = self._folder(prefix)
        names = []
        for page in self._pages(base, delimiter="/"):
            for common in page.get("CommonPrefixes", ()):
                name = common["Prefix"][len(base):].rstrip("/")
                if name and not is_unlisted_name(name):
                    names.append(name)
        names.sort()
        return names

    def list_files(self, prefix: str) -> list[FileInfo]:
        base = self._folder(prefix)
        found: list[FileInfo] = []
        seen_any = False
        for page in self._pages(base):
            for item in page.get("Contents", ()):
                seen_any = True
                name = item["Key"][len(base):]
                if not name or name.endswith("/") or _hidden(name):
                    continue
                found.append(FileInfo(name=name, size=int(item["Size"]), mtime=item["LastModified"].timestamp()))
        if not seen_any and prefix.strip("/"):
            raise NotFound("folder not found")
        found.sort(key=lambda info: info.name)
        return found

    def _head(self, key: str) -> dict:
        if not key.strip("/"):
            raise NotFound("file not found")
        with translated("file"):
            return self.client.head_object(Bucket=self.bucket, Key=self._object(key))

    def stat(self, key: str) -> FileInfo:
        head = self._head(key)
        return FileInfo(name=key, size=int(head["ContentLength"]), mtime=head["LastModified"].timestamp())

    def etag(self, key: str) -> str:
        """The object's ETag (quoted, as S3 returns it)."""
        return self._head(key)["ETag"]

    def _folder_exists(self, key: str) -> bool:
        with translated("folder"):
            response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._folder(key), MaxKeys=1)
        return bool(response.get("KeyCount") or response.get("Contents"))

    def exists(self, key: str) -> bool:
        if not key.strip("/"):
            self._folder_exists("")  # the root always exists; this only surfaces a missing bucket
            return True
        try:
            self._head(key)
            return True
        except NotFound:
            return self._folder_exists(key)

    def open(self, key: str) -> BinaryIO:
        head = self._head(key)
        raw = RangeReader(self, self._object(key), int(head["ContentLength"]), head.get("ETag"))
        return io.BufferedReader(raw, buffer_size=READ_BUFFER)

    def iter_range(self, key: str, start: int, length: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
        """Stream `length` bytes from `start` with one ranged GetObject (short at the end of the file)."""
        if length <= 0 or start < 0:
            return
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object(key),
                                              Range=f"bytes={start}-{start + length - 1}")
        except ClientError as exc:
            if error_code(exc) == "InvalidRange":
                return  # start at or past the end: nothing to send, as for a local file
            raise translate_exc(exc, "file") from None
        except BotoCoreError as exc:
            raise translate_exc(exc, "file") from None
        body = response["Body"]
        try:
            remaining = length
            with translated("file"):
                for block in body.iter_chunks(chunk_size=chunk):
                    if not block:
                        continue
                    block = block[:remaining]
                    remaining -= len(block)
                    yield block
                    if remaining <= 0:
                        break
        finally:
            body.close()

    # -- writing ------------------------------------------------------------------------------
    def _upload(self, handle: BinaryIO, size: int, object_key: str) -> None:
        """One PUT for small files, a multipart upload (boto3 transfer manager) above the threshold."""
        with translated("file"):
            if size < self.transfer.multipart_threshold:
                self.client.put_object(Bucket=self.bucket, Key=object_key, Body=handle)
            else:
                self.client.upload_fileobj(handle, self.bucket, object_key, Config=self.transfer)

    @contextmanager
    def write_folder(self, key: str, durable: bool = True) -> Iterator[FolderWriter]:
        """Buffer locally, upload on clean exit, descriptors last.

        `durable` is accepted for the interface and ignored: an acknowledged PUT is already durable.
        """
        key = key.strip("/")
        if not key:
            raise Conflict("refusing to write over the storage root")
        if self._folder_exists(key):
            raise Conflict(f"folder already exists: {key}")
        with translate_os_errors():
            temp = Path(tempfile.mkdtemp(prefix="s3-folder-", dir=self.temp_dir))
        try:
            yield TempFolderWriter(temp)  # uploaded when the block exits; S3 acknowledges durably
            if self._folder_exists(key):
                raise Conflict(f"folder already exists: {key}")
            self._upload_tree(temp, key)
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def _upload_tree(self, temp: Path, key: str) -> None:
        files = sorted(p.relative_to(temp).as_posix() for p in temp.rglob("*") if p.is_file())
        descriptors = [name for name in files if name in DESCRIPTOR_FILES]
        others = [name for name in files if name not in DESCRIPTOR_FILES]
        uploaded: list[str] = []
        lock = threading.Lock()

        def put(name: str) -> None:
            object_key = self._object(f"{key}/{name}")
            path = temp / name
            with translate_os_errors(), open(path, "rb") as handle:
                self._upload(handle, path.stat().st_size, object_key)
            with lock:
                uploaded.append(object_key)

        try:
            if others:
                with ThreadPoolExecutor(max_workers=min(UPLOAD_WORKERS, len(others))) as pool:
                    try:
                        for future in [pool.submit(put, name) for name in others]:
                            future.result()
                    except BaseException:
                        pool.shutdown(wait=True, cancel_futures=True)  # then `uploaded` is final
                        raise
            for name in sorted(descriptors, key=DESCRIPTOR_FILES.index):
                put(name)
        except BaseException:
            self._delete_objects(uploaded, best_effort=True)
            raise

    @contextmanager
    def write_file(self, key: str) -> Iterator[BinaryIO]:
        key = key.strip("/")
        if not key:
            raise NotFound("file not found")
        with translate_os_errors():
            handle = tempfile.TemporaryFile(prefix="s3-file-", dir=self.temp_dir)
        with handle:
            with translate_os_errors():
                yield handle
                handle.flush()
            size = handle.seek(0, io.SEEK_END)
            handle.seek(0)
            self._upload(handle, size, self._object(key))

    # -- deleting -----------------------------------------------------------------------------
    def _delete_objects(self, object_keys: list[str], best_effort: bool = False) -> None:
        for start in range(0, len(object_keys), DELETE_BATCH):
            batch = object_keys[start:start + DELETE_BATCH]
            try:
                with translated("folder"):
                    response = self.client.delete_objects(
                        Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
                errors = response.get("Errors") or []
                if errors:
                    log.warning("object storage could not delete %d objects (first: %s)",
                                len(errors), errors[0].get("Code"))
                    raise StorageRejected(f"object storage could not delete objects ({errors[0].get('Code')})")
            except RegistryError:
                if not best_effort:
                    raise
                log.warning("cleanup of %d uploaded objects failed", len(batch))

    def delete_folder(self, key: str) -> None:
        key = key.strip("/")
        if not key:
            raise Conflict("refusing to delete the data directory")
        # Descriptors first, so a concurrent rescan stops treating the folder as an artifact at once.
        self._delete_objects([self._object(f"{key}/{name}") for name in DESCRIPTOR_FILES])
        base = self._folder(key)
        for page in self._pages(base):  # deleting listed keys does not disturb the continuation token
            batch = [item["Key"] for item in page.get("Contents", ())]
            if batch:
                self._delete_objects(batch)

    # -- discovery ----------------------------------------------------------------------------
    def change_token(self) -> None:
        return None

    def describe(self) -> str:
        return f"s3 bucket {self.bucket}"
