"""Properties of compare_series: swapping sides negates the deltas, self-compare is all zeros."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.compare import compare_series, series_set
from app.registry.records import ArtifactRecord
from app.timefmt import utcnow

NOW = utcnow()
A = ArtifactRecord(id="a", type="run", title="a", path="a", created=NOW, modified=NOW)
B = ArtifactRecord(id="b", type="run", title="b", path="b", created=NOW, modified=NOW)
numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False))
arrays = st.lists(numbers, min_size=0, max_size=24)
measures = st.sampled_from(["arrivals", "served", "queue"])
sets = st.dictionaries(st.tuples(measures, st.sampled_from(["X", "Y"])), arrays, max_size=4)


def negated(value):
    return None if value is None else -value


@settings(max_examples=150, deadline=None)
@given(base=sets, other=sets, bins=st.integers(1, 24), minutes=st.sampled_from([5, 60]))
def test_swapping_sides_negates_deltas(base, other, bins, minutes):
    forward = compare_series(A, series_set(base, 60, bins), B, series_set(other, minutes, bins))
    backward = compare_series(B, series_set(other, minutes, bins), A, series_set(base, 60, bins))
    json.dumps(forward, allow_nan=False)
    assert forward["only_in_base"] == backward["only_in_other"]
    assert forward["only_in_other"] == backward["only_in_base"]
    assert len(forward["series"]) == len(backward["series"])
    for f, b in zip(forward["series"], backward["series"], strict=True):
        assert f["points"] == b["points"]
        assert f["base"] == b["other"] and f["other"] == b["base"]
        assert f["delta"]["sum"] == negated(b["delta"]["sum"])
        assert f["delta"]["mean"] == negated(b["delta"]["mean"])
        assert f["delta"]["max_abs"] == b["delta"]["max_abs"]
        assert f["delta"]["rmse"] == b["delta"]["rmse"]


@settings(max_examples=150, deadline=None)
@given(data=sets)
def test_self_compare_is_zero(data):
    same = series_set(data, 60)
    result = compare_series(A, same, A, same, include_values=True)
    assert result["only_in_base"] == result["only_in_other"] == []
    assert len(result["series"]) == len(data)
    for entry in result["series"]:
        expected_pct = None if not entry["base"]["sum"] else 0
        if entry["points"] == 0:
            assert set(entry["delta"].values()) == {None}
            continue
        assert entry["delta"] == {"sum": 0, "mean": 0, "max_abs": 0, "rmse": 0, "pct_change": expected_pct}
        assert set(entry["values"]["diff"]) == {0}
