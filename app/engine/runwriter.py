"""Write an evaluated model as a FlowTime run folder (run.json, manifest.json, series/...) atomically."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from app.engine.evaluate import EvalResult
from app.engine.numfmt import series_csv, sha256_tag
from app.engine.spec import ModelSpec
from app.errors import ValidationFailed
from app.runfolder import (
    MANIFEST_JSON,
    PROVENANCE_JSON,
    RUN_JSON,
    SERIES_INDEX,
    SPEC_YAML,
    index_document,
    json_bytes,
    manifest_document,
    run_document,
    series_id,
    series_path,
)
from app.storage.base import Storage

ENGINE_VERSION = "0.6.0-py"
# The seed the .NET engine records when none is given (seen on every unseeded sample run).
DEFAULT_SEED = 1131659569
MAX_SEED = 2**31 - 1
GOLD_TABLE = {
    "path": "gold/node_time_bin.parquet",
    "dimensions": ["time_bin", "component_id", "class"],
    "measures": ["arrivals", "served", "errors"],
}


@dataclass(frozen=True)
class RunInfo:
    """What write_run produced."""

    run_id: str
    key: str
    grid: dict
    order: tuple[str, ...]
    node_ids: tuple[str, ...]
    series_ids: tuple[str, ...]
    series_hashes: dict[str, str]
    scenario_hash: str
    model_hash: str
    created: datetime
    created_utc: str
    execution_ms: float
    seed: int
    has_provenance: bool


def scenario_hash(spec_text: str, seed: int) -> str:
    """The .NET engine's scenario/model hash of the spec text and seed."""
    payload = spec_text.strip() + "\n" + str(seed) + "\n" + "null"
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def dotnet_utc(moment: datetime) -> str:
    """ISO-8601 UTC with 7 fractional digits, like .NET's round-trip ("o") format."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}0Z"


def new_run_id(moment: datetime) -> str:
    """`run_{yyyyMMddTHHmmssZ}_{8 hex}`."""
    return f"run_{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}_{secrets.token_hex(4)}"


def check_seed(seed) -> int:
    """Default the seed and validate it (a non-negative 32-bit signed integer)."""
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValidationFailed("seed must be an integer between 0 and 2147483647",
                               details={"seed": ["an integer from 0 to 2147483647"]})
    return seed


def _provenance_summary(provenance: dict | None) -> dict | None:
    if provenance is None:
        return None
    return {"hasProvenance": True, "modelId": provenance.get("modelId"),
            "templateId": provenance.get("templateId"), "source": provenance.get("source")}


def _provenance_json(provenance: dict, created: str) -> dict:
    ordered = {k: provenance[k] for k in ("modelId", "templateId", "source") if k in provenance}
    ordered.update({k: v for k, v in provenance.items() if k not in ordered})
    ordered.setdefault("receivedAt", created)
    return ordered


def _check_provenance(provenance) -> dict | None:
    if provenance is not None and not isinstance(provenance, dict):
        raise ValidationFailed("provenance must be an object", details={"provenance": ["expected an object"]})
    return provenance


def write_run(
    storage: Storage,
    spec_text: str,
    spec: ModelSpec,
    result: EvalResult,
    seed: int | None = None,
    provenance: dict | None = None,
    now: datetime | None = None,
    run_id: str | None = None,
    started: float | None = None,
) -> RunInfo:
    """Write the run folder at the storage root atomically and return its RunInfo."""
    started = time.perf_counter() if started is None else started
    seed = check_seed(seed)
    provenance = _check_provenance(provenance)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    run_id = run_id or new_run_id(moment)
    created = dotnet_utc(moment)
    model_hash = scenario_hash(spec_text, seed)
    ids = [series_id(n) for n in spec.output_ids]
    files = {s: series_csv(result.series[n]) for s, n in zip(ids, spec.output_ids, strict=True)}
    hashes = {s: sha256_tag(data) for s, data in files.items()}
    with storage.write_folder(run_id) as folder:
        folder.write_bytes(SPEC_YAML, spec_text.encode("utf-8"))
        for sid, data in files.items():
            folder.write_bytes(series_path(sid), data)
        index = index_document(spec.grid.index_grid(), ids, spec.grid.bins, hashes, {"goldTable": GOLD_TABLE})
        folder.write_bytes(SERIES_INDEX, json_bytes(index))
        run = run_document(run_id, ENGINE_VERSION, spec.grid.run_grid(), model_hash, created, ids)
        folder.write_bytes(RUN_JSON, json_bytes(run))
        manifest = manifest_document(model_hash, seed, hashes, created, _provenance_summary(provenance))
        folder.write_bytes(MANIFEST_JSON, json_bytes(manifest))
        if provenance is not None:
            folder.write_bytes(PROVENANCE_JSON, json_bytes(_provenance_json(provenance, created)))
    return RunInfo(
        run_id=run_id,
        key=run_id,
        grid=spec.grid.to_dict(),
        order=tuple(result.order),
        node_ids=tuple(spec.node_ids),
        series_ids=tuple(ids),
        series_hashes=hashes,
        scenario_hash=model_hash,
        model_hash=model_hash,
        created=moment,
        created_utc=created,
        execution_ms=(time.perf_counter() - started) * 1000.0,
        seed=seed,
        has_provenance=provenance is not None,
    )
