"""compare_series on hand-made series sets: statistics computed by hand, grids, matching, filter, values."""

from __future__ import annotations

import json
import math

import numpy as np

from app.compare import compare_series, match_series, series_set


def compare(make_record, base: dict, other: dict, base_grid=(4, 60), other_grid=(4, 60), **kwargs) -> dict:
    """Compare two {(measure, component): values} dicts on the given (bins, bin_minutes) grids."""
    a = series_set(base, base_grid[1], base_grid[0])
    b = series_set(other, other_grid[1], other_grid[0])
    result = compare_series(make_record("base_run"), a, make_record("other_run"), b, **kwargs)
    json.dumps(result, allow_nan=False)  # always JSON-safe
    return result


def test_hand_computed_integers(make_record):
    # base [1,2,3,4]: sum 10, mean 2.5, min 1, max 4; other [2,2,5,3]: sum 12, mean 3, min 2, max 5
    # diff = other - base = [1,0,2,-1]: sum 2, mean 0.5, max_abs 2,
    # rmse = sqrt((1+0+4+1)/4) = sqrt(1.5) = 1.2247448713... -> 1.22474487 (9 significant digits)
    # pct_change = 2 / |10| * 100 = 20
    result = compare(make_record, {("served", "SERVED"): [1, 2, 3, 4]}, {("served", "SERVED"): [2, 2, 5, 3]})
    (entry,) = result["series"]
    assert entry["measure"] == "served" and entry["component_id"] == "SERVED" and entry["points"] == 4
    assert entry["base"] == {"sum": 10, "mean": 2.5, "min": 1, "max": 4}
    assert entry["other"] == {"sum": 12, "mean": 3, "min": 2, "max": 5}
    assert entry["delta"] == {"sum": 2, "mean": 0.5, "max_abs": 2, "rmse": 1.22474487, "pct_change": 20}
    assert isinstance(entry["base"]["sum"], int) and isinstance(entry["delta"]["pct_change"], int)
    assert "values" not in entry


def test_artifact_refs_and_grid(make_record):
    result = compare(make_record, {("a", "A"): [1, 2, 3, 4]}, {("a", "A"): [1, 2, 3, 4]})
    assert result["base"] == {"id": "base_run", "type": "run", "title": "title of base_run"}
    assert result["other"]["id"] == "other_run"
    assert result["grid"] == {"base": {"bins": 4, "bin_minutes": 60}, "other": {"bins": 4, "bin_minutes": 60},
                              "compatible": True}
    assert list(result) == ["base", "other", "grid", "series", "only_in_base", "only_in_other"]


def test_float_noise_is_rounded_away(make_record):
    # base [0.1, 0.2]: sum 0.30000000000000004 (float noise), mean 0.15; other [0.3, 0.0]: sum 0.3, mean 0.15
    # diff [0.19999999999999998, -0.2]: max_abs 0.2, rmse sqrt((0.04 + 0.04) / 2) = 0.2; sums equal -> 0, 0 %
    result = compare(make_record, {("x", "X"): [0.1, 0.2]}, {("x", "X"): [0.3, 0.0]}, include_values=True)
    (entry,) = result["series"]
    assert entry["base"] == {"sum": 0.3, "mean": 0.15, "min": 0.1, "max": 0.2}
    assert entry["delta"] == {"sum": 0, "mean": 0, "max_abs": 0.2, "rmse": 0.2, "pct_change": 0}
    assert entry["values"] == {"base": [0.1, 0.2], "other": [0.3, 0], "diff": [0.2, -0.2]}


def test_pct_change_null_when_base_sum_is_zero(make_record):
    # base [0,0] sum 0; other [1,-1] sum 0, diff [1,-1]: max_abs 1, rmse sqrt((1+1)/2) = 1
    result = compare(make_record, {("x", "X"): [0, 0]}, {("x", "X"): [1, -1]})
    assert result["series"][0]["delta"] == {"sum": 0, "mean": 0, "max_abs": 1, "rmse": 1, "pct_change": None}


def test_negative_base_sum_pct_uses_absolute_value(make_record):
    # base sum -4, other sum -2: delta +2, pct = 2 / |-4| * 100 = +50
    result = compare(make_record, {("x", "X"): [-1, -3]}, {("x", "X"): [-1, -1]})
    assert result["series"][0]["delta"]["pct_change"] == 50


def test_different_bin_counts_use_common_prefix(make_record):
    # other has 6 bins of 30 minutes, base 4 of 60: only the first 4 values are compared (all equal)
    result = compare(make_record, {("a", "A"): [1, 2, 3, 4]}, {("a", "A"): [1, 2, 3, 4, 50, 60]},
                     other_grid=(6, 30), include_values=True)
    assert result["grid"]["compatible"] is False
    assert result["grid"]["other"] == {"bins": 6, "bin_minutes": 30}
    (entry,) = result["series"]
    assert entry["points"] == 4
    assert entry["other"]["sum"] == 10 and entry["delta"]["sum"] == 0
    assert entry["values"]["other"] == [1, 2, 3, 4]


def test_same_bins_different_width_is_incompatible(make_record):
    result = compare(make_record, {("a", "A"): [1, 2, 3, 4]}, {("a", "A"): [1, 2, 3, 4]}, other_grid=(4, 15))
    assert result["grid"]["compatible"] is False
    assert result["series"][0]["delta"]["max_abs"] == 0


