"""Model spec loading and validation: YAML text -> ModelSpec (grid, nodes, outputs, metadata)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from app.engine.expr import ParsedExpr, parse_expr
from app.engine.grid import Grid, parse_grid
from app.errors import ModelInvalid
from app.yamlsafe import safe_load

MAX_NODES = 1000
MAX_PMF_ENTRIES = 1000
PMF_TOLERANCE = 1e-6
NODE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KINDS = ("const", "expr", "pmf")


@dataclass(frozen=True)
class Node:
    """One model node: const values, an expression, or a PMF's expected value."""

    id: str
    kind: str
    values: np.ndarray | None = None
    expr: str | None = None
    parsed: ParsedExpr | None = None
    pmf: dict | None = None
    expected: float | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """Node ids this node reads."""
        return self.parsed.refs if self.parsed is not None else ()


@dataclass(frozen=True)
class ModelSpec:
    """A validated model."""

    grid: Grid
    nodes: tuple[Node, ...]
    outputs: tuple[dict, ...] = ()
    schema_version: int | None = None
    metadata: dict = field(default_factory=dict)
    provenance: dict | None = None

    @property
    def node_ids(self) -> list[str]:
        """Node ids in declaration order."""
        return [n.id for n in self.nodes]

    @property
    def output_ids(self) -> list[str]:
        """Ids of the series to write: the outputs if given, otherwise every node."""
        return [o["series"] for o in self.outputs] if self.outputs else self.node_ids


def _bad(message: str, field: str, node: str | None = None) -> ModelInvalid:
    """`field` is the model path (dotted, `outputs.0.series`); a node's own fields sit under `nodes.<id>`."""
    return ModelInvalid(message, details={f"nodes.{node}.{field}" if node else field: [message]})


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _const_values(node_id: str, raw, bins: int) -> np.ndarray:
    values = raw.get("values")
    if not isinstance(values, list):
        raise _bad(f"node '{node_id}': values must be a list of numbers", node=node_id, field="values")
    if len(values) != bins:
        raise _bad(
            f"node '{node_id}': values has {len(values)} entries but grid.bins is {bins}",
            node=node_id,
            field="values",
        )
    for i, v in enumerate(values):
        if not _is_number(v) or not math.isfinite(float(v) if abs(v) < 1e308 else math.inf):
            raise _bad(f"node '{node_id}': values[{i}] must be a finite number", node=node_id, field="values")
    return np.asarray(values, dtype=np.float64) + 0.0


