"""Seeding: the demo registry (the example models beside this file, run by the engine) and synthetic runs."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from app.engine.service import run_spec
from app.registry.context import RegistryContext
from app.registry.folders.scanner import Candidate, read_candidate
from app.registry.sync.apply import RescanReport, apply_records
from app.timefmt import utcnow

BATCH = 1000
DEMO_MODELS = Path(__file__).resolve().parent
WORDS = ("capacity", "backlog", "checkout", "payments", "warehouse", "routing", "peak", "holiday", "baseline",
         "surge", "latency", "queue", "ingest", "billing", "search", "inventory", "shipping", "support",
         "overnight", "weekend", "forecast", "staffing", "incident", "migration", "regional", "europe",
         "americas", "asia", "retry", "timeout", "throttle", "batch", "stream", "airport", "harbour", "rail")
TAGS = ("baseline", "experiment", "prod", "staging", "q1", "q2", "q3", "q4", "capacity", "demand",
        "what-if", "reviewed", "draft", "featured", "regression", "nightly", "manual", "sla", "peak", "holiday",
        "eu", "us", "apac", "team-a", "team-b", "team-c", "v1", "v2", "v3", "calibrated", "legacy", "keep",
        "shift", "pmf", "expr", "budget", "ops", "planning", "sim", "telemetry-fit", "scenario", "stress",
        "smoke", "long-horizon", "short-horizon", "weekly", "daily", "hourly", "migration", "audit")
NODE_NAMES = ("arrivals", "served", "capacity", "backlog", "errors", "retries", "demand", "queue_depth")


def _synthetic_spec(rng: random.Random, index: int) -> tuple[str, list[str], int]:
    words = rng.sample(WORDS, 3)
    title = f"{words[0].title()} {words[1]} {words[2]} study {index}"
    tags = rng.sample(TAGS, rng.randint(1, 4))
    nodes = rng.sample(NODE_NAMES, rng.randint(1, 5))
    bins = rng.choice((12, 24, 48))
    lines = [
        "metadata:",
        f"  title: {title}",
        f"  description: Synthetic {words[0]} scenario with {', '.join(nodes)} over {bins} bins.",
        f"  tags: [{', '.join(tags)}]",
        "grid:", f"  bins: {bins}", "  binMinutes: 60", "nodes:",
    ]
    for node in nodes:
        lines += [f"  - id: {node}", "    kind: const", f"    values: [{', '.join(['1'] * bins)}]"]
    return "\n".join(lines) + "\n", nodes, bins


def _write_synthetic_run(ctx: RegistryContext, rng: random.Random, index: int, created: datetime) -> str:
    spec, nodes, bins = _synthetic_spec(rng, index)
    run_id = f"run_{created:%Y%m%dT%H%M%SZ}_{rng.getrandbits(32):08x}"
    series = [f"{n}@{n.upper()}@DEFAULT" for n in nodes]
    csv = ("t,value\n" + "".join(f"{t},{rng.randint(0, 500)}\n" for t in range(bins))).encode()
    digest = "sha256:" + hashlib.sha256(spec.encode()).hexdigest()
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    grid = {"bins": bins, "binMinutes": 60, "timezone": "UTC"}
    run = {"schemaVersion": 1, "runId": run_id, "engineVersion": "synthetic", "source": "engine",
           "grid": {**grid, "align": "left"}, "modelHash": digest, "scenarioHash": digest, "createdUtc": stamp,
           "warnings": [], "series": [{"id": s, "path": f"series/{s}.csv", "unit": "entities/bin"} for s in series]}
    manifest = {"schemaVersion": 1, "scenarioHash": digest, "rng": {"kind": "pcg32", "seed": index},
                "seriesHashes": {s: "sha256:" + hashlib.sha256(csv).hexdigest() for s in series},
                "eventCount": 0, "createdUtc": stamp, "modelHash": digest}
    index_doc = {"schemaVersion": 1, "grid": grid, "series": [
        {"id": s, "kind": "flow", "path": f"series/{s}.csv", "unit": "entities/bin",
         "componentId": s.split("@")[1], "class": "DEFAULT", "points": bins} for s in series]}
    with ctx.storage.write_folder(run_id, durable=False) as folder:
        folder.write_bytes("spec.yaml", spec.encode())
        folder.write_bytes("run.json", json.dumps(run, indent=2, allow_nan=False).encode())
        folder.write_bytes("manifest.json", json.dumps(manifest, indent=2, allow_nan=False).encode())
        folder.write_bytes("series/index.json", json.dumps(index_doc, indent=2, allow_nan=False).encode())
        for s in series:
            folder.write_bytes(f"series/{s}.csv", csv)
    return run_id


def seed_synthetic(ctx: RegistryContext, count: int, progress=None, seed: int = 7) -> int:
    """Write `count` synthetic run folders (spread over two years) and register them in batches."""
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    pending: list[str] = []
    created = 0
    steps = range(count)
    for index in progress(steps) if progress else steps:
        when = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
        pending.append(_write_synthetic_run(ctx, rng, index, when))
        if len(pending) >= BATCH:
            created += _register(ctx, pending)
    return created + _register(ctx, pending)


def _register(ctx: RegistryContext, run_ids: list[str]) -> int:
    records = [read_candidate(ctx.storage, Candidate(key=r, artifact_id=r, type="run")) for r in run_ids]
    with ctx.writing(bulk=True) as registry:
        apply_records(registry, records, RescanReport())
    run_ids.clear()
    return len(records)


def seed_demo(ctx: RegistryContext) -> int:
    """Run the bundled FlowTime example models through the engine and register each run."""
    created = 0
    for path in sorted(DEMO_MODELS.glob("*.yaml")):
        run_spec(ctx, path.read_text(encoding="utf-8"), seed=42)
        created += 1
    return created
