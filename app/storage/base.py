"""The storage interface: artifact bytes, addressed by relative POSIX keys under one root.

Everything above this package reads and writes artifact files through a `Storage`; nothing else
touches the filesystem (or an object store) for artifact data. Keys are always relative
("run_x/series/a.csv"), validated by `app.storage.paths.clean_key` before they reach a backend.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileInfo:
    """One stored file: key relative to the listed prefix, size and modification time (epoch seconds)."""

    name: str
    size: int
    mtime: float


class FolderWriter(abc.ABC):
    """Collects the files of a folder being written; visible under its final key only on commit."""

    @abc.abstractmethod
    def write_bytes(self, name: str, data: bytes) -> None:
        """Write one file (relative name, may contain sub-folders)."""

    @abc.abstractmethod
    def open(self, name: str) -> AbstractContextManager[BinaryIO]:
        """Open one file for streaming binary writes."""


class Storage(abc.ABC):
    """Pluggable byte store for artifact folders."""

    scheme: str = ""

    @abc.abstractmethod
    def list_folders(self, prefix: str = "") -> list[str]:
        """Names of the visible sub-folders directly under `prefix` (internal and dot names excluded)."""

    @abc.abstractmethod
    def list_files(self, prefix: str) -> list[FileInfo]:
        """Every visible file below `prefix`, recursively, sorted by name (names relative to prefix)."""

    @abc.abstractmethod
    def stat(self, key: str) -> FileInfo:
        """Size and mtime of one file; raises `NotFound` when it is missing or not a file."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a file or folder exists at `key`."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open a file for binary, seekable reading; raises `NotFound`."""

    def read_bytes(self, key: str, limit: int | None = None) -> bytes:
        """Read a whole (small) file, or its first `limit` bytes."""
        with self.open(key) as handle:
            return handle.read() if limit is None else handle.read(limit)

    def iter_range(self, key: str, start: int, length: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
        """Yield `length` bytes from offset `start` in chunks (streamed, never buffered whole)."""
        with self.open(key) as handle:
            handle.seek(start)
            remaining = length
            while remaining > 0:
                block = handle.read(min(chunk, remaining))
                if not block:
                    break
                remaining -= len(block)
                yield block

    @abc.abstractmethod
    def write_folder(self, key: str, durable: bool = True) -> AbstractContextManager[FolderWriter]:
        """Write a new folder atomically: nothing is visible at `key` until the block exits cleanly.

        `durable=False` skips the fsyncs (bulk seeding only; the rename is still atomic).
        """

    @abc.abstractmethod
    def write_file(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write (or replace) one file atomically inside an existing folder."""

    def write_bytes(self, key: str, data: bytes) -> None:
        """Write (or replace) one small file atomically."""
        with self.write_file(key) as handle:
            handle.write(data)

    @abc.abstractmethod
    def delete_folder(self, key: str) -> None:
        """Remove a folder and everything below it (missing is not an error)."""

    # -- append-only logs (the registry journal) -------------------------------------------------
    @abc.abstractmethod
    def append_log(self, key: str, data: bytes) -> None:
        """Append `data` to the log at `key` (created if missing), durably, before returning."""

    @abc.abstractmethod
    def read_log(self, key: str) -> bytes:
        """Everything appended to the log at `key` that is still kept (b"" when there is none)."""

    @abc.abstractmethod
    def rewrite_log(self, key: str, keep: Callable[[bytes], bytes]) -> None:
        """Replace the log with `keep(current content)`; appends that race with it are never lost."""

    @abc.abstractmethod
    def change_token(self) -> tuple | None:
        """A cheap value that changes when artifact folders appear or vanish; None if unsupported."""

    @abc.abstractmethod
    def describe(self) -> str:
        """A short, path-free description for health checks."""
