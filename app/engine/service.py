"""Run use cases: evaluate a model into a registered Run artifact, read its series, export it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.engine import EvalResult, RunInfo, evaluate, export_run, graph, load_model, write_run
from app.errors import NotFound
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact, register_folder, register_new_folder
from app.storage.paths import join_key

EXPORT_FORMATS = {
    "csv": ("gold/export.csv", "text/csv"),
    "gold": ("gold/export.csv", "text/csv"),
    "ndjson": ("gold/export.ndjson", "application/x-ndjson"),
    "parquet": ("gold/export.parquet", "application/vnd.apache.parquet"),
}


@dataclass
class RunOutcome:
    """A finished engine run: what was written, the evaluated series and the registered artifact."""

    info: RunInfo
    result: EvalResult
    artifact: ArtifactRecord


def run_spec(ctx: RegistryContext, spec_text: str, seed: int | None = None,
             provenance: dict | None = None) -> RunOutcome:
    """Evaluate a model, write its run folder atomically and register it before returning."""
    started = time.perf_counter()
    spec = load_model(spec_text)
    result = evaluate(spec)
    info = write_run(ctx.storage, spec_text, spec, result, seed=seed, provenance=provenance, started=started)
    artifact = register_new_folder(ctx, info.key, "run", extra_metadata={"execution_ms": round(info.execution_ms, 3)})
    return RunOutcome(info=info, result=result, artifact=artifact)


def model_graph(spec_text: str) -> dict:
    """Nodes, topological order and edges of a model, without running it."""
    return graph(load_model(spec_text))


def _run(ctx: RegistryContext, run_id: str) -> ArtifactRecord:
    record = get_artifact(ctx, run_id)
    if record.type != "run":
        raise NotFound(f"run not found: {run_id}", details={"id": run_id})
    return record


def series_index_key(ctx: RegistryContext, run_id: str) -> str:
    """Storage key of a run's series/index.json (404 if the run or the index is missing)."""
    key = join_key(_run(ctx, run_id).path, "series/index.json")
    if not ctx.storage.exists(key):
        raise NotFound(f"run {run_id} has no series/index.json", details={"id": run_id})
    return key


def series_key(ctx: RegistryContext, run_id: str, series: str) -> str:
    """Storage key of one series CSV; a bare node name resolves to its `node@NODE@DEFAULT` series."""
    record = _run(ctx, run_id)
    known = record.metadata.get("series") or []
    match = series if series in known else next((s for s in known if s.split("@", 1)[0] == series), None)
    key = join_key(record.path, f"series/{match}.csv") if match else None
    if key is None or not ctx.storage.exists(key):
        raise NotFound(f"series not found: {series}", details={"id": run_id, "series": series})
    return key


def export(ctx: RegistryContext, run_id: str) -> dict:
    """Write gold/export.{csv,ndjson,parquet} for a run and refresh its artifact (files, size, exports)."""
    record = _run(ctx, run_id)
    response = export_run(ctx.storage, record.path, created=record.created)
    register_folder(ctx, record.path, "run")
    return response


def export_key(ctx: RegistryContext, run_id: str, fmt: str) -> tuple[str, str]:
    """Storage key and content type of an existing export (404 before the export was made)."""
    name, mimetype = EXPORT_FORMATS[fmt]
    key = join_key(_run(ctx, run_id).path, name)
    if not ctx.storage.exists(key):
        raise NotFound(f"run {run_id} has no {fmt} export yet; POST /v1/runs/{run_id}/export first",
                       details={"id": run_id, "format": fmt})
    return key, mimetype
