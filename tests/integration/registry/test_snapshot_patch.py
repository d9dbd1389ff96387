"""registry-index.json patched with what changed is byte for byte the full export (the `updated` line aside)."""

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.errors import RegistryError
from app.registry import lineage, mirror_writer
from app.registry.maintenance import purge
from app.registry.mirror import INDEX_NAME, SnapshotUnreadable, patch_index, write_index
from app.registry.service import delete_artifact, register_folder, restore_artifact, update_artifact
from app.registry.store.repository import ArtifactRepository
from app.registry.store.rewrites import ITEMISED_UP_TO
from app.registry.sync.rescan import bootstrap
from app.startup import prepare
from tests.conftest import make_app
from tests.helpers import write_run

OPERATIONS = ("edit", "delete", "restore", "link", "run", "duplicate", "purge")


def _indexed(data_dir):
    """A registry that has discovered its folders, with a snapshot of them."""
    ctx = make_app(data_dir).extensions["flowtime"]
    ctx.mirror.close()
    bootstrap(ctx)
    write_index(ctx.db, ctx.storage)
    return ctx


def _without_updated(snapshot: bytes) -> list[bytes]:
    return [line for line in snapshot.splitlines() if not line.startswith(b'  "updated":')]


def _apply(ctx, data_dir, ids: list[str], operation: str, pick: int, other: int, serial: int) -> None:
    target, source = ids[pick % len(ids)], ids[other % len(ids)]
    try:
        if operation == "edit":
            update_artifact(ctx, target, {"title": f"Edit {serial} ü", "tags": [f"t{serial % 3}", "x"]}, actor="a")
        elif operation == "delete":
            delete_artifact(ctx, target, actor="a")
        elif operation == "restore":
            restore_artifact(ctx, target, actor="a")
        elif operation == "link":
            lineage.link(ctx, target, [source], actor="a")
        elif operation in ("run", "duplicate"):
            run_id = f"run_20250301T00{serial // 60 % 60:02d}{serial % 60:02d}Z_{serial:08x}"
            write_run(data_dir, run_id, scenario_hash="sha256:" + "ab" * 32 if operation == "duplicate" else None)
            register_folder(ctx, run_id, "run")
            ids.append(run_id)
        elif operation == "purge":
            purge(ctx, [{"id": target}])
    except RegistryError:  # a 4xx the API would answer (a cycle, an artifact deleted or gone): nothing changed
        pass


def _patched_equals_exported(ctx) -> None:
    assert patch_index(ctx.db, ctx.storage) is not None
    patched = ctx.storage.read_bytes(INDEX_NAME)
    write_index(ctx.db, ctx.storage)
    assert _without_updated(patched) == _without_updated(ctx.storage.read_bytes(INDEX_NAME))


def test_a_patched_snapshot_equals_the_full_export_after_any_changes(data_dir, monkeypatch):
    monkeypatch.setattr(mirror_writer, "CHILD_PROCESS_FROM", 10**9)
    ids = [f"run_20250101T0000{n:02d}Z_0000000{n}" for n in range(4)]
    for n, run_id in enumerate(ids):
        write_run(data_dir, run_id, title=f"Run {n}", scenario_hash="sha256:" + "ab" * 32 if n < 2 else None)
    ctx = _indexed(data_dir)
    serial = iter(range(1, 10**6))

    @settings(max_examples=40, deadline=None)
    @example([("delete", 0, 0)])  # the head of the duplicate group (runs 0 and 1) moves to run 1
    @example([("restore", 0, 0), ("duplicate", 0, 0)])
    @example([("link", 2, 3), ("purge", 3, 0), ("delete", 3, 0), ("purge", 3, 0)])
    @given(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 50), st.integers(0, 50)), max_size=6))
    def changes_then_patch(operations):
        for operation, pick, other in operations:
            _apply(ctx, data_dir, ids, operation, pick, other, next(serial))
        _patched_equals_exported(ctx)

    changes_then_patch()
    ctx.close()


