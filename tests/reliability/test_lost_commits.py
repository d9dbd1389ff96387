"""A lost or damaged WAL rolls the database back; start-up re-applies the newer mirror and never overwrites it."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from app.registry.mirror import MirrorAhead, mirror_generation
from app.startup import prepare
from tests.conftest import EXAMPLES, make_app
from tests.reliability.conftest import sample_registry

HELLO = (EXAMPLES / "hello.yaml").read_bytes()
WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n"
DB_FILES = ("registry.db", "registry.db-wal", "registry.db-shm")
RUN_EDITED_LATE = "run_20250921T161133Z_0bcdbb6f"


def _snapshot(client) -> dict:
    listed = client.get("/v1/artifacts?include_deleted=true&include_archived=true&limit=1000").json["artifacts"]
    return {a["id"]: (a["type"], a["title"], a.get("description"), sorted(a["tags"]), a["deleted_at"] is not None,
                      sorted(a["relationships"]["derived_from"]), sorted(a["relationships"]["generates"]),
                      _history(client, a["id"]))
            for a in listed}


def _history(client, artifact_id: str) -> list:
    """The artifact's edit history (user state too: it must come back with the rest)."""
    return client.get(f"/v1/artifacts/{artifact_id}/history?limit=1000").json["history"]


def _no_checkpoints(engine) -> None:
    """Committed changes stay in registry.db-wal (as they do between SQLite's automatic checkpoints)."""
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA wal_autocheckpoint=0"))
    engine.dispose()


def _acknowledged_edits_after_a_checkpoint(tmp_path: Path):
    """A registry checkpointed into registry.db, then edits that live only in the WAL; copies of both files."""
    app, ctx, data_dir = sample_registry(tmp_path)
    client = app.test_client()
    early = client.post("/v1/run?seed=1", data=HELLO, content_type="text/plain").json["runId"]
    assert client.delete("/v1/artifacts/run_20250923T120000Z_0000aaaa").status_code == 200
    ctx.mirror.sync_here()
    _no_checkpoints(ctx.db.engine)
    with ctx.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    # acknowledged after the checkpoint: every kind of user edit, and new artifacts
    run = client.post("/v1/run?seed=3", data=HELLO, content_type="text/plain").json["runId"]
    model = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}).json["artifactId"]
    telemetry = client.post("/v1/telemetry", data={"file": (io.BytesIO(WIDE), "t.csv")},
                            content_type="multipart/form-data").json["id"]
    for method, url, body in [
        ("patch", f"/v1/artifacts/{run}", {"title": "Edited run", "description": "kept", "tags": ["keep"]}),
        ("put", f"/v1/artifacts/{early}", {"title": "Edited early run", "tags": ["baseline"]}),
        ("patch", "/v1/artifacts/run_20250921T161133Z_0bcdbb6f", {"description": "described later"}),
        ("post", f"/v1/artifacts/{telemetry}/relationships", {"derived_from": [run]}),
        ("delete", "/v1/artifacts/run_20250922T090000Z_1a2b3c4d", None),
        ("post", "/v1/artifacts/run_20250923T120000Z_0000aaaa/restore", None),
        ("post", "/v1/artifacts/archive", [model]),
    ]:
        response = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
        assert response.status_code == 200, (url, response.json)
    ctx.mirror.sync_here()
    before, generation = _snapshot(client), mirror_generation(ctx.storage)
    copies = tmp_path / "copies"
    copies.mkdir()
    for name in DB_FILES[:2]:
        shutil.copyfile(data_dir / name, copies / name)  # taken while the server runs, as a backup tool would
    assert (copies / "registry.db-wal").stat().st_size > 0
    ctx.close()
    for name in DB_FILES:
        (data_dir / name).unlink(missing_ok=True)
    return data_dir, copies, before, generation


def _damage_wal_checksums(wal: Path) -> None:
    raw = bytearray(wal.read_bytes())
    raw[32 + 16:32 + 24] = bytes(b ^ 0xFF for b in raw[32 + 16:32 + 24])  # the first frame's checksum
    wal.write_bytes(bytes(raw))


