"""Read a FlowTime run folder (written by the .NET engine or ours) into an artifact record."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.errors import ModelInvalid
from app.registry.folders.descriptors import Unindexable, read_json
from app.registry.folders.summaries import run_summaries
from app.registry.records import CAPABILITIES, TITLE_MAX, ArtifactRecord, normalise_tags
from app.runfolder import (
    GOLD_EXPORTS,
    GRID_KEYS,
    MANIFEST_JSON,
    PROVENANCE_JSON,
    RUN_JSON,
    SERIES_INDEX,
    SPEC_YAML,
)
from app.storage import FileInfo, Storage
from app.timefmt import from_timestamp, parse_iso
from app.yamlsafe import safe_load

MAX_SPEC_BYTES = 2 * 1024 * 1024
_RUN_STAMP = re.compile(r"(\d{8}T\d{6}Z)")
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(\s|$)")


def read_run(storage: Storage, key: str, files: list[FileInfo]) -> ArtifactRecord:
    """Build the record of one run folder; raises Unindexable with a reason."""
    names = {f.name for f in files}
    run, run_error = read_json(storage, f"{key}/{RUN_JSON}") if RUN_JSON in names else (None, "missing")
    manifest, manifest_error = (
        read_json(storage, f"{key}/{MANIFEST_JSON}") if MANIFEST_JSON in names else (None, "missing")
    )
    if run is None and manifest is None:
        raise Unindexable(f"no readable run.json ({run_error}) or manifest.json ({manifest_error})")
    if not run and not manifest:
        raise Unindexable("run.json is an empty object and there is no usable manifest.json")
    run, manifest = run or {}, manifest or {}
    spec_text, spec = _read_spec(storage, key, names)
    index, _ = read_json(storage, f"{key}/{SERIES_INDEX}") if SERIES_INDEX in names else ({}, None)
    artifact_id = key.rsplit("/", 1)[-1]
    series = _series_ids(run, manifest, index or {}, names)
    nodes = _node_ids(spec)
    provenance = _provenance(storage, key, manifest, names)
    metadata = {
        "grid": _grid(run, index or {}, spec),
        "model_hash": run.get("modelHash") or manifest.get("modelHash"),
        "scenario_hash": run.get("scenarioHash") or manifest.get("scenarioHash"),
        "rng_seed": (manifest.get("rng") or {}).get("seed"),
        "engine_version": run.get("engineVersion"),
        "warning_count": len(_as_list(run.get("warnings"))) or None,
        "series": series,
        "nodes": nodes,
        "manifest_metadata": manifest.get("metadata") if isinstance(manifest.get("metadata"), dict) else None,
    }
    if provenance:
        metadata["provenance"] = provenance
    if GOLD_EXPORTS["csv"] in names or GOLD_EXPORTS["parquet"] in names:
        metadata["exports"] = sorted(n for n in names if n.startswith("gold/export."))
    title = derive_title(spec, spec_text, nodes, artifact_id)
    tags = normalise_tags([*_spec_tags(spec), *_as_list(manifest.get("tags"))])
    created = (parse_iso(run.get("createdUtc")) or parse_iso(manifest.get("createdUtc"))
               or _created_from_name(artifact_id) or _oldest(files))
    return ArtifactRecord(
        id=artifact_id, type="run", title=title, path=key,
        description=_description(spec), created=created, modified=_newest(files) or created,
        source="engine", tags=tags, capabilities=list(CAPABILITIES["run"]),
        size_bytes=sum(f.size for f in files), file_count=len(files), series_count=len(series),
        metadata={k: v for k, v in metadata.items() if v is not None},
        derived_from=[provenance["model_id"]] if provenance.get("model_id") else [],
        series_summary=run_summaries(storage, key, series, names),
    )


def _read_spec(storage: Storage, key: str, names: set[str]) -> tuple[str, dict]:
    if SPEC_YAML not in names:
        return "", {}
    try:
        text = storage.read_bytes(f"{key}/{SPEC_YAML}", limit=MAX_SPEC_BYTES).decode("utf-8", "replace")
        spec = safe_load(text)  # the bounded loader of posted models: depth, aliases, NaN refused
    except (ModelInvalid, OSError):
        return "", {}  # indexed without its spec metadata
    return text, spec if isinstance(spec, dict) else {}


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _spec_tags(spec: dict) -> list:
    meta = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else {}
    return [str(t) for t in _as_list(meta.get("tags")) if isinstance(t, str | int | float)]


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _description(spec: dict) -> str:
    meta = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else {}
    return _text(meta.get("description")) or _text(spec.get("description")) or ""


def derive_title(spec: dict, spec_text: str, nodes: list[str], artifact_id: str) -> str:
    """Title from spec metadata, description, top-level fields, a comment, node ids, else `Run <suffix>`."""
    meta = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else {}
    for candidate in (
        _text(meta.get("title")),
        _sentence(_text(meta.get("description"))),
        _text(spec.get("title")),
        _sentence(_text(spec.get("description"))),
        _first_comment(spec_text),
        f"Model with {', '.join(nodes[:3])}" if nodes else None,
    ):
        if candidate:
            return candidate[:TITLE_MAX]
    return f"Run {artifact_id.rsplit('_', 1)[-1]}"


def _sentence(text: str | None) -> str | None:
    if not text or len(text) <= 80:
        return text
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match and len(match.group(1)) <= TITLE_MAX else text[:77].rstrip() + "..."


def _first_comment(spec_text: str) -> str | None:
    for line in spec_text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return None  # only a leading comment block describes the model
        comment = stripped.lstrip("#").strip(" -=*")
        if len(re.sub(r"[^\w]", "", comment)) >= 3:
            return comment
    return None


def _node_ids(spec: dict) -> list[str]:
    return [n["id"] for n in _as_list(spec.get("nodes")) if isinstance(n, dict) and isinstance(n.get("id"), str)]


def _series_ids(run: dict, manifest: dict, index: dict, names: set[str]) -> list[str]:
    for entries in (_as_list(run.get("series")), _as_list(index.get("series"))):
        ids = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
        if ids:
            return ids
    hashes = manifest.get("seriesHashes")
    if isinstance(hashes, dict) and hashes:
        return list(hashes)
    return sorted(n[len("series/"):-4] for n in names if n.startswith("series/") and n.endswith(".csv"))


def _grid(run: dict, index: dict, spec: dict) -> dict | None:
    for source in (run.get("grid"), index.get("grid"), spec.get("grid")):
        if isinstance(source, dict) and "bins" in source:
            return {k: _json_value(source[k]) for k in GRID_KEYS if k in source}
    return None


def _json_value(value):
    """An unquoted YAML timestamp (`startTimeUtc: 2025-01-01T00:00:00Z`) as the ISO text it was written as."""
    return value.isoformat() if isinstance(value, date) else value


def _provenance(storage: Storage, key: str, manifest: dict, names: set[str]) -> dict:
    found = manifest.get("provenance") if isinstance(manifest.get("provenance"), dict) else {}
    if not found and PROVENANCE_JSON in names:
        found, _ = read_json(storage, f"{key}/{PROVENANCE_JSON}")
        found = found or {}
    mapped = {
        "template_id": found.get("templateId"),
        "model_id": found.get("modelId"),
        "source": found.get("source"),
    }
    return {k: v for k, v in mapped.items() if isinstance(v, str) and v}


def _created_from_name(artifact_id: str) -> datetime | None:
    match = _RUN_STAMP.search(artifact_id)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None


def _oldest(files: list[FileInfo]) -> datetime:
    return from_timestamp(min((f.mtime for f in files), default=0))


def _newest(files: list[FileInfo]) -> datetime | None:
    return from_timestamp(max(f.mtime for f in files)) if files else None
