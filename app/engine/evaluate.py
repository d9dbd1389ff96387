"""Dependency graph, cycle detection, topological order and vectorised evaluation of a ModelSpec."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from app.engine.expr import BinOp, Call, Neg, Num, Ref
from app.engine.spec import ModelSpec, Node
from app.errors import ModelInvalid


@dataclass(frozen=True)
class EvalResult:
    """Evaluated series (float64 arrays, one per node) and the evaluation order."""

    order: tuple[str, ...]
    series: dict[str, np.ndarray]


def check_references(spec: ModelSpec) -> None:
    """Raise ModelInvalid when an expression references a node that does not exist."""
    known = set(spec.node_ids)
    for node in spec.nodes:
        for ref in node.inputs:
            if ref not in known:
                raise ModelInvalid(
                    f"node '{node.id}': expression references unknown node '{ref}'",
                    details={f"nodes.{node.id}.expr": [f"references unknown node '{ref}'"]},
                )


def _find_cycle(remaining: set[str], inputs: dict[str, tuple[str, ...]], ids: list[str]) -> list[str]:
    """Return one cycle (as a node list) among the nodes that could not be ordered."""
    start = next(i for i in ids if i in remaining)
    path: list[str] = []
    position: dict[str, int] = {}
    current = start
    while current not in position:
        position[current] = len(path)
        path.append(current)
        current = next(r for r in inputs[current] if r in remaining)
    return path[position[current]:] + [current]


def topological_order(spec: ModelSpec) -> list[str]:
    """Kahn's algorithm, preferring declaration order among ready nodes; cycles raise ModelInvalid."""
    check_references(spec)
    ids = spec.node_ids
    rank = {node_id: i for i, node_id in enumerate(ids)}
    inputs = {n.id: n.inputs for n in spec.nodes}
    pending = {node_id: len(set(refs)) for node_id, refs in inputs.items()}
    users: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for node_id, refs in inputs.items():
        for ref in set(refs):
            users[ref].append(node_id)
    ready = [rank[i] for i in ids if pending[i] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node_id = ids[heapq.heappop(ready)]
        order.append(node_id)
        for user in users[node_id]:
            pending[user] -= 1
            if pending[user] == 0:
                heapq.heappush(ready, rank[user])
    if len(order) != len(ids):
        cycle = _find_cycle(set(ids) - set(order), inputs, ids)
        raise ModelInvalid(
            f"cycle detected: {' -> '.join(cycle)}", details={"nodes": [f"cycle: {' -> '.join(cycle)}"]}
        )
    return order


def graph(spec: ModelSpec) -> dict:
    """Nodes, evaluation order and input edges, for the graph endpoint."""
    order = topological_order(spec)
    return {
        "nodes": spec.node_ids,
        "order": order,
        "edges": [{"id": n.id, "inputs": list(n.inputs)} for n in spec.nodes],
    }


class _Evaluator:
    def __init__(self, bins: int, values: dict[str, np.ndarray], node_id: str):
        self.bins = bins
        self.values = values
        self.node_id = node_id

    def fail(self, what: str) -> ModelInvalid:
        return ModelInvalid(
            f"node '{self.node_id}': {what} produced a non-finite value (overflow)",
            details={f"nodes.{self.node_id}.expr": [f"{what} produced a non-finite value (overflow)"]},
        )

    def checked(self, result: np.ndarray, what: str) -> np.ndarray:
        if not np.isfinite(result).all():
            raise self.fail(what)
        return result

    def eval(self, ast) -> np.ndarray:
        if isinstance(ast, Num):
            return np.full(self.bins, ast.value, dtype=np.float64)
        if isinstance(ast, Ref):
            return self.values[ast.name]
        if isinstance(ast, Neg):
            return -self.eval(ast.operand)
        if isinstance(ast, BinOp):
            return self.binop(ast.op, self.eval(ast.left), self.eval(ast.right))
        if isinstance(ast, Call):
            return self.call(ast)
        raise ModelInvalid(f"node '{self.node_id}': unsupported expression",
                           details={f"nodes.{self.node_id}.expr": ["unsupported expression"]})

    def binop(self, op: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        else:
            result = np.zeros(self.bins, dtype=np.float64)
            np.divide(left, right, out=result, where=right != 0)
        return self.checked(result, f"'{op}'")

    def call(self, ast: Call) -> np.ndarray:
        if ast.name == "SHIFT":
            series, lag = self.eval(ast.args[0]), ast.args[1]
            result = np.zeros(self.bins, dtype=np.float64)
            if lag < self.bins:
                result[lag:] = series[: self.bins - lag]
            return result
        args = [self.eval(a) for a in ast.args]
        if ast.name == "MIN":
            return np.minimum(args[0], args[1])
        if ast.name == "MAX":
            return np.maximum(args[0], args[1])
        return np.minimum(np.maximum(args[0], args[1]), args[2])


def evaluate_node(node: Node, bins: int, values: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate one node given the already-evaluated series it depends on."""
    if node.kind == "const":
        return node.values
    if node.kind == "pmf":
        return np.full(bins, node.expected, dtype=np.float64)
    evaluator = _Evaluator(bins, values, node.id)
    with np.errstate(all="ignore"):
        result = np.array(evaluator.eval(node.parsed.ast), dtype=np.float64, copy=True) + 0.0
    return evaluator.checked(result, "expression")


def evaluate(spec: ModelSpec) -> EvalResult:
    """Evaluate every node over the grid in dependency order (float64, x/0 = 0)."""
    order = topological_order(spec)
    by_id = {n.id: n for n in spec.nodes}
    values: dict[str, np.ndarray] = {}
    for node_id in order:
        values[node_id] = evaluate_node(by_id[node_id], spec.grid.bins, values)
    return EvalResult(order=tuple(order), series=values)