def test_unknown_width_on_both_sides_is_compatible(make_record):
    unknown = (1, None)
    result = compare(make_record, {("a", "A"): [1]}, {("a", "A"): [1]}, base_grid=unknown, other_grid=unknown)
    assert result["grid"]["compatible"] is True


def test_only_in_lists_and_sorting(make_record):
    base = {("z", "Z"): [1], ("a", "B"): [1], ("a", "A"): [1], ("gone", "GONE"): [1]}
    other = {("new", "NEW"): [1], ("a", "A"): [1], ("z", "Z"): [2], ("a", "B"): [3]}
    result = compare(make_record, base, other)
    keys = [(s["measure"], s["component_id"]) for s in result["series"]]
    assert keys == [("a", "A"), ("a", "B"), ("z", "Z")]
    assert result["only_in_base"] == ["gone@GONE"]
    assert result["only_in_other"] == ["new@NEW"]


def test_fallback_match_by_unambiguous_measure(make_record):
    # run component SERVED vs telemetry component WEB_API: one 'served' on each side, so they pair up
    result = compare(make_record, {("served", "SERVED"): [1, 2]}, {("served", "WEB_API"): [2, 2]})
    (entry,) = result["series"]
    assert (entry["measure"], entry["component_id"]) == ("served", "SERVED")
    assert entry["delta"]["sum"] == 1
    assert result["only_in_base"] == [] and result["only_in_other"] == []


def test_no_fallback_when_measure_is_ambiguous(make_record):
    base = {("served", "A"): [1], ("served", "B"): [1]}
    other = {("served", "A"): [1], ("served", "C"): [1]}
    pairs, only_base, only_other = match_series(list(base), list(other))
    assert pairs == [(("served", "A"), ("served", "A"))]
    assert only_base == [("served", "B")] and only_other == [("served", "C")]
    result = compare(make_record, {("served", "A"): [1], ("served", "B"): [1]}, {("served", "C"): [1]})
    assert result["series"] == []
    assert result["only_in_base"] == ["served@A", "served@B"] and result["only_in_other"] == ["served@C"]


def test_filter_by_measure_and_by_series_id(make_record):
    base = {("a", "A"): [1], ("b", "B"): [1], ("c", "C"): [1], ("d", "D"): [1]}
    other = {("a", "A"): [1], ("b", "B"): [1], ("c", "C"): [1], ("e", "E"): [1]}
    result = compare(make_record, base, other, series_filter=["a", "c@C@DEFAULT", "d@D", "b@OTHER"])
    assert [s["measure"] for s in result["series"]] == ["a", "c"]
    assert result["only_in_base"] == ["d@D"] and result["only_in_other"] == []
    assert len(compare(make_record, base, other, series_filter=None)["series"]) == 3
    assert len(compare(make_record, base, other, series_filter=[])["series"]) == 3


def test_include_values_shapes(make_record):
    result = compare(make_record, {("a", "A"): [1, 2.5, 3]}, {("a", "A"): [1, 2, 4]}, include_values=True)
    values = result["series"][0]["values"]
    assert values == {"base": [1, 2.5, 3], "other": [1, 2, 4], "diff": [0, -0.5, 1]}
    assert [type(v) for v in values["base"]] == [int, float, int]


def test_non_finite_values_are_null_and_left_out_of_stats(make_record):
    # only bin 0 has finite values on both sides: base 1, other 2
    base = {("a", "A"): [1.0, math.nan, 3.0]}
    other = {("a", "A"): [2.0, 5.0, math.inf]}
    result = compare(make_record, base, other, include_values=True)
    (entry,) = result["series"]
    assert entry["points"] == 3
    assert entry["base"] == {"sum": 1, "mean": 1, "min": 1, "max": 1}
    assert entry["delta"] == {"sum": 1, "mean": 1, "max_abs": 1, "rmse": 1, "pct_change": 100}
    assert entry["values"] == {"base": [1, None, 3], "other": [2, 5, None], "diff": [1, None, None]}


def test_empty_series_give_nulls(make_record):
    result = compare(make_record, {("a", "A"): []}, {("a", "A"): [1, 2]})
    (entry,) = result["series"]
    assert entry["points"] == 0
    assert entry["base"] == {"sum": None, "mean": None, "min": None, "max": None}
    assert set(entry["delta"].values()) == {None}


def test_huge_values_stay_json_safe(make_record):
    result = compare(make_record, {("a", "A"): [1e308, 1e308]}, {("a", "A"): [-1e308, -1e308]})
    delta = result["series"][0]["delta"]
    assert delta["max_abs"] is None  # |diff| overflows to inf -> null
    assert result["series"][0]["base"]["sum"] is None


def test_rounding_to_nine_significant_digits(make_record):
    # 1/3 + 2/3 -> sum 1 (exact after rounding), mean 0.5; min 1/3 -> 0.333333333
    result = compare(make_record, {("a", "A"): [1 / 3, 2 / 3]}, {("a", "A"): [1 / 3, 2 / 3]})
    assert result["series"][0]["base"] == {"sum": 1, "mean": 0.5, "min": 0.333333333, "max": 0.666666667}


def test_self_compare_is_all_zero(make_record):
    rng = np.random.default_rng(3)
    data = {("m", f"C{i}"): rng.normal(size=50) * 1000 for i in range(5)}
    result = compare(make_record, data, data, base_grid=(50, 5), other_grid=(50, 5))
    for entry in result["series"]:
        assert entry["base"] == entry["other"]
        assert entry["delta"] == {"sum": 0, "mean": 0, "max_abs": 0, "rmse": 0, "pct_change": 0}
