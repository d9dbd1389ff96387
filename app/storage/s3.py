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
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import unquote, urlparse

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from app.errors import ConfigError, NotFound
from app.storage.base import FileInfo, Storage
from app.storage.paths import is_unlisted_name
from app.storage.s3_log import S3Log
from app.storage.s3_support import RangeReader, error_code, translate_exc, translated
from app.storage.s3_writes import S3Writes

log = logging.getLogger(__name__)

READ_BUFFER = 1024 * 1024
MULTIPART_THRESHOLD = 64 * 1024 * 1024
MULTIPART_CHUNK = 16 * 1024 * 1024

def _hidden(relative: str) -> bool:
    """Whether any segment of a relative key is an internal, dot or unservable name (never listed)."""
    return any(is_unlisted_name(part) for part in relative.split("/") if part)


class S3Storage(S3Writes, S3Log, Storage):
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

    # -- discovery ----------------------------------------------------------------------------
    def change_token(self) -> None:
        return None

    def describe(self) -> str:
        return f"s3 bucket {self.bucket}"
