"""Local-disk storage: atomic writes through dot-named temp files and folders, no symlink escapes."""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.errors import Conflict, NotFound, StorageFull, StorageUnavailable
from app.storage import local_log
from app.storage.base import FileInfo, FolderWriter, Storage
from app.storage.paths import is_unlisted_name

# Folders whose mtime changes when an artifact folder is added or removed (see change_token).
WATCHED_FOLDERS = ("", "runs", "models", "telemetry")


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (after a rename) to disk."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_FSYNC_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fsync")


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if os.path.isdir(path) else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and folder below `root` to disk, concurrently (fsync releases the GIL)."""
    paths = [os.path.join(folder, name) for folder, _, files in os.walk(root) for name in files]
    paths += [folder for folder, _, _ in os.walk(root)]
    with translate_os_errors():
        for done in [_FSYNC_POOL.submit(_fsync_path, path) for path in paths]:
            done.result()


@contextmanager
def translate_os_errors() -> Iterator[None]:
    """Turn disk-full and similar OS errors into registry errors with the right status."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageFull("no space left on the storage") from exc
        if exc.errno == errno.EIO:  # a failing disk or a dropped network mount: a 503, not a 500
            raise StorageUnavailable("the storage reported an I/O error; retry shortly",
                                     headers={"Retry-After": "5"}) from exc
        raise


class TempFolderWriter(FolderWriter):
    """Writes a folder's files into a local temp directory (renamed or uploaded by its storage)."""

    def __init__(self, temp_dir: Path):
        self._temp_dir = temp_dir

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.open(name) as handle:
            handle.write(data)

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        target = self._temp_dir / name
        if self._temp_dir.resolve() not in target.resolve().parents:
            raise NotFound("not found")
        target.parent.mkdir(parents=True, exist_ok=True)
        with translate_os_errors(), open(target, "wb") as handle:
            yield handle


class LocalStorage(Storage):
    """Artifact folders on a local (or mounted) filesystem under one root directory."""

    scheme = "file"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    # -- resolution ---------------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        """Absolute path for a key, refusing anything that resolves outside the root."""
        candidate = Path(os.path.realpath(self.root / key)) if key else self.root
        if candidate != self.root and self.root not in candidate.parents:
            raise NotFound("not found")
        return candidate

    def _visible(self, entry: os.DirEntry) -> bool:
        if is_unlisted_name(entry.name) or entry.is_symlink():
            return False
        return True

    # -- reading ------------------------------------------------------------------------------
    def list_folders(self, prefix: str = "") -> list[str]:
        try:
            base = self._path(prefix)
            with os.scandir(base) as entries:
                return sorted(e.name for e in entries if self._visible(e) and e.is_dir(follow_symlinks=False))
        except (FileNotFoundError, NotADirectoryError, NotFound):
            return []

    def list_files(self, prefix: str) -> list[FileInfo]:
        base = self._path(prefix)
        if not base.is_dir():
            raise NotFound("folder not found")
        found: list[FileInfo] = []
        self._walk(base, "", found)
        found.sort(key=lambda info: info.name)
        return found

    def _walk(self, folder: Path, relative: str, found: list[FileInfo]) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if not self._visible(entry):
                continue
            name = f"{relative}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                self._walk(Path(entry.path), name + "/", found)
            elif entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                found.append(FileInfo(name=name, size=st.st_size, mtime=st.st_mtime))

    def stat(self, key: str) -> FileInfo:
        path = self._path(key)
        try:
            st = path.stat()
        except OSError as exc:
            raise NotFound("file not found") from exc
        if not path.is_file():
            raise NotFound("file not found")
        return FileInfo(name=key, size=st.st_size, mtime=st.st_mtime)

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).exists()
        except NotFound:
            return False

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if not path.is_file():
            raise NotFound("file not found")
        return open(path, "rb")

    # -- writing ------------------------------------------------------------------------------
    @contextmanager
    def write_folder(self, key: str, durable: bool = True) -> Iterator[FolderWriter]:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
        with translate_os_errors():
            temp.mkdir()
        try:
            yield TempFolderWriter(temp)
            if durable:
                fsync_tree(temp)
            if final.exists():
                raise Conflict(f"folder already exists: {key}")
            with translate_os_errors():
                os.rename(temp, final)
            if durable:
                fsync_dir(final.parent)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)

    @contextmanager
    def write_file(self, key: str) -> Iterator[BinaryIO]:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
        try:
            with translate_os_errors():
                with open(temp, "wb") as handle:
                    yield handle
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, final)
            fsync_dir(final.parent)
        finally:
            if temp.exists():
                temp.unlink()

    def delete_folder(self, key: str) -> None:
        path = self._path(key)
        if path == self.root:
            raise Conflict("refusing to delete the data directory")
        shutil.rmtree(path, ignore_errors=True)

    # -- append-only logs ---------------------------------------------------------------------
    def append_log(self, key: str, data: bytes) -> None:
        with translate_os_errors():
            local_log.append(self._path(key), data)

    def read_log(self, key: str) -> bytes:
        with translate_os_errors():
            return local_log.read(self._path(key))

    def rewrite_log(self, key: str, keep) -> None:
        with translate_os_errors():
            local_log.rewrite(self._path(key), keep, fsync_dir)

    # -- discovery ----------------------------------------------------------------------------
    def change_token(self) -> tuple:
        token = []
        for folder in WATCHED_FOLDERS:
            try:
                token.append(os.stat(self.root / folder).st_mtime_ns)
            except OSError:
                token.append(None)
        return tuple(token)

    def sweep_temp(self) -> int:
        """Remove leftover temp folders and files from interrupted writes; returns how many."""
        removed = 0
        for folder in WATCHED_FOLDERS:
            base = self.root / folder
            if not base.is_dir():
                continue
            for entry in os.scandir(base):
                if entry.name.startswith(".tmp-"):
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
                    removed += 1
        return removed

    def describe(self) -> str:
        return "local filesystem"
