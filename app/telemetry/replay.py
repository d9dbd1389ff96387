"""Replay telemetry: run it through the engine as a model of one `const` node per series.

FlowTime's replay mode feeds observed series into a model; with no model given, the replayed run
holds the telemetry's own series on the engine's grid (bins, width and start from the time column),
so it can be charted, exported and compared like any run, and it derives from the telemetry.
"""

from __future__ import annotations

import math
import re

import numpy as np
import yaml

from app.engine.grid import MAX_BINS
from app.engine.service import RunOutcome, run_spec
from app.errors import Conflict
from app.registry.context import RegistryContext
from app.registry.lineage import link
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact, update_artifact
from app.telemetry.loader import load_telemetry_series, read_catalog

DEFAULT_BIN_MINUTES = 60  # telemetry indexed by bin number names no width
_NOT_ID = re.compile(r"[^A-Za-z0-9_]+")


def replay_telemetry(ctx: RegistryContext, telemetry_id: str, seed: int | None = None) -> RunOutcome:
    """Run a telemetry artifact's series through the engine; the run derives from the telemetry."""
    record = get_artifact(ctx, telemetry_id)
    if record.type != "telemetry" or "replay" not in record.capabilities:
        raise Conflict(f"{telemetry_id} is a {record.type}, not telemetry that can be replayed",
                       details={"id": ["not replayable telemetry"]})
    catalog = read_catalog(ctx.storage, record)
    series = load_telemetry_series(ctx.storage, record.path, catalog)
    model = replay_model(record, catalog, series)
    provenance = {"source": "telemetry-replay", "telemetryId": record.id}
    outcome = run_spec(ctx, yaml.safe_dump(model, sort_keys=False), seed=seed, provenance=provenance)
    link(ctx, outcome.artifact.id, [record.id])
    titled = update_artifact(ctx, outcome.artifact.id, {"title": f"Replay of {record.title}"[:200]})
    return RunOutcome(info=outcome.info, result=outcome.result, artifact=titled)


def replay_model(record: ArtifactRecord, catalog: dict, series: dict[tuple[str, str], np.ndarray]) -> dict:
    """The FlowTime model whose run reproduces the telemetry (409 naming what stands in the way)."""
    lengths = {len(values) for values in series.values()}
    if not series or len(lengths) != 1:
        raise Conflict(f"telemetry {record.id} cannot be replayed: its series have different lengths "
                       f"({', '.join(str(n) for n in sorted(lengths)) or 'none'} points)",
                       details={"series": ["every series needs one value per time bin"]})
    bins = lengths.pop()
    if bins > MAX_BINS:
        raise Conflict(f"telemetry {record.id} has {bins} time bins; a run holds at most {MAX_BINS}",
                       details={"series": [f"at most {MAX_BINS} bins"]})
    nodes, outputs = [], []
    for node_id, values in _node_ids(series).items():
        if not np.isfinite(values).all():
            raise Conflict(f"telemetry {record.id} cannot be replayed: series {node_id} has empty or "
                           "non-finite values", details={"series": [f"{node_id}: empty or non-finite values"]})
        nodes.append({"id": node_id, "kind": "const", "values": [_number(v) for v in values.tolist()]})
        outputs.append({"series": node_id, "as": f"{node_id}.csv"})
    return {"grid": _grid(catalog, bins), "nodes": nodes, "outputs": outputs}


def _grid(catalog: dict, bins: int) -> dict:
    minutes = catalog.get("bin_minutes")
    if minutes is None:
        minutes = DEFAULT_BIN_MINUTES
    elif not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise Conflict(f"telemetry bins of {minutes} minutes cannot be replayed: the engine's bins are whole minutes",
                       details={"bin_minutes": [f"{minutes}: not a whole number of minutes"]})
    grid: dict = {"bins": bins, "binMinutes": minutes}
    start = (catalog.get("time_range") or {}).get("start")
    if isinstance(start, str):
        grid["startTimeUtc"] = start
    return grid


def _node_ids(series: dict[tuple[str, str], np.ndarray]) -> dict[str, np.ndarray]:
    """Engine node ids from (measure, component) names: letters, digits and `_`, unique, in name order."""
    ids: dict[str, np.ndarray] = {}
    for (measure, component), values in sorted(series.items()):
        # a wide or series column is its own component (served -> SERVED), as in FlowTime's series ids
        name = measure if component in ("", "DEFAULT", None, str(measure).upper()) else f"{measure}_{component}"
        base = _NOT_ID.sub("_", str(name)).strip("_") or "series"
        base = base if not base[0].isdigit() else f"s_{base}"
        node_id, n = base[:60], 2
        while node_id in ids:
            node_id, n = f"{base[:56]}_{n}", n + 1
        ids[node_id] = values
    return ids


def _number(value: float) -> int | float:
    return int(value) if math.isfinite(value) and value.is_integer() and abs(value) < 2**53 else value
