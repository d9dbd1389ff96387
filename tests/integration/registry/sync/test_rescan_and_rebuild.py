"""User edits, tombstones and missing folders across rescans, rebuilds and database loss."""

import json
import os
import shutil
import time

import pytest

from app.registry.mirror import read_index
from app.registry.service import (
    delete_artifact,
    get_artifact,
    list_artifacts,
    update_artifact,
)
from app.registry.store.listing import ListQuery
from app.registry.sync.rescan import bootstrap, rebuild, rescan
from tests.conftest import make_app

HELLO = "run_20250921T161133Z_0bcdbb6f"
CLAMP = "run_20251002T141500Z_9f8e7d6c"


@pytest.fixture
def ctx(sample_data_dir):
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    yield ctx
    ctx.close()


def test_user_edits_survive_rescan_and_rebuild(ctx):
    update_artifact(ctx, CLAMP, {"title": "Edited", "description": "mine", "tags": ["x", "y"]})
    delete_artifact(ctx, "run_deterministic_4bbc610e")
    rescan(ctx)
    assert get_artifact(ctx, CLAMP).title == "Edited"
    ctx.mirror.sync()
    rebuild(ctx)
    clamp = get_artifact(ctx, CLAMP)
    assert (clamp.title, clamp.description, clamp.tags) == ("Edited", "mine", ["x", "y"])
    assert get_artifact(ctx, "run_deterministic_4bbc610e", include_deleted=True).deleted_at is not None
    assert rescan(ctx).restored == 0  # a rescan never resurrects a user deletion


def test_deleting_the_database_restores_everything(sample_data_dir):
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    update_artifact(ctx, CLAMP, {"title": "Kept across DB loss"})
    delete_artifact(ctx, HELLO)
    ctx.mirror.sync()
    ctx.close()
    for suffix in ("", "-wal", "-shm"):
        path = sample_data_dir / f"registry.db{suffix}"
        if path.exists():
            path.unlink()
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    assert get_artifact(ctx, CLAMP).title == "Kept across DB loss"
    hello = get_artifact(ctx, HELLO, include_deleted=True)
    assert hello.deleted_at is not None and hello.title == "Hello baseline (reviewed)"
    assert get_artifact(ctx, CLAMP).derived_from == ["model_20251002T140000Z_5e5e5e5e"]
    ctx.close()


def test_missing_folder_is_flagged_and_comes_back_with_edits(ctx, sample_data_dir):
    update_artifact(ctx, CLAMP, {"title": "Before unmount"})
    shutil.move(sample_data_dir / CLAMP, sample_data_dir.parent / "aside")
    report = rescan(ctx)
    assert report.removed == 1
    gone = get_artifact(ctx, CLAMP, include_deleted=True)
    assert gone.metadata["missing"] is True and gone.deleted_at is not None
    shutil.move(sample_data_dir.parent / "aside", sample_data_dir / CLAMP)
    report = rescan(ctx)
    assert report.restored == 1
    back = get_artifact(ctx, CLAMP)
    assert back.title == "Before unmount" and "missing" not in back.metadata


def test_auto_discovery_picks_up_a_folder_written_by_another_process(ctx, sample_data_dir):
    source = sample_data_dir / HELLO
    temp = sample_data_dir / ".incoming"
    shutil.copytree(source, temp)
    os.rename(temp, sample_data_dir / "run_20260101T000000Z_abcdef01")
    ids = {r.id for r in list_artifacts(ctx, ListQuery(limit=100, include_archived=True)).records}
    assert "run_20260101T000000Z_abcdef01" in ids


def test_half_written_dot_folders_are_never_indexed(ctx, sample_data_dir):
    shutil.copytree(sample_data_dir / HELLO, sample_data_dir / ".tmp-run_20260101T000000Z_00000000")
    ids = {r.id for r in list_artifacts(ctx, ListQuery(limit=100, include_archived=True)).records}
    assert not any(i.startswith(".") for i in ids)
    assert rescan(ctx).added == 0


def test_folder_removed_by_another_process_is_flagged_on_next_list(ctx, sample_data_dir):
    shutil.rmtree(sample_data_dir / "run_deterministic_4bbc610e")
    ids = {r.id for r in list_artifacts(ctx, ListQuery(limit=100, include_archived=True)).records}
    assert "run_deterministic_4bbc610e" not in ids
    assert get_artifact(ctx, "run_deterministic_4bbc610e", include_deleted=True).metadata["missing"]


def test_mirror_catches_up_in_the_background(ctx):
    for i in range(20):
        update_artifact(ctx, CLAMP, {"title": f"burst {i}"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with ctx.reading() as registry:
            generation = registry.generation()
        index = read_index(ctx.storage)
        if index and index.get("generation") == generation:
            break
        time.sleep(0.05)
    index = read_index(ctx.storage)
    assert index["generation"] == generation
    assert next(a for a in index["artifacts"] if a["id"] == CLAMP)["title"] == "burst 19"


def test_mirror_is_complete_valid_json_with_deleted_ones(ctx):
    delete_artifact(ctx, HELLO)
    ctx.mirror.sync()
    raw = ctx.storage.read_bytes("registry-index.json")
    doc = json.loads(raw)
    assert set(doc) == {"version", "updated", "generation", "artifact_count", "registry", "artifacts"}
    assert doc["updated"].endswith("Z")
    hello = next(a for a in doc["artifacts"] if a["id"] == HELLO)
    assert hello["deleted_at"].endswith("Z")


def test_concurrent_rescan_is_refused(ctx):
    from app.errors import Conflict
    from app.registry.locks import file_lock

    with file_lock(ctx.config.data_dir / ".rescan.lock"):
        with pytest.raises(Conflict):
            rescan(ctx)
