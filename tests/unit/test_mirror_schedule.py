"""The mirror writer's schedule: a burst of changes is exported once after it ends, a stream is bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.registry.mirror import MirrorWriter


class TimedWriter(MirrorWriter):
    """A MirrorWriter whose export only records when it ran (and takes `export_s`)."""

    def __init__(self, tmp_path: Path, delay_s: float, export_s: float):
        super().__init__(db=None, storage=None, lock_path=tmp_path / "lock", delay_seconds=delay_s)
        self.export_s = export_s
        self.exports: list[float] = []

    def sync(self) -> bool:
        self.exports.append(time.monotonic())
        time.sleep(self.export_s)
        return True


def _changes(writer: MirrorWriter, count: int, every_s: float) -> float:
    for _ in range(count):
        writer.notify()
        time.sleep(every_s)
    return time.monotonic()


def test_a_burst_shorter_than_an_export_is_exported_once_after_it_ends(tmp_path):
    writer = TimedWriter(tmp_path, delay_s=0.2, export_s=0.3)
    writer._last_export_s = 2.0  # as measured by an earlier export of a large registry
    try:
        ended = _changes(writer, 40, 0.01)  # 0.4 s of changes, 10 ms apart
        time.sleep(1.0)
        exports = list(writer.exports)
    finally:
        writer.close()  # (runs one more sync, a no-op for a real mirror that is current)
    assert len(exports) == 1
    assert exports[0] >= ended  # not part-way through the burst


def test_a_steady_stream_still_gets_exports(tmp_path):
    writer = TimedWriter(tmp_path, delay_s=0.05, export_s=0.1)
    writer._last_export_s = 0.1
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            writer.notify()
            time.sleep(0.01)

    thread = threading.Thread(target=stream)
    thread.start()
    try:
        time.sleep(1.5)
        exports = list(writer.exports)
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert len(exports) >= 3  # one every ~0.25 s (wait <= 0.1 s + delay, export 0.1 s)
