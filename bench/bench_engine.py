"""Benchmark the FlowTime engine: parse, evaluate+write and export of a large generated model."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine import evaluate, export_run, load_model, write_run
from app.storage.local import LocalStorage

EXPRESSIONS = [
    "{a} * 0.8 + {b} / 3",
    "MIN({a}, {b}) + SHIFT({c}, 2)",
    "CLAMP({a} - {b}, 0, 500) * 1.1",
    "MAX({a}, {b} * 0.5) / ({c} + 1)",
]


def generate_model(nodes: int, bins: int, consts: int, seed: int = 7) -> str:
    """A YAML model with `consts` const nodes followed by expr nodes over earlier nodes."""
    rng = random.Random(seed)
    lines = ["grid:", f"  bins: {bins}", "  binMinutes: 60", "nodes:"]
    for i in range(nodes):
        lines.append(f"  - id: n{i:04d}")
        if i < consts:
            values = ", ".join(str(rng.randint(0, 1000)) for _ in range(bins))
            lines += ["    kind: const", f"    values: [{values}]"]
        else:
            refs = {k: f"n{rng.randrange(i):04d}" for k in "abc"}
            lines += ["    kind: expr", f'    expr: "{rng.choice(EXPRESSIONS).format(**refs)}"']
    return "\n".join(lines) + "\n"


def timed(fn):
    """Run fn once and return (result, seconds)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--bins", type=int, default=10_000)
    parser.add_argument("--consts", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = generate_model(args.nodes, args.bins, args.consts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalStorage(tmp)
        for _ in range(args.repeat):
            spec, t_parse = timed(lambda: load_model(text))
            result, t_eval = timed(lambda spec=spec: evaluate(spec))
            info, t_write = timed(lambda spec=spec, result=result: write_run(storage, text, spec, result))
            _, t_export = timed(lambda info=info: export_run(storage, info.key))
            rows.append((t_parse, t_eval, t_write, t_export))
    best = [min(col) for col in zip(*rows, strict=True)]
    whole = min(p + e + w for p, e, w, _ in rows)
    print(f"model: {args.nodes} nodes ({args.consts} const), {args.bins} bins; best of {args.repeat}\n")
    print("| step | seconds | target |")
    print("|---|---|---|")
    print(f"| parse (load_model) | {best[0]:.3f} | - |")
    print(f"| evaluate | {best[1]:.3f} | - |")
    print(f"| write run folder | {best[2]:.3f} | - |")
    print(f"| evaluate + write | {best[1] + best[2]:.3f} | - |")
    print(f"| parse + evaluate + write (what POST /v1/run does) | {whole:.3f} | < 2 s |")
    print(f"| export (csv+ndjson+parquet) | {best[3]:.3f} | < 3 s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
