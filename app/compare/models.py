"""compare_models: a structural diff of two model specs (grid and node definitions)."""

from __future__ import annotations

import numpy as np

from app.compare.numbers import json_list, json_number
from app.compare.runs import artifact_ref
from app.engine.grid import Grid
from app.engine.spec import Node, load_model


def grid_json(grid: Grid) -> dict:
    """The grid as {bins, bin_minutes, start_time_utc} (bin width normalised to minutes)."""
    start = grid.start_time_utc.strftime("%Y-%m-%dT%H:%M:%SZ") if grid.start_time_utc else None
    return {"bins": grid.bins, "bin_minutes": grid.bin_minutes, "start_time_utc": start}


def node_json(node: Node) -> dict:
    """A node definition as JSON: kind plus values, expr or pmf."""
    if node.kind == "const":
        return {"kind": "const", "values": json_list(node.values, rounded=False)}
    if node.kind == "expr":
        return {"kind": "expr", "expr": node.expr}
    return {"kind": node.kind, "pmf": {key: json_number(p) for key, p in (node.pmf or {}).items()}}


def _pmf_key(pmf: dict | None) -> dict:
    """A pmf keyed by numeric value, so "1" and 1.0 compare equal."""
    return {float(value): prob for value, prob in (pmf or {}).items()}


def same_node(a: Node, b: Node) -> bool:
    """Whether two nodes have the same definition (exprs compared by parse tree, pmf keys by value)."""
    if a.kind != b.kind:
        return False
    if a.kind == "const":
        return np.array_equal(a.values, b.values)
    if a.kind == "expr":
        return a.parsed.ast == b.parsed.ast if a.parsed and b.parsed else a.expr == b.expr
    return _pmf_key(a.pmf) == _pmf_key(b.pmf)


def compare_models(base_record, base_spec_text: str, other_record, other_spec_text: str) -> dict:
    """Diff two model specs: grid change and nodes added, removed and changed (ModelInvalid propagates)."""
    base, other = load_model(base_spec_text), load_model(other_spec_text)
    base_nodes, other_nodes = {n.id: n for n in base.nodes}, {n.id: n for n in other.nodes}
    base_grid, other_grid = grid_json(base.grid), grid_json(other.grid)
    common = sorted(base_nodes.keys() & other_nodes.keys())
    return {
        "base": artifact_ref(base_record),
        "other": artifact_ref(other_record),
        "grid_changed": base_grid != other_grid,
        "grid": {"base": base_grid, "other": other_grid},
        "nodes_added": sorted(other_nodes.keys() - base_nodes.keys()),
        "nodes_removed": sorted(base_nodes.keys() - other_nodes.keys()),
        "nodes_changed": [
            {"id": i, "base": node_json(base_nodes[i]), "other": node_json(other_nodes[i])}
            for i in common if not same_node(base_nodes[i], other_nodes[i])
        ],
    }
