"""load_run_series over real run folders (the sample data and hand-written folders) and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.compare import compare_series, load_run_series, parse_series_csv, series_set
from app.errors import ArtifactUnreadable
from app.runfolder import bin_minutes

HELLO_A = "run_20250921T161133Z_0bcdbb6f"
HELLO_B = "run_20250923T120000Z_0000aaaa"
DETERMINISTIC = "run_deterministic_4bbc610e"


def test_load_sample_run(sample_storage, make_record):
    loaded = load_run_series(sample_storage, make_record(DETERMINISTIC))
    assert loaded.bins == 6 and loaded.bin_minutes == 30
    assert sorted(loaded.series) == [("arrivals", "ARRIVALS"), ("backlog", "BACKLOG"),
                                     ("capacity", "CAPACITY"), ("served", "SERVED")]
    assert loaded.series[("arrivals", "ARRIVALS")].tolist() == [17.0] * 6
    assert loaded.series[("backlog", "BACKLOG")].dtype == np.float64


def test_identical_hello_runs_have_zero_deltas(sample_storage, make_record):
    a, b = make_record(HELLO_A), make_record(HELLO_B)
    result = compare_series(a, load_run_series(sample_storage, a), b, load_run_series(sample_storage, b))
    # served = demand * 0.8 = 8 in each of the 8 hourly bins: sum 64, mean 8
    (entry,) = result["series"]
    assert (entry["measure"], entry["component_id"], entry["points"]) == ("served", "SERVED", 8)
    assert entry["base"] == entry["other"] == {"sum": 64, "mean": 8, "min": 8, "max": 8}
    assert entry["delta"] == {"sum": 0, "mean": 0, "max_abs": 0, "rmse": 0, "pct_change": 0}
    assert result["grid"]["compatible"] is True
    assert result["only_in_base"] == [] and result["only_in_other"] == []


def test_deterministic_run_against_itself(sample_storage, make_record):
    record = make_record(DETERMINISTIC)
    loaded = load_run_series(sample_storage, record)
    result = compare_series(record, loaded, record, loaded, include_values=True)
    assert len(result["series"]) == 4
    for entry in result["series"]:
        assert set(entry["delta"].values()) == {0}
        assert entry["values"]["diff"] == [0] * 6


def test_runs_with_different_grids(sample_storage, make_record):
    # run_20251002 is 4 hourly bins (binSize 1, binUnit hours); the deterministic run 6 bins of 30 minutes
    a, b = make_record("run_20251002T141500Z_9f8e7d6c"), make_record(DETERMINISTIC)
    result = compare_series(a, load_run_series(sample_storage, a), b, load_run_series(sample_storage, b))
    assert result["grid"] == {"base": {"bins": 4, "bin_minutes": 60}, "other": {"bins": 6, "bin_minutes": 30},
                              "compatible": False}
    assert result["series"] == []
    assert result["only_in_base"] == ["a@A", "b@B", "clamped@CLAMPED", "hi@HI", "lo@LO"]


def test_record_metadata_grid_wins(sample_storage, make_record):
    record = make_record(DETERMINISTIC, grid={"bins": 6, "binSize": 2, "binUnit": "hours"})
    loaded = load_run_series(sample_storage, record)
    assert (loaded.bins, loaded.bin_minutes) == (6, 120)


def test_compare_run_with_telemetry_like_series(sample_storage, make_record):
    run = make_record(HELLO_A)
    telemetry = series_set({("served", "WEB"): [9, 9, 9, 9, 9, 9, 9, 9]}, 60)
    loaded = load_run_series(sample_storage, run)
    result = compare_series(run, loaded, make_record("tel", "telemetry"), telemetry)
    assert result["other"]["type"] == "telemetry"
    # 8 bins each 1 higher: delta sum 8, pct 8 / 64 * 100 = 12.5
    assert result["series"][0]["delta"] == {"sum": 8, "mean": 1, "max_abs": 1, "rmse": 1, "pct_change": 12.5}


def test_missing_index_is_unreadable(storage, make_record, tmp_path):
    (tmp_path / "data" / "run_x").mkdir()
    with pytest.raises(ArtifactUnreadable, match="series/index.json is missing"):
        load_run_series(storage, make_record("run_x"))


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ('{"series": 3}', "no series list"),
    ('{"series": [{"path": "x.csv"}]}', "has no id"),
])
def test_bad_index_is_unreadable(storage, make_record, tmp_path, text, message):
    (tmp_path / "data" / "run_x" / "series").mkdir(parents=True)
    (tmp_path / "data" / "run_x" / "series" / "index.json").write_text(text)
    with pytest.raises(ArtifactUnreadable, match=message):
        load_run_series(storage, make_record("run_x"))


def test_missing_series_file_is_unreadable(storage, make_record, write_run):
    folder = write_run("run_x", {"a@A@DEFAULT": [1, 2, 3, 4]})
    (folder / "series" / "a@A@DEFAULT.csv").unlink()
    with pytest.raises(ArtifactUnreadable, match="is missing") as info:
        load_run_series(storage, make_record("run_x"))
    assert info.value.details == {"file": ["series file 'series/a@A@DEFAULT.csv' is missing"]}


def test_bad_csv_is_unreadable(storage, make_record, write_run):
    folder = write_run("run_x", {"a@A@DEFAULT": [1, 2, 3, 4]})
    (folder / "series" / "a@A@DEFAULT.csv").write_text("t,value\n0,abc\n")
    with pytest.raises(ArtifactUnreadable, match="not a t,value CSV"):
        load_run_series(storage, make_record("run_x"))


def test_series_path_may_not_leave_the_folder(storage, make_record, write_run):
    index = {"series": [{"id": "a@A@DEFAULT", "path": "../other/series/a.csv"}]}
    write_run("run_x", {}, index=index)
    with pytest.raises(ArtifactUnreadable, match="leaves the artifact folder"):
        load_run_series(storage, make_record("run_x"))


def test_component_defaults_and_default_path(storage, make_record, write_run):
    folder = write_run("run_x", {}, index={"grid": {"bins": 2, "binMinutes": 5},
                                           "series": [{"id": "queue@Q@DEFAULT"}, {"id": "lonely"}]})
    (folder / "series" / "queue@Q@DEFAULT.csv").write_text("t,value\n0,1\n1,2\n")
    (folder / "series" / "lonely.csv").write_text("t,value\n0,3\n1,4\n")
    loaded = load_run_series(storage, make_record("run_x"))
    # no componentId in the index -> the upper-cased node id
    assert sorted(loaded.series) == [("lonely", "LONELY"), ("queue", "QUEUE")]
    assert (loaded.bins, loaded.bin_minutes) == (2, 5)


def test_first_of_duplicate_keys_wins(storage, make_record, write_run):
    write_run("run_x", {"a@A@DEFAULT": [1, 1, 1, 1], "a@A@VIP": [5, 5, 5, 5]})
    loaded = load_run_series(storage, make_record("run_x"))
    assert loaded.series[("a", "A")].tolist() == [1, 1, 1, 1]


def test_parse_csv_bom_crlf_unsorted_and_blank_lines():
    data = "\ufefft,value\r\n2,30\r\n0,10.5\r\n1,\r\n\r\n".encode()
    values = parse_series_csv(data)
    assert values[0] == 10.5 and np.isnan(values[1]) and values[2] == 30


def test_parse_csv_header_only_and_exponents():
    assert parse_series_csv(b"t,value\n").tolist() == []
    assert parse_series_csv(b"t,value\n0,1.5E+20\n1,-2E-05\n").tolist() == [1.5e20, -2e-05]


@pytest.mark.parametrize("grid, minutes", [
    ({"bins": 3, "binMinutes": 15}, 15),
    ({"bins": 3, "binSize": 2, "binUnit": "hours"}, 120),
    ({"bins": 3, "binSize": 1, "binUnit": "Days"}, 1440),
    ({"bins": 3, "binSize": 1, "binUnit": "week"}, 10080),
    ({"bins": 3, "binSize": 5, "binUnit": "minutes"}, 5),
    ({"bins": 3, "binSize": 5, "binUnit": "fortnights"}, None),
    ({"bins": 3, "binMinutes": "60"}, None),
    ({"bins": 3}, None),
    (None, None),
])
def test_grid_minutes(grid, minutes):
    assert bin_minutes(grid) == minutes


def test_result_is_plain_json(sample_storage, make_record):
    a = make_record("run_20250922T090000Z_1a2b3c4d")
    loaded = load_run_series(sample_storage, a)
    result = compare_series(a, loaded, a, loaded, include_values=True, series_filter=["demand"])
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert [s["measure"] for s in result["series"]] == ["demand"]
