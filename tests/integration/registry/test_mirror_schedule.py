"""When the snapshot is written: `delay` after a change, at once for bulk changes, within the CPU share."""

from __future__ import annotations

import time

import pytest

from app.registry.service import update_artifact
from tests.conftest import make_app
from tests.helpers import write_run

RUN = "run_20250101T000000Z_00000001"


@pytest.fixture
def make_ctx(data_dir):
    made = []

    def build(**overrides):
        write_run(data_dir, RUN, title="Scheduled")
        app = make_app(data_dir, **overrides)
        app.test_client().get("/v1/artifacts")  # adopt the folder
        ctx = app.extensions["flowtime"]
        made.append(ctx)
        _wait_in_step(ctx, 10)
        return ctx

    yield build
    for ctx in made:
        ctx.close()


def _state(ctx, key: str) -> str | None:
    with ctx.reading() as registry:
        return registry.state(key)


def _in_step(ctx) -> bool:
    with ctx.reading() as registry:
        return int(registry.state("mirror_generation") or 0) == registry.generation()


def _wait_in_step(ctx, seconds: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _in_step(ctx):
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_a_change_is_journaled_at_once_and_snapshotted_after_the_delay(make_ctx, data_dir):
    ctx = make_ctx(mirror_delay_ms=1500)
    update_artifact(ctx, RUN, {"title": "Journaled first"})
    assert b"Journaled first" in (data_dir / "registry-journal.jsonl").read_bytes()  # before the call returned
    assert b"Journaled first" not in (data_dir / "registry-index.json").read_bytes()
    time.sleep(0.8)
    assert not _in_step(ctx)  # still inside the delay
    waited = _wait_in_step(ctx, 10)
    assert waited is not None
    assert b"Journaled first" in (data_dir / "registry-index.json").read_bytes()
    assert b"Journaled first" not in (data_dir / "registry-journal.jsonl").read_bytes()  # compacted away


def test_changes_within_the_delay_share_one_snapshot(make_ctx):
    ctx = make_ctx(mirror_delay_ms=800)
    exported_before = _state(ctx, "mirror_updated")
    for index in range(10):
        update_artifact(ctx, RUN, {"title": f"Burst {index}"})
        time.sleep(0.02)
    assert _wait_in_step(ctx, 10) is not None
    first = _state(ctx, "mirror_updated")
    assert first != exported_before
    time.sleep(1.2)
    assert _state(ctx, "mirror_updated") == first  # one snapshot for the ten changes


def test_the_cpu_share_spaces_snapshots_by_their_export_time(make_ctx):
    ctx = make_ctx(mirror_delay_ms=0, mirror_max_cpu=10)
    with ctx.writing() as registry:  # pretend the last export took 0.3 s and has just finished
        registry.set_state("mirror_export_s", "0.3")
        registry.set_state("mirror_finished_at", f"{time.time():.3f}")
    started = time.monotonic()
    update_artifact(ctx, RUN, {"title": "Rate bound"})
    waited = _wait_in_step(ctx, 10)
    assert waited is not None
    assert time.monotonic() - started >= 2.4  # 0.3 s x (100 / 10 - 1) = 2.7 s of rest


def test_a_bulk_change_is_snapshotted_without_waiting_for_the_delay(make_ctx, data_dir):
    ctx = make_ctx(mirror_delay_ms=60_000)
    with ctx.writing(bulk=True) as registry:
        registry.set_state("test_counter", "1")
    assert _wait_in_step(ctx, 10) is not None


def test_a_scheduled_rewrite_waits_out_the_rest_of_another_workers_rewrite(make_ctx):
    ctx = make_ctx(mirror_delay_ms=60_000, mirror_max_cpu=10)
    ctx.mirror.close()  # this test drives the writer's turns itself
    with ctx.writing() as registry:  # another worker's writer has just written a snapshot costing 5 s of CPU
        registry.set_state("mirror_export_s", "5")
        registry.set_state("mirror_finished_at", f"{time.time():.3f}")
    update_artifact(ctx, RUN, {"title": "Waits its turn"})
    assert ctx.mirror.sync(scheduled=True) is False  # 45 s of rest left: the lock was the other writer's
    assert ctx.mirror.sync() is True  # `export-index`, start-up and shutdown write at once
    assert b"Waits its turn" in ctx.storage.read_bytes("registry-index.json")
