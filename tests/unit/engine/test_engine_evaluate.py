"""Expression parsing and evaluation: worked examples, errors, graph."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import evaluate, graph, load_model, parse_expr
from app.engine.expr import Call, Ref
from app.errors import ModelInvalid
from tests.unit.engine.ft_engine_paths import EXAMPLES


def run(nodes: str, bins: int = 4) -> dict:
    spec = load_model(f"grid: {{bins: {bins}, binMinutes: 60}}\nnodes:\n{nodes}")
    return {k: v.tolist() for k, v in evaluate(spec).series.items()}


AB = "  - id: a\n    kind: const\n    values: [10, 30, 15, 25]\n  - id: b\n    kind: const\n    values: [20, 10, 25, 15]\n"


def expr_node(node_id: str, expr: str) -> str:
    return f"  - id: {node_id}\n    kind: expr\n    expr: \"{expr}\"\n"


def test_hello():
    spec = load_model((EXAMPLES / "hello.yaml").read_text())
    assert evaluate(spec).series["served"].tolist() == [8.0] * 8


def test_shift_example():
    spec = load_model((EXAMPLES / "shift-test.yaml").read_text())
    series = evaluate(spec).series
    assert series["previous_demand"].tolist() == [0, 10, 20, 30, 40]
    assert series["total_demand"].tolist() == [10, 30, 50, 70, 90]


def test_min_max_clamp():
    out = run(AB + expr_node("lo", "MIN(a, b)") + expr_node("hi", "max(a, b)") + expr_node("c", "Clamp(a, 12, 22)"))
    assert out["lo"] == [10, 10, 15, 15]
    assert out["hi"] == [20, 30, 25, 25]
    assert out["c"] == [12, 22, 15, 22]


def test_precedence_unary_and_parens():
    out = run(AB + expr_node("x", "a + b * 2 - -a / (b - 10)") + expr_node("y", "-(a + 1) * 2"))
    a, b = np.array([10, 30, 15, 25.0]), np.array([20, 10, 25, 15.0])
    assert out["x"] == [ai + bi * 2 - (-ai / (bi - 10) if bi != 10 else 0) for ai, bi in zip(a, b, strict=True)]
    assert out["y"] == (-(a + 1) * 2).tolist()


def test_division_by_zero_is_zero():
    out = run(AB + expr_node("z", "a / (b - 10)") + expr_node("k", "1 / 0"))
    assert out["z"] == [1.0, 0.0, 1.0, 5.0]
    assert out["k"] == [0.0] * 4


def test_shift_beyond_grid():
    assert run(AB + expr_node("s", "SHIFT(a, 9)"))["s"] == [0.0] * 4
    assert run(AB + expr_node("s", "shift(a + b, 0)"))["s"] == [30, 40, 40, 40]


def test_pmf_and_all_examples():
    for name in ("it-system", "transportation"):
        series = evaluate(load_model((EXAMPLES / f"{name}.yaml").read_text())).series
        assert all(np.isfinite(v).all() for v in series.values())


def test_declaration_order_is_stable():
    nodes = expr_node("c", "b + 1") + "  - id: b\n    kind: const\n    values: [1, 2, 3, 4]\n" + expr_node("d", "b * 2")
    spec = load_model(f"grid: {{bins: 4, binMinutes: 60}}\nnodes:\n{nodes}")
    assert evaluate(spec).order == ("b", "c", "d")
    assert graph(spec) == {
        "nodes": ["c", "b", "d"],
        "order": ["b", "c", "d"],
        "edges": [{"id": "c", "inputs": ["b"]}, {"id": "b", "inputs": []}, {"id": "d", "inputs": ["b"]}],
    }


def test_cycle_names_nodes():
    with pytest.raises(ModelInvalid) as info:
        run(expr_node("x", "y + 1") + expr_node("y", "z * 2") + expr_node("z", "x") + AB)
    assert "cycle" in info.value.message
    [cycle] = info.value.details["nodes"]
    assert cycle.startswith("cycle: ") and set(cycle.removeprefix("cycle: ").split(" -> ")) == {"x", "y", "z"}
    assert "x" in info.value.message and "z" in info.value.message


def test_self_cycle():
    with pytest.raises(ModelInvalid, match="cycle detected: x -> x"):
        run(expr_node("x", "x + 1"))


def test_unknown_reference():
    with pytest.raises(ModelInvalid, match="node 'x': expression references unknown node 'nope'"):
        run(expr_node("x", "nope + 1"))


def test_overflow_names_node():
    with pytest.raises(ModelInvalid, match="node 'big'"):
        run(expr_node("big", "1e300 * 1e300"))
    with pytest.raises(ModelInvalid, match="node 'big'"):
        run(expr_node("big", "MIN(1e300 * 1e10, 1)"))


@pytest.mark.parametrize(
    ("text", "fragment", "position"),
    [
        ("foo(1)", "unknown function 'foo'", 0),
        ("MIN(a)", "MIN takes 2 arguments but got 1", 0),
        ("CLAMP(a, 1)", "CLAMP takes 3 arguments", 0),
        ("SHIFT(a, 1.5)", "SHIFT lag must be a literal non-negative integer", 9),
        ("SHIFT(a, -1)", "SHIFT lag", 9),
        ("SHIFT(a, b)", "SHIFT lag", 9),
        ("a + ", "unexpected end of expression", 4),
        ("(a + 1", "missing ')'", 6),
        ("a + 1)", "unexpected ')'", 5),
        ("a $ 1", "unexpected character '$'", 2),
        ("a b", "unexpected token 'b'", 2),
        ("", "empty", None),
        ("(" * 65 + "a" + ")" * 65, "nested too deeply", 64),
        ("1e999", "out of range", 0),
    ],
)
def test_expr_errors(text, fragment, position):
    with pytest.raises(ModelInvalid) as info:
        parse_expr(text, "n")
    assert fragment in info.value.message
    assert (f"at position {position}" in info.value.message) == (position is not None)
    assert info.value.details == {"nodes.n.expr": [info.value.message]}


def test_expr_limits():
    with pytest.raises(ModelInvalid, match="too long"):
        parse_expr("1+" * 1000 + "1")
    parse_expr("(" * 63 + "a" + ")" * 63)


def test_ast_and_refs():
    parsed = parse_expr("SHIFT(demand, 2) + min(a, demand)")
    assert parsed.refs == ("demand", "a")
    assert parsed.ast.left == Call("SHIFT", (Ref("demand"), 2))
