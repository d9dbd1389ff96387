"""Run use cases: evaluate a model into a registered Run artifact, read its series, export it, list runs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

from app.engine import EvalResult, RunInfo, evaluate, export_run, graph, load_model, write_run
from app.engine.provenance import split_embedded
from app.errors import NotFound
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact, list_artifacts, register_folder, register_new_folder
from app.registry.store.listing import ListQuery
from app.runfolder import GOLD_EXPORTS, SERIES_INDEX
from app.storage.paths import join_key
from app.timefmt import iso

EXPORT_FORMATS = {
    "csv": (GOLD_EXPORTS["csv"], "text/csv"),
    "gold": (GOLD_EXPORTS["csv"], "text/csv"),
    "ndjson": (GOLD_EXPORTS["ndjson"], "application/x-ndjson"),
    "parquet": (GOLD_EXPORTS["parquet"], "application/octet-stream"),  # FlowTime's type: a download
}


@dataclass
class RunOutcome:
    """A finished engine run: what was written, the evaluated series and the registered artifact."""

    info: RunInfo
    result: EvalResult
    artifact: ArtifactRecord


def run_spec(ctx: RegistryContext, spec_text: str, seed: int | None = None,
             provenance: dict | None = None) -> RunOutcome:
    """Evaluate a model, write its run folder atomically and register it before returning.

    An embedded top-level `provenance:` block is taken out of the model (spec.yaml, model hash); the
    given provenance (the header's) wins over it.
    """
    started = time.perf_counter()
    spec_text, embedded = split_embedded(spec_text)
    spec = load_model(spec_text)
    result = evaluate(spec)
    info = write_run(ctx.storage, spec_text, spec, result, seed=seed, provenance=provenance or embedded,
                     started=started)
    artifact = register_new_folder(ctx, info.key, "run", extra_metadata={"execution_ms": round(info.execution_ms, 3)})
    return RunOutcome(info=info, result=result, artifact=artifact)


def model_graph(spec_text: str) -> dict:
    """Nodes, topological order and edges of a model, without running it."""
    return graph(load_model(spec_text))


def _run(ctx: RegistryContext, run_id: str) -> ArtifactRecord:
    record = get_artifact(ctx, run_id)
    if record.type != "run":
        raise NotFound(f"run not found: {run_id}", details={"id": [f"{run_id} is a {record.type}, not a run"]})
    return record


def series_index_key(ctx: RegistryContext, run_id: str) -> str:
    """Storage key of a run's series/index.json (404 if the run or the index is missing)."""
    key = join_key(_run(ctx, run_id).path, SERIES_INDEX)
    if not ctx.storage.exists(key):
        raise NotFound(f"{SERIES_INDEX} not found for run {run_id}",
                       details={"id": [f"run {run_id} has no {SERIES_INDEX}"]})
    return key


def series_key(ctx: RegistryContext, run_id: str, series: str) -> str:
    """Storage key of one series CSV; a bare node name resolves to its `node@NODE@DEFAULT` series."""
    record = _run(ctx, run_id)
    known = record.metadata.get("series") or []
    match = series if series in known else next((s for s in known if s.split("@", 1)[0] == series), None)
    key = join_key(record.path, f"series/{match}.csv") if match else None
    if key is None or not ctx.storage.exists(key):
        raise NotFound(f"series not found: {series}", details={"series": [f"run {run_id} has no series {series}"]})
    return key


def export(ctx: RegistryContext, run_id: str) -> dict:
    """Write gold/export.{csv,ndjson,parquet} for a run and refresh its artifact (files, size, exports)."""
    record = _run(ctx, run_id)
    response = export_run(ctx.storage, record.path, created=record.created)
    register_folder(ctx, record.path, "run")
    return response


class ExportFile(NamedTuple):
    """Where an export of a run is stored and what it is."""

    key: str
    content_type: str


def export_key(ctx: RegistryContext, run_id: str, fmt: str) -> ExportFile:
    """Storage key and content type of an existing export (404 before the export was made)."""
    name, mimetype = EXPORT_FORMATS[fmt]
    key = join_key(_run(ctx, run_id).path, name)
    if not ctx.storage.exists(key):
        raise NotFound(f"run {run_id} has no {fmt} export yet; POST /v1/runs/{run_id}/export first",
                       details={"format": [f"no {fmt} export of run {run_id} yet"]})
    return ExportFile(key, mimetype)


# -- FlowTime's runs catalogue (M-03): GET /v1/runs pages and GET /v1/runs/{runId}, from the registry --
MAX_PAGE_SIZE = 200  # larger pages are clamped, as FlowTime does
MODE = "simulation"


def list_runs(ctx: RegistryContext, page: int, page_size: int) -> dict:
    """One page of runs, newest first (deleted ones hidden): `{items, totalCount, page, pageSize}`."""
    page_size = min(page_size, MAX_PAGE_SIZE)
    query = ListQuery(types=["run"], include_archived=True, sort="created", order="desc",
                      limit=page_size, offset=(page - 1) * page_size)
    result = list_artifacts(ctx, query)
    return {"items": [run_summary(r) for r in result.records], "totalCount": result.total,
            "page": page, "pageSize": page_size}


def get_run(ctx: RegistryContext, run_id: str) -> dict:
    """One run's summary (404 for unknown, deleted or non-run ids)."""
    record = get_artifact(ctx, run_id)
    if record.type != "run":
        raise NotFound(f"run not found: {run_id}", details={"id": [f"{run_id} is a {record.type}, not a run"]})
    return {**run_summary(record), "isDryRun": False, "wasReused": False, "warnings": []}


def run_summary(record: ArtifactRecord) -> dict:
    """FlowTime's RunSummary of a Run artifact (plus our title, tags and modelId)."""
    meta = record.metadata
    summary = {"runId": record.id, "templateId": record.template_id or "", "mode": MODE,
               "createdUtc": iso(record.created), "warningCount": int(meta.get("warning_count") or 0),
               "title": record.title, "tags": list(record.tags)}
    if record.model_id:
        summary["modelId"] = record.model_id
    if isinstance(meta.get("rng_seed"), int):
        summary["rng"] = {"kind": "pcg32", "seed": meta["rng_seed"]}
    if isinstance(meta.get("model_hash"), str):
        summary["inputHash"] = meta["model_hash"]
    return summary
