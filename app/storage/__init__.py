"""Artifact byte storage, with the backend chosen by URL scheme in one place."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from app.errors import ConfigError
from app.storage.base import FileInfo, FolderWriter, Storage
from app.storage.local import LocalStorage

__all__ = ["FileInfo", "FolderWriter", "Storage", "LocalStorage", "get_storage"]


def _local(url: str, **_options) -> Storage:
    return LocalStorage(unquote(urlparse(url).path))


def _s3(url: str, endpoint_url: str | None = None, **_options) -> Storage:
    from app.storage.s3 import S3Storage  # boto3 is imported only for s3:// URLs

    return S3Storage(url, endpoint_url=endpoint_url or None)


_BACKENDS = {"file": _local, "s3": _s3}


def get_storage(url: str, **options) -> Storage:
    """Build the storage backend for a URL: `file:///srv/data` or `s3://bucket/prefix`."""
    scheme = urlparse(url).scheme or "file"
    try:
        factory = _BACKENDS[scheme]
    except KeyError:
        raise ConfigError(f"unsupported storage scheme: {scheme}") from None
    return factory(url, **options)
