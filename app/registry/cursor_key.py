"""The cursor signing key: FLOWTIME_CURSOR_KEY, or `<data dir>/.cursor-key` (created 0600 on first use)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = ".cursor-key"


def cursor_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, else the data directory's key file (every worker and process reads the same one)."""
    if configured:
        return configured.encode()
    path = Path(data_dir) / KEY_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        return _create(path)


def _read(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key (delete it to have a new one made)")
    return key


def _create(path: Path) -> bytes:
    """Write a new key to a temp file, then link it into place: two processes racing agree on one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(32).encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)  # fails if another process linked its key first: then that one is the key
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return _read(path)
