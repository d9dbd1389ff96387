"""Builders for artifact folders in tests (the layout the FlowTime engine writes)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path


def write_run(data_dir: Path, run_id: str, *, title: str | None = None, tags=(), created: datetime | None = None,
              nodes=("demand", "served"), description: str | None = None, extra_bytes: int = 0,
              provenance: dict | None = None) -> Path:
    """Write a minimal but complete run folder and return its path."""
    folder = data_dir / run_id
    (folder / "series").mkdir(parents=True)
    created = created or datetime(2025, 1, 1)
    meta = {}
    if title:
        meta["title"] = title
    if description:
        meta["description"] = description
    if tags:
        meta["tags"] = list(tags)
    spec = {"grid": {"bins": 3, "binMinutes": 60},
            "nodes": [{"id": n, "kind": "const", "values": [1, 2, 3]} for n in nodes]}
    if meta:
        spec = {"metadata": meta, **spec}
    (folder / "spec.yaml").write_text(json.dumps(spec))  # JSON is valid YAML
    series = [f"{n}@{n.upper()}@DEFAULT" for n in nodes]
    run = {"schemaVersion": 1, "runId": run_id, "engineVersion": "test", "source": "engine",
           "grid": {"bins": 3, "binMinutes": 60}, "modelHash": "sha256:00", "scenarioHash": "sha256:00",
           "createdUtc": created.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
           "series": [{"id": s, "path": f"series/{s}.csv"} for s in series]}
    (folder / "run.json").write_text(json.dumps(run))
    manifest = {"schemaVersion": 1, "rng": {"kind": "pcg32", "seed": 1}, "createdUtc": run["createdUtc"]}
    if provenance:
        manifest["provenance"] = {"hasProvenance": True, **provenance}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for s in series:
        (folder / "series" / f"{s}.csv").write_text("t,value\n0,1\n1,2\n2,3\n" + "#" * extra_bytes)
    return folder


def write_described(data_dir: Path, kind: str, artifact_id: str, **doc) -> Path:
    """Write a model or telemetry folder indexed from its metadata.json."""
    folder = data_dir / {"model": "models", "telemetry": "telemetry"}[kind] / artifact_id
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"id": artifact_id, "type": kind, **doc}))
    (folder / "data.txt").write_text("x")
    return folder