def _pmf_value(node_id: str, key) -> float:
    try:
        value = float(key) if _is_number(key) or isinstance(key, str) else math.nan
    except (ValueError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        raise _bad(f"node '{node_id}': pmf value {key!r} is not a finite number", node=node_id, field="pmf")
    return value


def _pmf(node_id: str, raw) -> tuple[dict, float]:
    pmf = raw.get("pmf")
    if not isinstance(pmf, dict) or not pmf:
        raise _bad(f"node '{node_id}': pmf must be a non-empty mapping value -> probability", node=node_id, field="pmf")
    if len(pmf) > MAX_PMF_ENTRIES:
        raise _bad(f"node '{node_id}': pmf has too many entries", node=node_id, field="pmf")
    seen: dict[float, object] = {}
    total = expected = 0.0
    for key, prob in pmf.items():
        value = _pmf_value(node_id, key)
        if value in seen:
            raise _bad(
                f"node '{node_id}': pmf has duplicate value {key!r} (same as {seen[value]!r})",
                node=node_id,
                field="pmf",
            )
        seen[value] = key
        if not _is_number(prob) or not math.isfinite(float(prob)) or prob < 0:
            raise _bad(f"node '{node_id}': pmf probability for {key!r} must be a non-negative number",
                       node=node_id, field="pmf")
        total += float(prob)
        expected += value * float(prob)
    if abs(total - 1.0) > PMF_TOLERANCE:
        raise _bad(f"node '{node_id}': pmf probabilities sum to {total!r}, not 1", node=node_id, field="pmf")
    if not math.isfinite(expected):
        raise _bad(f"node '{node_id}': pmf expected value is not finite", node=node_id, field="pmf")
    return {str(k): float(v) for k, v in pmf.items()}, expected


def parse_node(raw, index: int, bins: int) -> Node:
    """Validate one node mapping."""
    if not isinstance(raw, dict):
        raise _bad(f"nodes[{index}] must be a mapping", field=f"nodes.{index}")
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        raise _bad(f"nodes[{index}].id {node_id!r} must match {NODE_ID.pattern}", field=f"nodes.{index}.id")
    kind = raw.get("kind")
    if kind == "const":
        return Node(node_id, kind, values=_const_values(node_id, raw, bins))
    if kind == "expr":
        text = raw.get("expr")
        if not isinstance(text, str | int | float) or isinstance(text, bool):
            raise _bad(f"node '{node_id}': expr must be a string", node=node_id, field="expr")
        text = text if isinstance(text, str) else repr(text)
        return Node(node_id, kind, expr=text, parsed=parse_expr(text, node_id))
    if kind == "pmf":
        pmf, expected = _pmf(node_id, raw)
        return Node(node_id, kind, pmf=pmf, expected=expected)
    named = "no kind" if kind is None else f"unknown node kind: {str(kind)[:60]}"
    raise _bad(f"node '{node_id}': {named} (expected one of {', '.join(KINDS)})", node=node_id, field="kind")


def parse_nodes(raw, bins: int) -> tuple[Node, ...]:
    """Validate the node list: shape, size, unique ids."""
    if not isinstance(raw, list) or not raw:
        raise _bad("nodes must be a non-empty list", field="nodes")
    if len(raw) > MAX_NODES:
        raise _bad(f"too many nodes ({len(raw)} > {MAX_NODES})", field="nodes")
    nodes: list[Node] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        node = parse_node(item, index, bins)
        if node.id in seen:
            raise _bad(f"duplicate node id '{node.id}'", node=node.id, field="id")
        seen.add(node.id)
        nodes.append(node)
    return tuple(nodes)


def parse_outputs(raw, node_ids: set[str]) -> tuple[dict, ...]:
    """Validate outputs: each names an existing node; duplicates collapse."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad("outputs must be a list", field="outputs")
    outputs: list[dict] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        series = item.get("series") if isinstance(item, dict) else None
        if not isinstance(series, str):
            raise _bad(f"outputs[{index}].series must be a node id", field=f"outputs.{index}.series")
        if series not in node_ids:
            raise _bad(f"outputs[{index}]: unknown series '{series}'", field=f"outputs.{index}.series")
        alias = item.get("as")
        if alias is not None and not isinstance(alias, str):
            raise _bad(f"outputs[{index}].as must be a string", field=f"outputs.{index}.as")
        if series not in seen:
            seen.add(series)
            outputs.append({"series": series, "as": alias})
    return tuple(outputs)


def parse_metadata(raw) -> dict:
    """Validate the optional metadata section: title, description, tags."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad("metadata must be a mapping", field="metadata")
    for name in ("title", "description"):
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise _bad(f"metadata.{name} must be a string", field=f"metadata.{name}")
    tags = raw.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise _bad("metadata.tags must be a list of strings", field="metadata.tags")
    return dict(raw)


def _schema_version(raw) -> int | None:
    if raw is None:
        return None
    if not _is_int(raw) or raw != 1:
        raise _bad("schemaVersion must be 1", field="schemaVersion")
    return raw


def _provenance(raw) -> dict | None:
    if raw is not None and not isinstance(raw, dict):
        raise _bad("provenance must be a mapping", field="provenance")
    return raw


def load_model(text: str) -> ModelSpec:
    """Parse and validate YAML model text; raises ModelInvalid describing where the problem is."""
    data = safe_load(text)
    if not isinstance(data, dict):
        raise _bad("model must be a YAML mapping with grid and nodes", field="body")
    grid = parse_grid(data.get("grid"))
    nodes = parse_nodes(data.get("nodes"), grid.bins)
    return ModelSpec(
        grid=grid,
        nodes=nodes,
        outputs=parse_outputs(data.get("outputs"), {n.id for n in nodes}),
        schema_version=_schema_version(data.get("schemaVersion")),
        metadata=parse_metadata(data.get("metadata")),
        provenance=_provenance(data.get("provenance")),
    )