def test_a_commit_too_large_to_itemise_makes_the_next_snapshot_a_full_export(data_dir, monkeypatch):
    monkeypatch.setattr("app.registry.store.rewrites.ITEMISED_UP_TO", 2)
    for n in range(4):
        write_run(data_dir, f"run_20250101T0000{n:02d}Z_0000000{n}")
    ctx = _indexed(data_dir)
    update_artifact(ctx, "run_20250101T000000Z_00000000", {"title": "one"}, actor="a")
    assert patch_index(ctx.db, ctx.storage) is not None
    with ctx.writing() as registry:  # three documents in one commit: over the (patched) bound of two
        for n in range(1, 4):
            record = registry.get(f"run_20250101T0000{n:02d}Z_0000000{n}")
            registry.save(record.with_user_edits({"title": f"bulk {n}"}))
    assert patch_index(ctx.db, ctx.storage) is None
    assert ITEMISED_UP_TO == 10_000
    ctx.close()


def test_the_mirror_writer_patches_and_forgets_what_the_snapshot_holds(data_dir, monkeypatch, caplog):
    monkeypatch.setattr(mirror_writer, "CHILD_PROCESS_FROM", 10**9)
    write_run(data_dir, "run_20250101T000000Z_00000001", title="First")
    ctx = make_app(data_dir).extensions["flowtime"]
    ctx.mirror.close()
    update_artifact(ctx, "run_20250101T000000Z_00000001", {"title": "Discovered"}, actor="a")
    ctx.mirror.sync_here(force=True)
    update_artifact(ctx, "run_20250101T000000Z_00000001", {"title": "Patched"}, actor="a")
    caplog.set_level("INFO", logger="app.registry.mirror_writer")
    assert ctx.mirror.sync_here() is True
    assert "patched" in caplog.text
    assert b'"title": "Patched"' in ctx.storage.read_bytes(INDEX_NAME)
    with ctx.db.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM snapshot_rewrites").scalar_one() == 0
        counted = ArtifactRepository(connection).state("mirror_cpu_s")
    update_artifact(ctx, "run_20250101T000000Z_00000001", {"title": "Patched again"}, actor="a")
    assert ctx.mirror.sync_here() is True
    with ctx.db.read() as connection:  # every rewrite counts its CPU into the total the benchmark reads
        assert float(ArtifactRepository(connection).state("mirror_cpu_s")) > float(counted) > 0
    ctx.close()


def test_start_up_rewrites_the_snapshot_outside_the_cpu_share(data_dir):
    write_run(data_dir, "run_20250101T000000Z_00000001")
    prepare({"data_dir": data_dir, "mirror_process": False})
    ctx = make_app(data_dir).extensions["flowtime"]
    with ctx.db.read() as connection:
        state = ArtifactRepository(connection)
        assert float(state.state("mirror_export_s")) == 0 and int(state.state("mirror_generation")) == state.generation()
    ctx.close()


def test_a_snapshot_not_laid_out_as_written_is_exported_not_patched(data_dir, monkeypatch):
    monkeypatch.setattr(mirror_writer, "CHILD_PROCESS_FROM", 10**9)
    write_run(data_dir, "run_20250101T000000Z_00000001", title="First")
    ctx = _indexed(data_dir)
    ctx.storage.write_bytes(INDEX_NAME, ctx.storage.read_bytes(INDEX_NAME)[:-1])  # valid JSON, last newline gone
    update_artifact(ctx, "run_20250101T000000Z_00000001", {"title": "Exported"}, actor="a")
    with pytest.raises(SnapshotUnreadable):
        patch_index(ctx.db, ctx.storage)
    assert ctx.mirror.sync_here() is True
    doc = json.loads(ctx.storage.read_bytes(INDEX_NAME))
    assert [a["title"] for a in doc["artifacts"]] == ["Exported"]
    ctx.close()
