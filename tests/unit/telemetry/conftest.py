"""Fixtures for the telemetry import tests: a LocalStorage on tmp_path and an importer bound to it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.storage.local import LocalStorage
from app.telemetry import import_telemetry


class Importer:
    """Calls import_telemetry against one storage and spool dir; helpers to assert nothing is left."""

    def __init__(self, root: Path):
        self.root = root / "data"
        self.storage = LocalStorage(self.root)
        self.spool = self.root / ".uploads"

    def __call__(self, data: bytes, filename: str | None = "upload.csv", max_bytes: int = 10_000_000, **kw):
        return import_telemetry(self.storage, io.BytesIO(data), spool_dir=self.spool, max_bytes=max_bytes,
                                filename=filename, **kw)

    def leftovers(self) -> list[str]:
        """Everything under the data dir except the (empty) spool folder itself."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p != self.spool
                      and not (p.is_dir() and p.name == "telemetry" and not any(p.iterdir())))


@pytest.fixture
def importer(tmp_path) -> Importer:
    return Importer(tmp_path)
