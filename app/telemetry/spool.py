"""Spool an upload to a temp file under a byte cap, sniffing its format and checking CSV text as it streams."""

from __future__ import annotations

import codecs
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import PayloadTooLarge
from app.storage.local import translate_os_errors
from app.telemetry.problems import bad_file

SPOOL_FOLDER = ".uploads"  # in the data directory; a dot-folder: never scanned, never served

CHUNK = 1024 * 1024
PARQUET_MAGIC = b"PAR1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class SpooledUpload:
    """The spooled bytes: where they are, how many, and the format their content shows."""

    path: Path
    size: int
    format: str


class _TextCheck:
    """Incremental check that CSV bytes are UTF-8 text without NUL bytes; reports the line of a problem."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._lines = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self._lines == 0 and chunk.startswith(UTF16_BOMS):
            raise bad_file("the file is UTF-16 text; save the CSV as UTF-8")
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise bad_file(f"the file contains NUL bytes (line {self._line_at(chunk, nul)}): it is binary or "
                           "UTF-16, not UTF-8 CSV text")
        try:
            self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            line = self._line_at(chunk, max(exc.start, 0))
            raise bad_file(f"the file is not valid UTF-8 text (line {line})") from None
        self._lines += chunk.count(b"\n")

    def _line_at(self, chunk: bytes, offset: int) -> int:
        return self._lines + chunk.count(b"\n", 0, offset) + 1


def _read_capped(stream: BinaryIO, remaining: int) -> bytes:
    return stream.read(min(CHUNK, remaining))


def _copy(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> tuple[int, str]:
    """Copy at most `max_bytes` (else 413); returns (size, format)."""
    size, head, check, fmt = 0, b"", None, None
    while True:
        chunk = _read_capped(stream, max_bytes + 1 - size)
        if chunk:
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"the upload is larger than {max_bytes} bytes",
                                      details={"file": [f"larger than the {max_bytes}-byte limit"]})
            out.write(chunk)
        if fmt is None:
            head += chunk
            if len(head) < len(PARQUET_MAGIC) and chunk:
                continue
            fmt = "parquet" if head.startswith(PARQUET_MAGIC) else "csv"
            check = _TextCheck() if fmt == "csv" else None
            chunk = head
        if check is not None:
            check.feed(chunk, final=not chunk)
        if not chunk:
            return size, fmt


IN_MEMORY_BYTES = 500 * 1024  # smaller multipart files stay in memory, as werkzeug's own factory keeps them


class _Discard:
    """A write-only sink: checking a file already spooled reads it once and writes nothing."""

    def write(self, data: bytes) -> int:
        return len(data)


def spool_stream_factory(spool_dir: Path):
    """werkzeug's multipart stream factory, writing big file parts straight into `spool_dir` (the data disk).

    The part is then checked where it lies (spooled_upload), never copied a second time; a killed worker's
    leftover is an `upload-*` file that start-up sweeps.
    """

    def factory(total_content_length: int | None, content_type: str | None, filename: str | None,
                content_length: int | None = None) -> BinaryIO:
        if total_content_length is not None and total_content_length <= IN_MEMORY_BYTES:
            return io.BytesIO()
        spool_dir.mkdir(parents=True, exist_ok=True)
        with translate_os_errors():
            return tempfile.NamedTemporaryFile(dir=spool_dir, prefix="upload-", suffix=".part")

    return factory


def _spooled_in(stream: BinaryIO, spool_dir: Path) -> Path | None:
    name = getattr(stream, "name", None)
    if not isinstance(name, str) or not stream.seekable():
        return None
    path = Path(name)
    return path if path.parent == spool_dir and path.is_file() else None


@contextmanager
def spooled_upload(stream: BinaryIO, spool_dir: Path, max_bytes: int) -> Iterator[SpooledUpload]:
    """Spool `stream` into `spool_dir` (or check it where it lies when it is already there); the temp file is
    removed when the block exits, whatever happens (one already spooled by werkzeug, when the request ends)."""
    spool_dir = Path(spool_dir)
    if (path := _spooled_in(stream, spool_dir)) is not None:
        stream.seek(0)
        with translate_os_errors():
            size, fmt = _copy(stream, _Discard(), max_bytes)
        yield SpooledUpload(path=path, size=size, format=fmt)
        return
    spool_dir.mkdir(parents=True, exist_ok=True)
    with translate_os_errors():
        fd, name = tempfile.mkstemp(dir=spool_dir, prefix="upload-", suffix=".part")
    path = Path(name)
    try:
        with translate_os_errors(), os.fdopen(fd, "wb") as out:
            size, fmt = _copy(stream, out, max_bytes)
        yield SpooledUpload(path=path, size=size, format=fmt)
    finally:
        path.unlink(missing_ok=True)
