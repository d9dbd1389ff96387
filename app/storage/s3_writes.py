"""S3 writes and deletes: folders buffered locally and uploaded descriptors last, files in one PUT.

See app.storage.s3 for why descriptors go last (uploads) and first (deletes).
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.errors import Conflict, NotFound, RegistryError, StorageRejected
from app.runfolder import DESCRIPTOR_FILES
from app.storage.base import FolderWriter
from app.storage.local import TempFolderWriter, translate_os_errors
from app.storage.s3_support import translated

log = logging.getLogger(__name__)
UPLOAD_WORKERS = 8
DELETE_BATCH = 1000


class S3Writes:
    """The writing half of S3Storage (it provides client, bucket, transfer, temp_dir and key mapping)."""

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
