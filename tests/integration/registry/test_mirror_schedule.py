"""When the mirror is written: after a burst of changes from any process, and at least every so often."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import make_app


@pytest.fixture
def ctx(data_dir):
    app = make_app(data_dir, mirror_delay_ms=100)
    ctx = app.extensions["flowtime"]
    ctx.mirror.background = False  # the test calls sync_here itself
    yield ctx
    ctx.close()


def _state(ctx, key: str) -> str | None:
    with ctx.reading() as registry:
        return registry.state(key)


def _changes(ctx, seconds: float, every_s: float = 0.02) -> threading.Thread:
    """Commit a change every `every_s` for `seconds` in another thread (as other workers would)."""

    def commit_changes() -> None:
        stop = time.monotonic() + seconds
        index = 0
        while time.monotonic() < stop:
            with ctx.writing() as registry:
                registry.set_state("test_counter", str(index))
            index += 1
            time.sleep(every_s)

    thread = threading.Thread(target=commit_changes)
    thread.start()
    return thread


def test_a_burst_is_exported_once_it_ends(ctx):
    with ctx.writing() as registry:
        registry.set_state("mirror_export_s", "5.0")  # a large registry's export time
    burst = _changes(ctx, 0.6)
    time.sleep(0.1)
    assert ctx.mirror.sync_here()
    burst.join()
    with ctx.reading() as registry:
        final = registry.generation()
    assert int(_state(ctx, "mirror_generation")) == final  # the snapshot came after the last change
    assert float(_state(ctx, "mirror_export_s")) < 5.0  # the measured duration replaces the old one


def test_a_steady_stream_of_changes_does_not_hold_the_mirror_back(ctx):
    with ctx.writing() as registry:
        registry.set_state("mirror_export_s", "0.3")
    stream = _changes(ctx, 3.0)
    try:
        time.sleep(0.1)
        started = time.monotonic()
        assert ctx.mirror.sync_here()
        waited = time.monotonic() - started
    finally:
        stream.join()
    assert waited < 2.0  # bounded by the previous export's 0.3 s (plus one delay and the export)
    with ctx.reading() as registry:
        assert int(_state(ctx, "mirror_generation")) < registry.generation()
