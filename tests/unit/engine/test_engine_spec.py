"""load_model: grid, nodes, outputs, metadata and YAML safety."""

from __future__ import annotations

import pytest

from app.engine import load_model
from app.errors import ModelInvalid
from app.yamlsafe import safe_load_python
from tests.unit.engine.ft_engine_paths import EXAMPLES

HELLO = (EXAMPLES / "hello.yaml").read_text()


def model(grid="grid: {bins: 3, binMinutes: 60}", nodes="  - id: a\n    kind: const\n    values: [1, 2, 3]\n", extra=""):
    return f"{grid}\nnodes:\n{nodes}{extra}"


def invalid(text: str, *fragments: str) -> ModelInvalid:
    with pytest.raises(ModelInvalid) as info:
        load_model(text)
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value


def test_hello_loads():
    spec = load_model(HELLO)
    assert spec.node_ids == ["demand", "served"]
    assert spec.output_ids == ["served"]
    assert spec.grid.bin_minutes == 60
    assert spec.grid.to_dict() == {"bins": 8, "binMinutes": 60}


@pytest.mark.parametrize("name", ["hello", "it-system", "shift-test", "transportation"])
def test_examples_load(name):
    assert load_model((EXAMPLES / f"{name}.yaml").read_text()).nodes


def test_bin_size_and_unit():
    spec = load_model(model("grid: {bins: 3, binSize: 2, binUnit: days}"))
    assert spec.grid.bin_minutes == 2880
    assert spec.grid.to_dict() == {"bins": 3, "binSize": 2, "binUnit": "days"}
    assert spec.grid.run_grid() == {"bins": 3, "binSize": 2, "binUnit": "days", "timezone": "UTC", "align": "left"}


def test_start_time():
    spec = load_model(model("grid: {bins: 3, binMinutes: 15, startTimeUtc: '2025-01-02T03:00:00Z'}"))
    assert spec.grid.to_dict()["startTimeUtc"] == "2025-01-02T03:00:00Z"


@pytest.mark.parametrize(
    ("grid", "fragment"),
    [
        ("grid: {bins: 0, binMinutes: 60}", "grid.bins"),
        ("grid: {bins: 10001, binMinutes: 60}", "grid.bins"),
        ("grid: {bins: 2.5, binMinutes: 60}", "grid.bins"),
        ("grid: {bins: true, binMinutes: 60}", "grid.bins"),
        ("grid: {bins: 3}", "binMinutes"),
        ("grid: {bins: 3, binMinutes: 0}", "grid.binMinutes"),
        ("grid: {bins: 3, binSize: 1, binUnit: years}", "grid.binUnit"),
        ("grid: {bins: 3, binMinutes: 1, binSize: 1, binUnit: hours}", "either"),
        ("grid: {bins: 3, binMinutes: 60, startTimeUtc: 'yesterday'}", "startTimeUtc"),
        ("grid: [1, 2]", "grid"),
    ],
)
def test_bad_grid(grid, fragment):
    invalid(model(grid), fragment)


def test_grid_missing():
    invalid("nodes:\n  - id: a\n    kind: const\n    values: [1]\n", "grid")


