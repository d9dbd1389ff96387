"""S3 helpers: boto error translation and a lazy, seekable reader over ranged GetObject requests."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from app.errors import Conflict, NotFound, RegistryError, StorageRejected, StorageUnavailable

log = logging.getLogger("app.storage.s3")

_MISSING_CODES = {"NoSuchKey", "404", "NotFound", "NoSuchUpload"}
_DENIED_CODES = {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled",
                 "AccountProblem", "InvalidToken", "ExpiredToken", "RequestTimeTooSkewed"}
_UNAVAILABLE_CODES = {"NoSuchBucket", "SlowDown", "ServiceUnavailable", "InternalError", "503", "500",
                      "RequestTimeout", "Throttling", "ThrottlingException", "RequestLimitExceeded"}
_CHANGED_CODES = {"PreconditionFailed", "412"}


def error_code(exc: ClientError) -> str:
    """The S3 error code of a ClientError (or its HTTP status)."""
    error = exc.response.get("Error", {}) or {}
    return str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "")


def translate_exc(exc: Exception, what: str) -> RegistryError:
    """Map a boto error to a registry error whose message is safe to show to clients."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _MISSING_CODES or (status == 404 and code != "NoSuchBucket"):
            return NotFound(f"{what} not found")
        if code in _CHANGED_CODES:
            return Conflict("the file changed while it was being read; retry")
        if code in _DENIED_CODES or status == 403:
            log.warning("object storage refused %s: %s", what, code)
            return StorageRejected(f"object storage refused access ({code})")
        if code == "NoSuchBucket":
            return StorageUnavailable(missing_bucket_message(exc.response.get("Error", {}).get("BucketName")))
        if code in _UNAVAILABLE_CODES or (isinstance(status, int) and status >= 500):
            log.warning("object storage unavailable for %s: %s", what, code)
            return StorageUnavailable(f"object storage unavailable ({code})")
        log.warning("object storage error for %s: %s", what, code)
        return StorageRejected(f"object storage error ({code or 'unknown'})")
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        log.warning("object storage credentials missing: %s", exc)
        return StorageUnavailable("object storage credentials are not configured")
    log.warning("object storage unreachable for %s: %s", what, exc)
    return StorageUnavailable(f"object storage unreachable ({type(exc).__name__})")


def missing_bucket_message(bucket: str | None) -> str:
    """Which bucket (FLOWTIME_STORAGE_URL) is missing and how to create it."""
    name = bucket or "<bucket>"
    return (f"object storage unavailable (NoSuchBucket): the bucket {name} of FLOWTIME_STORAGE_URL does not exist; "
            f"create it first (e.g. `aws s3 mb s3://{name}`, with --endpoint-url for an S3-compatible store)")


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Re-raise boto errors inside the block as registry errors."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise translate_exc(exc, what) from None


class RangeReader(io.RawIOBase):
    """A raw, seekable reader of one object: every read is one ranged GetObject (ETag-pinned)."""

    def __init__(self, storage, object_key: str, size: int, etag: str | None):
        super().__init__()
        self._storage = storage
        self._object_key = object_key
        self._size = size
        self._etag = etag
        self._pos = 0
        self.name = object_key

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def size(self) -> int:
        return self._size

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"invalid whence: {whence}")
        if position < 0:
            raise OSError(22, "negative seek position")
        self._pos = position
        return position

    def _fetch(self, start: int, end: int) -> bytes:
        """Bytes [start, end] inclusive (both within the object)."""
        extra = {"IfMatch": self._etag} if self._etag else {}
        with translated("file"):
            response = self._storage.client.get_object(
                Bucket=self._storage.bucket, Key=self._object_key, Range=f"bytes={start}-{end}", **extra)
            body = response["Body"]
            try:
                return body.read()
            finally:
                body.close()

    def readinto(self, buffer) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        data = self._fetch(self._pos, self._pos + want - 1)
        count = len(data)
        view[:count] = data
        self._pos += count
        return count

    def readall(self) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if self._pos >= self._size:
            return b""
        data = self._fetch(self._pos, self._size - 1)
        self._pos += len(data)
        return data
