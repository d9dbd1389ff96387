"""Artifact byte storage, with the backend chosen by URL scheme in one place."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from app.errors import ConfigError
from app.storage.base import FileInfo, FolderWriter, Storage
from app.storage.local import LocalStorage

__all__ = ["FileInfo", "FolderWriter", "Storage", "LocalStorage", "get_storage"]


def _local(url: str) -> Storage:
    return LocalStorage(unquote(urlparse(url).path))


_BACKENDS = {"file": _local}


def get_storage(url: str) -> Storage:
    """Build the storage backend for a URL (`file:///srv/data`; more schemes join `_BACKENDS`)."""
    scheme = urlparse(url).scheme or "file"
    try:
        factory = _BACKENDS[scheme]
    except KeyError:
        raise ConfigError(f"unsupported storage scheme: {scheme}") from None
    return factory(url)