@pytest.mark.parametrize(
    ("nodes", "fragments"),
    [
        ("  - id: 1a\n    kind: const\n    values: [1, 2, 3]\n", ["nodes[0].id"]),
        ("  - id: a\n    kind: const\n    values: [1, 2]\n", ["'a'", "values", "2 entries"]),
        ("  - id: a\n    kind: const\n    values: [1, x, 3]\n", ["'a'", "values[1]"]),
        ("  - id: a\n    kind: const\n    values: [1, true, 3]\n", ["'a'", "values[1]"]),
        ("  - id: a\n    kind: weird\n", ["'a'", "kind"]),
        ("  - id: a\n    kind: expr\n    expr: [1]\n", ["'a'", "expr must be a string"]),
        ("  - id: a\n    kind: expr\n    expr: 'foo(1)'\n", ["'a'", "unknown function"]),
        ("  - id: a\n    kind: pmf\n    pmf: {'10': 0.5, '20': 0.6}\n", ["'a'", "sum to"]),
        ("  - id: a\n    kind: pmf\n    pmf: {'10': -0.5, '20': 1.5}\n", ["'a'", "non-negative"]),
        ("  - id: a\n    kind: pmf\n    pmf: {'10': 0.5, '10.0': 0.5}\n", ["'a'", "duplicate value"]),
        ("  - id: a\n    kind: pmf\n    pmf: {'ten': 1.0}\n", ["'a'", "not a finite number"]),
        ("  - id: a\n    kind: pmf\n    pmf: {}\n", ["'a'", "pmf"]),
        ("  - id: a\n    kind: const\n    values: [1, 2, 3]\n  - id: a\n    kind: const\n    values: [1, 2, 3]\n",
         ["duplicate node id 'a'"]),
        ("  - 5\n", ["nodes[0]"]),
    ],
)
def test_bad_nodes(nodes, fragments):
    error = invalid(model(nodes=nodes), *fragments)
    assert error.status == 400


def test_empty_nodes():
    invalid("grid: {bins: 3, binMinutes: 60}\nnodes: []\n", "nodes")


def test_too_many_nodes():
    nodes = "".join(f"  - id: n{i}\n    kind: pmf\n    pmf: {{'1': 1.0}}\n" for i in range(1001))
    invalid(model(nodes=nodes), "too many nodes")


def test_expr_too_long():
    error = invalid(model(nodes="  - id: a\n    kind: expr\n    expr: '" + "1+" * 1000 + "1'\n"), "too long")
    assert error.details == {"nodes.a.expr": [error.message]}


def test_pmf_expected_value():
    spec = load_model(model(nodes="  - id: a\n    kind: pmf\n    pmf: {'10': 0.3, '20': 0.7}\n"))
    assert spec.nodes[0].expected == pytest.approx(17.0)


def test_outputs_unknown_series():
    invalid(model(extra="outputs:\n  - series: nope\n    as: nope.csv\n"), "unknown series 'nope'")


def test_outputs_bad_shape():
    invalid(model(extra="outputs: 5\n"), "outputs")
    invalid(model(extra="outputs:\n  - as: x.csv\n"), "outputs[0].series")


def test_metadata_and_schema_version():
    spec = load_model(model(extra="metadata:\n  title: T\n  tags: [x, y]\nschemaVersion: 1\n"))
    assert spec.metadata["title"] == "T"
    assert spec.schema_version == 1
    invalid(model(extra="metadata:\n  tags: 5\n"), "metadata.tags")
    invalid(model(extra="metadata:\n  title: [1]\n"), "metadata.title")
    invalid(model(extra="schemaVersion: 7\n"), "schemaVersion")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string", "a: [1, 2\n", "a: 'x\n"])
def test_not_a_model(text):
    invalid(text)


BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize("loader", [load_model, safe_load_python])
def test_alias_bomb_refused(loader):
    with pytest.raises(ModelInvalid, match="anchors are not allowed"):
        loader(BOMB)


@pytest.mark.parametrize("loader", [load_model, safe_load_python])
def test_alias_refused(loader):
    with pytest.raises(ModelInvalid, match="aliases are not allowed"):
        loader("a: *x\n")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN", "1.0e+400"])
def test_non_finite_refused(value):
    invalid(model(nodes=f"  - id: a\n    kind: const\n    values: [1, {value}, 3]\n"), "non-finite")
    invalid(model(extra=f"metadata:\n  extra: {value}\n"), "non-finite")


def test_huge_integer_refused():
    invalid(model(nodes="  - id: a\n    kind: const\n    values: [1, " + "9" * 400 + ", 3]\n"), "values[1]")


def test_deep_nesting_refused():
    invalid("[" * 100_000 + "]" * 100_000, "nested too deeply")
