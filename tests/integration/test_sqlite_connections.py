"""What every SQLite connection is set up with: WAL, NORMAL sync, and a memory map only when configured."""

import pytest

from app.config import Config
from app.db import SQLITE_MMAP_CAP_BYTES, Database


def _pragmas(tmp_path, **settings) -> dict:
    config = Config.from_env({f"FLOWTIME_{k.upper()}": str(v) for k, v in settings.items()})
    db = Database(f"sqlite:///{tmp_path / 'r.db'}", config.sqlite_mmap_mb)
    try:
        with db.engine.connect() as connection:
            raw = connection.connection.driver_connection
            return {name: raw.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "synchronous", "mmap_size", "foreign_keys")}
    finally:
        db.dispose()


def test_connections_read_without_a_memory_map_by_default(tmp_path):
    assert _pragmas(tmp_path) == {"journal_mode": "wal", "synchronous": 1, "mmap_size": 0, "foreign_keys": 1}


@pytest.mark.parametrize(("mb", "expected"), [(64, 64 * 1024 * 1024), (1_000_000, SQLITE_MMAP_CAP_BYTES)])
def test_a_configured_memory_map_is_capped_at_what_sqlite_allows(tmp_path, mb, expected):
    assert _pragmas(tmp_path, sqlite_mmap_mb=mb)["mmap_size"] == expected
