"""Fixtures for the compare tests: artifact records, storages over sample or hand-made run folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.registry.records import ArtifactRecord
from app.storage.local import LocalStorage
from app.timefmt import utcnow

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "sample-data"


@pytest.fixture
def make_record():
    """Factory: an ArtifactRecord with the given id (path defaults to the id)."""

    def build(artifact_id: str, type_: str = "run", path: str | None = None, **metadata) -> ArtifactRecord:
        now = utcnow()
        return ArtifactRecord(id=artifact_id, type=type_, title=f"title of {artifact_id}",
                              path=path or artifact_id, created=now, modified=now, metadata=metadata)

    return build


@pytest.fixture
def sample_storage() -> LocalStorage:
    """The sample run folders, read in place (compare only reads)."""
    return LocalStorage(SAMPLES)


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    """An empty LocalStorage under tmp_path."""
    return LocalStorage(tmp_path / "data")


@pytest.fixture
def write_run(tmp_path):
    """Factory: write a run folder with series/index.json and `t,value` CSVs straight to disk."""

    def write(run_id: str, series: dict[str, list], grid: dict | None = None, index: dict | None = None):
        folder = tmp_path / "data" / run_id
        (folder / "series").mkdir(parents=True)
        entries = []
        for sid, values in series.items():
            rows = "".join(f"{t},{v}\n" for t, v in enumerate(values))
            (folder / "series" / f"{sid}.csv").write_text("t,value\n" + rows)
            entries.append({"id": sid, "path": f"series/{sid}.csv", "componentId": sid.split("@")[1]})
        grid = grid or {"bins": 4, "binMinutes": 60}
        doc = index if index is not None else {"grid": grid, "series": entries}
        (folder / "series" / "index.json").write_text(json.dumps(doc))
        return folder

    return write
