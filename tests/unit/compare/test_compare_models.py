"""compare_models: grid changes and nodes added, removed and changed between two specs."""

from __future__ import annotations

import pytest

from app.compare import compare_models
from app.errors import ModelInvalid

BASE = """
grid: {bins: 3, binMinutes: 60}
nodes:
  - {id: demand, kind: const, values: [10, 20, 30]}
  - {id: served, kind: expr, expr: "demand * 0.8"}
  - {id: mix, kind: pmf, pmf: {"1": 0.5, "2": 0.5}}
  - {id: old, kind: const, values: [1, 1, 1]}
"""


def spec(grid: str = "{bins: 3, binMinutes: 60}", *nodes: str) -> str:
    """A spec text with the given grid and node lines."""
    return f"grid: {grid}\nnodes:\n" + "".join(f"  - {n}\n" for n in nodes)


def diff(make_record, base: str, other: str) -> dict:
    return compare_models(make_record("model_a", "model"), base, make_record("model_b", "model"), other)


def test_identical_specs(make_record):
    result = diff(make_record, BASE, BASE)
    assert result["base"] == {"id": "model_a", "type": "model", "title": "title of model_a"}
    assert result["grid_changed"] is False
    assert result["grid"]["base"] == {"bins": 3, "bin_minutes": 60, "start_time_utc": None}
    assert result["nodes_added"] == result["nodes_removed"] == result["nodes_changed"] == []


def test_added_removed_and_changed(make_record):
    other = spec(
        "{bins: 3, binMinutes: 60}",
        "{id: demand, kind: const, values: [10, 25, 30]}",
        "{id: served, kind: expr, expr: 'demand*0.8'}",
        "{id: mix, kind: pmf, pmf: {1.0: 0.5, 2: 0.5}}",
        "{id: extra, kind: expr, expr: 'served + 1'}",
        "{id: another, kind: const, values: [0, 0, 0]}",
    )
    result = diff(make_record, BASE, other)
    assert result["nodes_added"] == ["another", "extra"]
    assert result["nodes_removed"] == ["old"]
    # whitespace-only expr change and pmf keys 1.0 vs "1" are the same definition
    assert result["nodes_changed"] == [
        {"id": "demand", "base": {"kind": "const", "values": [10, 20, 30]},
         "other": {"kind": "const", "values": [10, 25, 30]}},
    ]


def test_expr_kind_and_pmf_changes(make_record):
    base = spec("{bins: 2, binMinutes: 60}", "{id: a, kind: const, values: [1, 2]}",
                "{id: b, kind: expr, expr: 'a * 2'}", "{id: c, kind: pmf, pmf: {'1': 1.0}}")
    other = spec("{bins: 2, binMinutes: 60}", "{id: a, kind: expr, expr: '3'}",
                 "{id: b, kind: expr, expr: 'a * 3'}", "{id: c, kind: pmf, pmf: {'1': 0.25, '5': 0.75}}")
    changed = {c["id"]: c for c in diff(make_record, base, other)["nodes_changed"]}
    assert changed["a"]["other"] == {"kind": "expr", "expr": "3"}
    assert changed["b"]["base"] == {"kind": "expr", "expr": "a * 2"}
    assert changed["b"]["other"] == {"kind": "expr", "expr": "a * 3"}
    assert changed["c"]["other"] == {"kind": "pmf", "pmf": {"1": 0.25, "5": 0.75}}
    assert list(changed) == ["a", "b", "c"]


def test_grid_change_bins(make_record):
    other = BASE.replace("bins: 3", "bins: 4").replace("[10, 20, 30]", "[10, 20, 30, 40]").replace(
        "[1, 1, 1]", "[1, 1, 1, 1]")
    result = diff(make_record, BASE, other)
    assert result["grid_changed"] is True
    assert result["grid"]["other"]["bins"] == 4
    assert [c["id"] for c in result["nodes_changed"]] == ["demand", "old"]


def test_grid_change_width_but_equivalent_units_are_not(make_record):
    hours = BASE.replace("binMinutes: 60", "binSize: 1, binUnit: hours")
    assert diff(make_record, BASE, hours)["grid_changed"] is False
    days = BASE.replace("binMinutes: 60", "binSize: 1, binUnit: days")
    result = diff(make_record, BASE, days)
    assert result["grid_changed"] is True
    assert result["grid"]["other"]["bin_minutes"] == 1440


def test_start_time_change(make_record):
    other = BASE.replace("binMinutes: 60}", "binMinutes: 60, startTimeUtc: '2025-01-01T00:00:00Z'}")
    result = diff(make_record, BASE, other)
    assert result["grid_changed"] is True
    assert result["grid"]["other"]["start_time_utc"] == "2025-01-01T00:00:00Z"


def test_invalid_spec_propagates(make_record):
    with pytest.raises(ModelInvalid):
        diff(make_record, BASE, "grid: {bins: 0}\nnodes: []\n")