def _restored(data_dir: Path, copies: Path, damage: str) -> None:
    shutil.copyfile(copies / "registry.db", data_dir / "registry.db")
    if damage == "checksums":
        shutil.copyfile(copies / "registry.db-wal", data_dir / "registry.db-wal")
        _damage_wal_checksums(data_dir / "registry.db-wal")


@pytest.mark.parametrize("damage", ["lost-wal", "checksums"])
def test_restart_reapplies_every_acknowledged_edit_from_the_mirror(tmp_path, damage, caplog):
    data_dir, copies, before, generation = _acknowledged_edits_after_a_checkpoint(tmp_path)
    _restored(data_dir, copies, damage)
    database = sqlite3.connect(data_dir / "registry.db")
    rolled_back = int(database.execute("SELECT value FROM registry_state WHERE key='generation'").fetchone()[0])
    database.close()
    assert rolled_back < generation  # the damage really lost commits
    mirror_before = (data_dir / "registry-index.json").read_bytes()
    prepare({"data_dir": data_dir, "mirror_process": False})
    app = make_app(data_dir)
    try:
        assert _snapshot(app.test_client()) == before
        ctx = app.extensions["flowtime"]
        with ctx.reading() as registry:
            assert registry.generation() > generation
    finally:
        app.extensions["flowtime"].close()
    assert any("lost committed changes" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    mirror = json.loads((data_dir / "registry-index.json").read_text())
    assert mirror["generation"] > generation and mirror_before != (data_dir / "registry-index.json").read_bytes()
    mirrored = {a["id"]: a for a in mirror["artifacts"]}
    assert {i: (a["title"], a["deleted_at"] is not None) for i, a in mirrored.items()} == {
        i: (s[1], s[4]) for i, s in before.items()}


def test_the_mirror_writer_never_overwrites_a_newer_mirror(tmp_path):
    data_dir, copies, before, generation = _acknowledged_edits_after_a_checkpoint(tmp_path)
    _restored(data_dir, copies, "lost-wal")
    mirror = (data_dir / "registry-index.json").read_bytes()
    app = make_app(data_dir)  # no start-up step: a worker that opens the rolled-back database directly
    ctx = app.extensions["flowtime"]
    client = app.test_client()
    try:
        assert client.patch(f"/v1/artifacts/{RUN_EDITED_LATE}", json={"title": "late"}).status_code == 200
        with pytest.raises(MirrorAhead) as refused:
            ctx.mirror.sync_here()
        assert "ahead of the database" in str(refused.value) and "registry rebuild" in str(refused.value)
        assert (data_dir / "registry-index.json").read_bytes() == mirror
        health = client.get("/healthz")
        assert health.status_code == 503 and "ahead of the database" in health.json["checks"]["mirror"]
        # later writes carry the database past the mirror's generation: still never overwritten
        for i in range(generation + 2):
            assert client.put(f"/v1/artifacts/{RUN_EDITED_LATE}", json={"tags": [f"late{i}"]}).status_code == 200
        with pytest.raises(MirrorAhead):
            ctx.mirror.sync_here()
    finally:
        ctx.mirror.background = False
        ctx.close()
    assert (data_dir / "registry-index.json").read_bytes() == mirror
    # the next start-up re-applies the mirror; fields edited since keep their later values
    prepare({"data_dir": data_dir, "mirror_process": False})
    app = make_app(data_dir)
    try:
        after = _snapshot(app.test_client())
    finally:
        app.extensions["flowtime"].close()
    late = before[RUN_EDITED_LATE]
    edited_late = after.pop(RUN_EDITED_LATE)
    assert edited_late[:7] == (late[0], "late", "described later", [f"late{generation + 1}"], *late[4:7])
    assert all(entry in edited_late[7] for entry in late[7])  # the lost commits' history, beside the new edits
    assert after == {k: v for k, v in before.items() if k != RUN_EDITED_LATE}
    assert json.loads((data_dir / "registry-index.json").read_text())["generation"] > generation
