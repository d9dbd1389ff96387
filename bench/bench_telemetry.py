"""Benchmark the telemetry import: a ~100 MB wide CSV (time_bin + 20 numeric columns), wall time and peak RSS."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COLUMNS = 20
ROWS_PER_MB = 5700


def generate_csv(path: Path, megabytes: int, seed: int = 7) -> int:
    """Write a wide CSV of about `megabytes` MB in chunks; returns its size in bytes."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00")
    header = "time_bin," + ",".join(f"m{i:02d}" for i in range(COLUMNS)) + "\n"
    rows, chunk = megabytes * ROWS_PER_MB, 50_000
    with open(path, "w", encoding="utf-8") as out:
        out.write(header)
        for first in range(0, rows, chunk):
            count = min(chunk, rows - first)
            times = (start + np.arange(first, first + count) * np.timedelta64(5, "m")).astype(str)
            values = np.round(rng.random((count, COLUMNS)) * 1000, 3).astype(str)
            lines = [t + "Z," + ",".join(v) for t, v in zip(times, values, strict=True)]
            out.write("\n".join(lines) + "\n")
    return path.stat().st_size


def peak_rss_kb() -> int:
    """VmHWM (peak resident set size) of this process in kB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def measure(csv_path: Path, work: Path) -> dict:
    """Import once in this (fresh) process and report wall time and peak RSS growth."""
    from app.storage.local import LocalStorage
    from app.telemetry import import_telemetry

    storage = LocalStorage(work / "data")
    before = peak_rss_kb()
    started = time.perf_counter()
    with open(csv_path, "rb") as stream:
        result = import_telemetry(storage, stream, spool_dir=work / "data" / ".uploads",
                                  max_bytes=512 * 1024 * 1024, filename=csv_path.name)
    elapsed = time.perf_counter() - started
    growth_mb = (peak_rss_kb() - before) / 1024
    return {"seconds": round(elapsed, 2), "peak_rss_growth_mb": round(growth_mb, 1),
            "rows": result.catalog["rows"], "series": len(result.catalog["series"])}


def main() -> None:
    """Generate, then import in a fresh subprocess so the RSS high-water mark is the import's own."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--child", nargs=2, metavar=("CSV", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), Path(args.child[1]))))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-telemetry-"))
    try:
        csv_path = work / "wide.csv"
        started = time.perf_counter()
        size = generate_csv(csv_path, args.mb)
        print(f"generated {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s")
        child = subprocess.run([sys.executable, __file__, "--child", str(csv_path), str(work)],
                               check=True, capture_output=True, text=True)
        report = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"import: {report['seconds']}s (target < 10s), peak RSS growth {report['peak_rss_growth_mb']} MB "
              f"(target < 64 MB), {report['rows']} rows, {report['series']} series")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
