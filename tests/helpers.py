"""Builders for artifact folders in tests (the layout the FlowTime engine writes)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from app.runfolder import (
    MANIFEST_JSON,
    RUN_JSON,
    SPEC_YAML,
    json_bytes,
    run_document,
    series_id,
    series_path,
)

# The one error shape: every error body has exactly these keys (request_id = the X-Request-ID header).
ERROR_KEYS = {"error", "code", "status", "details", "request_id"}


def is_details_shape(details) -> bool:
    """`details` in its one shape: field (dotted when nested) -> a non-empty list of message strings."""
    return isinstance(details, dict) and all(
        isinstance(field, str) and isinstance(messages, list) and messages
        and all(isinstance(m, str) for m in messages)
        for field, messages in details.items())


def field_names(details: dict) -> set[str]:
    """The fields `details` blames: each key up to its first dot (`tags.0` -> `tags`)."""
    return {key.split(".", 1)[0] for key in details}


def assert_details_shape(body: dict, where: str = "") -> None:
    """An error body's `details` is a dict of non-empty string lists."""
    assert is_details_shape(body.get("details")), f"{where}: details not field -> [messages]: {body.get('details')!r}"


def write_run(data_dir: Path, run_id: str, *, title: str | None = None, tags=(), created: datetime | None = None,
              nodes=("demand", "served"), description: str | None = None, extra_bytes: int = 0,
              provenance: dict | None = None, scenario_hash: str | None = None) -> Path:
    """Write a minimal but complete run folder and return its path (its scenario hash unique unless given)."""
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
    (folder / SPEC_YAML).write_text(json.dumps(spec))  # JSON is valid YAML
    series = [series_id(n) for n in nodes]
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    scenario_hash = scenario_hash or "sha256:" + hashlib.sha256(run_id.encode()).hexdigest()
    run = run_document(run_id, "test", {"bins": 3, "binMinutes": 60}, scenario_hash, stamp, series)
    (folder / RUN_JSON).write_bytes(json_bytes(run))
    manifest = {"schemaVersion": 1, "rng": {"kind": "pcg32", "seed": 1}, "createdUtc": stamp}
    if provenance:
        manifest["provenance"] = {"hasProvenance": True, **provenance}
    (folder / MANIFEST_JSON).write_bytes(json_bytes(manifest))
    for s in series:
        (folder / series_path(s)).write_text("t,value\n0,1\n1,2\n2,3\n" + "#" * extra_bytes)
    return folder


def write_described(data_dir: Path, kind: str, artifact_id: str, **doc) -> Path:
    """Write a model or telemetry folder indexed from its metadata.json."""
    folder = data_dir / {"model": "models", "telemetry": "telemetry"}[kind] / artifact_id
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"id": artifact_id, "type": kind, **doc}))
    (folder / "data.txt").write_text("x")
    return folder
