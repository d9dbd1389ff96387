"""FlowTime's runs catalogue (M-03): `GET /v1/runs` pages and `GET /v1/runs/{runId}`, read from the registry."""

from __future__ import annotations

from app.errors import NotFound
from app.registry.context import RegistryContext
from app.registry.query import ListQuery
from app.registry.records import ArtifactRecord, iso
from app.registry.service import get_artifact, list_artifacts

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
        raise NotFound(f"run not found: {run_id}", details={"id": run_id})
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
