"""The FlowTime run-folder format, in one place: file names, the grid's bin width, series paths, documents.

Written by the engine (runwriter), read by the export, compare and the registry's run reader, and
built by the demo seeding and the test helpers: each of them takes the format from here.
"""

from __future__ import annotations

import json

RUN_JSON = "run.json"
MANIFEST_JSON = "manifest.json"
SPEC_YAML = "spec.yaml"
PROVENANCE_JSON = "provenance.json"
METADATA_JSON = "metadata.json"  # what describes a model or telemetry folder
# The files that make a folder an artifact: S3 uploads them last and deletes them first.
DESCRIPTOR_FILES = (RUN_JSON, MANIFEST_JSON, METADATA_JSON)
SERIES_INDEX = "series/index.json"
SERIES_FOLDER = "series"
GOLD_EXPORTS = {"csv": "gold/export.csv", "ndjson": "gold/export.ndjson", "parquet": "gold/export.parquet"}
SCHEMA_VERSION = 1
SERIES_UNIT = "entities/bin"
SERIES_KIND = "flow"
DEFAULT_CLASS = "DEFAULT"
# FlowTime's TimeUnit (case-insensitive, plural); FlowTime-Sim also writes the singular ("hour").
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080}
GRID_KEYS = ("bins", "binMinutes", "binSize", "binUnit", "startTimeUtc")


def unit_minutes(unit) -> int | None:
    """Minutes per bin unit for every spelling FlowTime accepts (minutes/Hours/day...); None if unknown."""
    if not isinstance(unit, str):
        return None
    spelled = unit.strip().lower()
    return UNIT_MINUTES.get(spelled) or UNIT_MINUTES.get(spelled + "s")


def bin_minutes(grid) -> int | None:
    """Bin width in minutes of a grid ({binMinutes} or {binSize, binUnit}); None when it says none."""
    if not isinstance(grid, dict):
        return None
    minutes = grid.get("binMinutes")
    if _positive_int(minutes):
        return minutes
    size, factor = grid.get("binSize"), unit_minutes(grid.get("binUnit"))
    return size * factor if factor and _positive_int(size) else None


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def series_id(node_id: str) -> str:
    """FlowTime series id for a node: `{id}@{ID}@DEFAULT`."""
    return f"{node_id}@{node_id.upper()}@{DEFAULT_CLASS}"


def series_path(series: str) -> str:
    """Path of a series' CSV inside the run folder."""
    return f"{SERIES_FOLDER}/{series}.csv"


def component_of(series: str) -> str:
    """The component id a series id names (`served@SERVED@DEFAULT` -> `SERVED`)."""
    parts = series.split("@")
    return parts[1] if len(parts) > 1 else series.upper()


def json_bytes(document) -> bytes:
    """Strict JSON (no NaN or Infinity), 2-space indented with a trailing newline, as the .NET engine writes."""
    return (json.dumps(document, indent=2, allow_nan=False) + "\n").encode("utf-8")


def run_document(run_id: str, engine_version: str, grid: dict, model_hash: str, created: str,
                 series: list[str]) -> dict:
    """run.json."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "runId": run_id,
        "engineVersion": engine_version,
        "source": "engine",
        "grid": grid,
        "modelHash": model_hash,
        "scenarioHash": model_hash,
        "createdUtc": created,
        "warnings": [],
        "series": [{"id": s, "path": series_path(s), "unit": SERIES_UNIT} for s in series],
    }


def index_document(grid: dict, series: list[str], points: int, hashes: dict[str, str] | None = None,
                   formats: dict | None = None) -> dict:
    """series/index.json."""
    entries = []
    for s in series:
        entry = {"id": s, "kind": SERIES_KIND, "path": series_path(s), "unit": SERIES_UNIT,
                 "componentId": component_of(s), "class": DEFAULT_CLASS, "points": points}
        if hashes is not None:
            entry["hash"] = hashes[s]
        entries.append(entry)
    document = {"schemaVersion": SCHEMA_VERSION, "grid": grid, "series": entries}
    if formats is not None:
        document["formats"] = formats
    return document


def manifest_document(model_hash: str, seed: int, hashes: dict[str, str], created: str,
                      provenance_summary: dict | None = None) -> dict:
    """manifest.json (with the provenance summary FlowTime writes when the run has provenance)."""
    manifest = {
        "schemaVersion": SCHEMA_VERSION,
        "scenarioHash": model_hash,
        "rng": {"kind": "pcg32", "seed": seed},
        "seriesHashes": hashes,
        "eventCount": 0,
        "createdUtc": created,
        "modelHash": model_hash,
    }
    if provenance_summary is not None:
        manifest["provenance"] = provenance_summary
    return manifest
