"""The pure FlowTime engine: parse a model, evaluate it, write and export run folders."""

from __future__ import annotations

import time

from app.engine.evaluate import EvalResult, evaluate, graph, topological_order
from app.engine.export import export_run
from app.engine.expr import ParsedExpr, parse_expr
from app.engine.grid import Grid
from app.engine.runwriter import DEFAULT_SEED, ENGINE_VERSION, RunInfo, scenario_hash, write_run
from app.engine.spec import ModelSpec, Node, load_model
from app.runfolder import series_id
from app.storage.base import Storage

__all__ = [
    "DEFAULT_SEED",
    "ENGINE_VERSION",
    "EvalResult",
    "Grid",
    "ModelSpec",
    "Node",
    "ParsedExpr",
    "RunInfo",
    "evaluate",
    "export_run",
    "graph",
    "load_model",
    "parse_expr",
    "run_model",
    "scenario_hash",
    "series_id",
    "topological_order",
    "write_run",
]


def run_model(storage: Storage, spec_text: str, seed: int | None = None, provenance: dict | None = None) -> RunInfo:
    """Parse, evaluate and write one model run; returns its RunInfo."""
    started = time.perf_counter()
    spec = load_model(spec_text)
    result = evaluate(spec)
    return write_run(storage, spec_text, spec, result, seed=seed, provenance=provenance, started=started)
