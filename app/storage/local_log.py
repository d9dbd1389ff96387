"""Append-only logs on local disk: O_APPEND writes under an flock, fsynced before they count.

A log is one file. Appenders and the rewriter take an exclusive flock on the file itself; the rewriter
replaces it by rename, so an appender that opened the old file re-checks, once it holds the lock, that
its descriptor is still the file at the path (same inode) and reopens otherwise. A crash mid-append
leaves at worst a torn last line, which the log's reader (app.registry.journal) skips.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked_log(path: Path) -> Iterator[int]:
    """An O_APPEND descriptor of the file now at `path`, held under an exclusive flock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is not None and current.st_ino == os.fstat(fd).st_ino:
                yield fd
                return
        finally:
            os.close(fd)  # closing releases the flock


def append(path: Path, data: bytes) -> None:
    """Append and fdatasync (one write call, so concurrent appenders never interleave within it)."""
    with locked_log(path) as fd:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fdatasync(fd)


def read(path: Path) -> bytes:
    """The whole log, or b"" when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def rewrite(path: Path, keep: Callable[[bytes], bytes], fsync_dir: Callable[[Path], None]) -> None:
    """Replace the log with keep(content) by temp file + rename, holding the appenders' lock throughout."""
    with locked_log(path):
        kept = keep(read(path))
        # A fixed name of its own (not .tmp-*): one rewrite at a time holds the lock, a crash leaves it for the next.
        temp = path.with_name(f".{path.name}.rewrite")
        with open(temp, "wb") as handle:
            handle.write(kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_dir(path.parent)
