"""Acknowledged writes live in the journal before their response: a stale snapshot plus the journal restore them.

Every test here keeps registry-index.json behind on purpose (a long snapshot delay, no flush), so
the journal is the only copy of the edits outside the database.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from app.errors import StorageFull
from app.registry.journal import JOURNAL_NAME
from app.registry.mirror import mirror_generation
from app.startup import prepare
from tests.conftest import EXAMPLES, make_app
from tests.reliability.conftest import ERROR_KEYS, sample_registry
from tests.reliability.test_lost_commits import DB_FILES, _no_checkpoints, _snapshot

HELLO = (EXAMPLES / "hello.yaml").read_bytes()
WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n"


def _edits_only_in_the_journal(tmp_path: Path, lost: str):
    """Every kind of acknowledged write after the last snapshot; then the database is lost (`lost`)."""
    app, ctx, data_dir = sample_registry(tmp_path)
    ctx.mirror.close()  # writes what is pending, then stops: only the journal sees what follows
    ctx.mirror.sync_here()
    snapshot_generation = mirror_generation(ctx.storage)
    _no_checkpoints(ctx.db.engine)
    with ctx.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copyfile(data_dir / "registry.db", copies / "registry.db")  # the database before the edits
    client = app.test_client()
    run = client.post("/v1/run?seed=3", data=HELLO, content_type="text/plain").json["runId"]
    model = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}).json["artifactId"]
    telemetry = client.post("/v1/telemetry", data={"file": (io.BytesIO(WIDE), "t.csv")},
                            content_type="multipart/form-data").json["id"]
    for method, url, body in [
        ("patch", f"/v1/artifacts/{run}", {"title": "Edited run", "description": "kept", "tags": ["keep"]}),
        ("patch", "/v1/artifacts/run_20250921T161133Z_0bcdbb6f", {"description": "described later"}),
        ("post", f"/v1/artifacts/{telemetry}/relationships", {"derived_from": [run]}),
        ("delete", "/v1/artifacts/run_20250922T090000Z_1a2b3c4d", None),
        ("delete", "/v1/artifacts/run_20250923T120000Z_0000aaaa", None),
        ("post", "/v1/artifacts/run_20250923T120000Z_0000aaaa/restore", None),
        ("post", "/v1/artifacts/archive", [model]),
    ]:
        response = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
        assert response.status_code == 200, (url, response.json)
    before = _snapshot(client)
    assert mirror_generation(ctx.storage) == snapshot_generation  # the snapshot never moved
    ctx.db.dispose()  # no close(): a killed server flushes nothing
    for name in DB_FILES:
        (data_dir / name).unlink(missing_ok=True)
    if lost == "lost-wal":  # the database as it was before the edits, as a restored backup would be
        shutil.copyfile(copies / "registry.db", data_dir / "registry.db")
    return data_dir, before


def _restarted(data_dir: Path) -> dict:
    prepare({"data_dir": data_dir, "mirror_process": False})
    app = make_app(data_dir)
    try:
        return _snapshot(app.test_client())
    finally:
        app.extensions["flowtime"].close()


@pytest.mark.parametrize("lost", ["database-deleted", "lost-wal"])
def test_every_acknowledged_write_comes_back_from_snapshot_and_journal(tmp_path, lost):
    data_dir, before = _edits_only_in_the_journal(tmp_path, lost)
    assert _restarted(data_dir) == before


def test_a_torn_last_line_loses_nothing_acknowledged(tmp_path, caplog):
    data_dir, before = _edits_only_in_the_journal(tmp_path, "database-deleted")
    with open(data_dir / JOURNAL_NAME, "ab") as journal:
        journal.write(b'{"crc": "0badc0de", "entry": {"generation": 999, "id": "run_invented", "artif')
    assert _restarted(data_dir) == before  # nothing lost, nothing invented
    assert any("cut short" in r.getMessage() for r in caplog.records)


def test_garbage_after_the_journal_is_reported_and_invents_nothing(tmp_path, caplog):
    data_dir, before = _edits_only_in_the_journal(tmp_path, "database-deleted")
    with open(data_dir / JOURNAL_NAME, "ab") as journal:
        journal.write(b"\x00\xff garbage\n" * 5 + b'{"journal": 1, "registry": 5}\n')
    assert _restarted(data_dir) == before
    assert any("damaged line" in r.getMessage() for r in caplog.records)


def test_a_journal_of_another_registry_is_left_out_and_reported(tmp_path, caplog):
    data_dir, before = _edits_only_in_the_journal(tmp_path, "database-deleted")
    journal = data_dir / JOURNAL_NAME
    raw = journal.read_bytes()
    first_line = raw.split(b"\n", 1)[0]
    journal.write_bytes(first_line.replace(b'"registry": "', b'"registry": "0') + b"\n" + raw.split(b"\n", 1)[1])
    after = _restarted(data_dir)
    assert any("belongs to registry" in r.getMessage() for r in caplog.records)
    assert after != before  # its entries were not replayed into this registry
    assert "run_20250921T161133Z_0bcdbb6f" in after and after["run_20250921T161133Z_0bcdbb6f"][2] != "described later"


def test_a_full_disk_under_the_journal_is_a_507_and_the_snapshot_takes_the_change(tmp_path, monkeypatch):
    app, ctx, data_dir = sample_registry(tmp_path)
    ctx.mirror.sync_here()

    def full(*_args, **_kwargs):
        raise StorageFull("no space left on the storage")

    monkeypatch.setattr(ctx.storage, "append_log", full)
    response = app.test_client().patch("/v1/artifacts/run_20250921T161133Z_0bcdbb6f", json={"title": "On a full disk"})
    assert response.status_code == 507 and set(response.json) == ERROR_KEYS
    monkeypatch.undo()
    ctx.mirror.sync_here()  # the writer was woken at once; run it here to be deterministic
    assert b"On a full disk" in (data_dir / "registry-index.json").read_bytes()
    ctx.close()
