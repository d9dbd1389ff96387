"""purge only ever removes `<container>/<id>` folders; index entries that are not artifacts are refused."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from app.registry import maintenance
from app.registry.folders.scanner import is_artifact_key, layout_keys
from app.registry.records import ArtifactRecord
from app.registry.sync.index_import import apply_index
from app.registry.sync.rescan import bootstrap
from app.timefmt import utcnow
from tests.conftest import SAMPLE_DATA, make_app

HELLO = "grid: {bins: 3, binMinutes: 60}\nnodes:\n  - {id: demand, kind: const, values: [1, 2, 3]}\n"
# What an adopted index (or a hand-edited mirror) may name: containers, sub-folders, traversal, internals.
HOSTILE_IDS = ["models", "telemetry", "runs", "series", "..", ".", "", "registry.db", "registry-index.json",
               ".uploads", "x.lock", "a/b", "run_X/series", "../etc", "/etc", "run_X\\series", "a" * 300, 7, None]


def _world(tmp_path: Path):
    """Sample runs plus a model and a telemetry artifact, and a live run with its series/."""
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    (data_dir / "registry-index.json").unlink()
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    client = app.test_client()
    run = client.post("/v1/run", data=HELLO, content_type="text/plain").json["runId"]
    model = client.post("/v1/models", data=HELLO, content_type="text/plain").json
    model_id = model.get("artifactId") or model.get("id")
    assert (data_dir / "models" / model_id).is_dir() and (data_dir / run / "series").is_dir()
    return app, ctx, data_dir, run, model_id


def _tree(data_dir: Path) -> set[str]:
    return {str(p.relative_to(data_dir)) for p in data_dir.rglob("*")
            if not p.name.startswith((".", "registry"))}


@pytest.mark.parametrize("path", ["models", "telemetry", "runs", "", ".", "run_X/series", "models/other", "../x"])
def test_layout_helper_accepts_only_container_slash_id(path):
    assert not is_artifact_key(path, "run_X")
    assert is_artifact_key("run_X", "run_X") and is_artifact_key("runs/run_X", "run_X")
    assert is_artifact_key("models/m1", "m1", "model") and not is_artifact_key("models/m1", "m1", "run")
    assert layout_keys("models", "run") == ["runs/models"]  # never the container itself


def test_adopted_dotnet_index_with_hostile_ids_is_refused_and_purge_deletes_nothing_else(tmp_path):
    app, ctx, data_dir, run, model_id = _world(tmp_path)
    try:
        doc = {"schemaVersion": 1, "lastUpdated": "2025-10-03T08:00:00Z",
               "artifacts": [{"id": i, "type": t, "title": "hostile"} for i in HOSTILE_IDS
                             for t in ("run", "model")] + [{"id": f"{run}/series", "type": "run"}]}
        report = apply_index(ctx, doc)
        # a .NET run is a top-level run_* folder; a model named like a container lives in models/<id>
        kept = {"models", "telemetry", "runs", "series"}
        assert report.applied == len(kept) and len(report.refused) == len(doc["artifacts"]) - len(kept)
        with ctx.reading() as registry:
            stored = {r.id: (r.type, r.path) for r in registry.iter_all()}
        assert {i: stored[i] for i in kept} == {i: ("model", f"models/{i}") for i in kept}
        assert not set(stored) & ({str(i) for i in HOSTILE_IDS} - kept)
        before = _tree(data_dir)
        report = maintenance.purge(ctx, maintenance.purge_candidates(ctx, timedelta(0)))
        assert report.refused == [] and _tree(data_dir) == before
    finally:
        ctx.close()


@pytest.mark.parametrize("path", ["models", "telemetry", "runs", ".", "", "RUN/series", "../outside", "models/x/y"])
def test_our_mirror_with_hostile_paths_is_refused(tmp_path, path):
    app, ctx, data_dir, run, model_id = _world(tmp_path)
    try:
        entry = {"id": "run_20990101T000000Z_00000001", "type": "run", "title": "t", "description": "",
                 "created": "2025-01-01T00:00:00Z", "modified": "2025-01-01T00:00:00Z", "tags": [],
                 "path": path.replace("RUN", run), "deleted_at": "2025-01-01T00:00:00Z", "metadata": {}}
        report = apply_index(ctx, {"version": "1.0.0", "generation": 1, "artifacts": [entry]})
        assert report.applied == 0 and report.refused and report.refused[0][0] == entry["id"]
        assert ctx.reading().__enter__().get(entry["id"]) is None
    finally:
        ctx.close()


def _bad_row(ctx, artifact_id: str, path: str, artifact_type: str = "run") -> None:
    """A tombstone stored before ids and paths were checked (an older version adopted it unvalidated)."""
    record = ArtifactRecord(id=artifact_id, type=artifact_type, title="bad", path=path, created=utcnow(),
                            modified=utcnow(), deleted_at=utcnow() - timedelta(days=40))
    with ctx.writing() as registry:
        registry.add(record)


def test_purge_skips_rows_that_are_not_artifact_folders_and_purges_the_others(tmp_path):
    app, ctx, data_dir, run, model_id = _world(tmp_path)
    client = app.test_client()
    try:
        victim = "run_20250923T120000Z_0000aaaa"
        assert client.delete(f"/v1/artifacts/{victim}").status_code == 200
        _bad_row(ctx, "models", "models")
        _bad_row(ctx, "telemetry", "telemetry", "telemetry")
        _bad_row(ctx, "series", f"{run}/series")
        _bad_row(ctx, "zz-dot", ".")
        series_before = sorted(p.name for p in (data_dir / run / "series").iterdir())
        runner = app.test_cli_runner()
        done = runner.invoke(args=["registry", "purge", "--older-than", "0d", "--yes"])
        assert done.exit_code == 1, done.output  # something was refused: say so
        assert "purged 1" in done.output and "not purged models" in done.output
        assert not (data_dir / victim).exists()  # the real tombstone is gone
        assert (data_dir / "models" / model_id / "metadata.json").is_file()
        assert sorted(p.name for p in (data_dir / run / "series").iterdir()) == series_before
        assert client.get(f"/v1/artifacts/{run}").status_code == 200
    finally:
        ctx.close()


def test_one_failing_row_never_aborts_the_purge_of_the_others(tmp_path, monkeypatch):
    app, ctx, data_dir, run, model_id = _world(tmp_path)
    client = app.test_client()
    try:
        victims = ["run_20250921T161133Z_0bcdbb6f", "run_20250923T120000Z_0000aaaa", "run_20250925T101010Z_77aa88bb"]
        for victim in victims:
            assert client.delete(f"/v1/artifacts/{victim}").status_code == 200
        real_delete = ctx.storage.delete_folder

        def flaky(key):
            if key == victims[0]:
                raise PermissionError(13, "Permission denied")
            real_delete(key)

        monkeypatch.setattr(ctx.storage, "delete_folder", flaky)
        report = maintenance.purge(ctx, maintenance.purge_candidates(ctx, timedelta(0)))
        assert report.purged == 2 and [r["id"] for r in report.refused] == [victims[0]]
        assert not (data_dir / victims[1]).exists() and not (data_dir / victims[2]).exists()
        assert json.loads((data_dir / victims[0] / "run.json").read_text())  # its files were not touched
    finally:
        ctx.close()
