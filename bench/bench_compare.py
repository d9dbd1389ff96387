"""Benchmark Compare: load two generated run folders (10,000 bins x 50 series) and compare them."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.compare import compare_series, load_run_series
from app.engine.numfmt import series_csv
from app.registry.records import ArtifactRecord
from app.storage.local import LocalStorage
from app.timefmt import utcnow

TARGET_MS = 300


def write_run(storage: LocalStorage, run_id: str, series: int, bins: int, seed: int) -> ArtifactRecord:
    """Write a run folder (series/index.json + engine-formatted `t,value` CSVs) and return its record."""
    rng = np.random.default_rng(seed)
    grid = {"bins": bins, "binMinutes": 5, "timezone": "UTC"}
    entries = []
    with storage.write_folder(run_id, durable=False) as folder:
        for i in range(series):
            sid = f"n{i:03d}@N{i:03d}@DEFAULT"
            values = np.round(rng.gamma(2.0, 50.0, bins), 3)
            folder.write_bytes(f"series/{sid}.csv", series_csv(values))
            entries.append({"id": sid, "kind": "flow", "path": f"series/{sid}.csv",
                            "componentId": f"N{i:03d}", "class": "DEFAULT", "points": bins})
        folder.write_bytes("series/index.json", json.dumps({"schemaVersion": 1, "grid": grid,
                                                            "series": entries}).encode())
    now = utcnow()
    return ArtifactRecord(id=run_id, type="run", title=run_id, path=run_id, created=now, modified=now,
                          metadata={"grid": {"bins": bins, "binMinutes": 5}})


def timed(fn):
    """Run fn once and return (result, milliseconds)."""
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def one_round(storage: LocalStorage, base, other) -> tuple[float, ...]:
    """Time load base, load other, compare, and compare with values."""
    a, t_a = timed(lambda: load_run_series(storage, base))
    b, t_b = timed(lambda: load_run_series(storage, other))
    _, t_cmp = timed(lambda: compare_series(base, a, other, b))
    _, t_values = timed(lambda: compare_series(base, a, other, b, include_values=True))
    return t_a, t_b, t_cmp, t_a + t_b + t_cmp, t_values


def main() -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--bins", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalStorage(tmp)
        base = write_run(storage, "run_base", args.series, args.bins, seed=1)
        other = write_run(storage, "run_other", args.series, args.bins, seed=2)
        rows = [one_round(storage, base, other) for _ in range(args.repeat)]
    names = ["load base", "load other", "compare_series", "load both + compare",
             "compare_series (include_values)"]
    print(f"{args.series} series x {args.bins} bins per run; {args.repeat} rounds (ms)\n")
    print("| step | best | median | target |")
    print("|---|---|---|---|")
    for i, name in enumerate(names):
        column = [r[i] for r in rows]
        target = f"< {TARGET_MS}" if i == 3 else "-"
        print(f"| {name} | {min(column):.1f} | {statistics.median(column):.1f} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
