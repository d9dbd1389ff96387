"""The run-folder format's one bin-width rule, and every reader of a grid agreeing with it."""

from __future__ import annotations

import json

import pytest

from app.engine.export import load_series
from app.runfolder import SERIES_INDEX, bin_minutes, index_document, json_bytes, series_id, unit_minutes
from app.storage.local import LocalStorage
from tests.helpers import write_run

SPELLINGS = [
    ("minutes", 1), ("minute", 1), ("Minutes", 1), ("MINUTE", 1),
    ("hours", 60), ("hour", 60), ("Hours", 60), ("HOUR", 60), (" hours ", 60),
    ("days", 1440), ("day", 1440), ("Days", 1440),
    ("weeks", 10080), ("week", 10080), ("WEEKS", 10080),
]


@pytest.mark.parametrize("unit, minutes", SPELLINGS)
def test_every_unit_spelling(unit, minutes):
    assert unit_minutes(unit) == minutes
    assert bin_minutes({"bins": 4, "binSize": 3, "binUnit": unit}) == 3 * minutes


@pytest.mark.parametrize("unit", ["fortnights", "h", "", "hourss", None, 60, ["hours"]])
def test_unknown_units_give_no_width(unit):
    assert unit_minutes(unit) is None
    assert bin_minutes({"bins": 4, "binSize": 3, "binUnit": unit}) is None


@pytest.mark.parametrize("grid, minutes", [
    ({"bins": 2, "binMinutes": 15}, 15),
    ({"bins": 2, "binMinutes": 0}, None),
    ({"bins": 2, "binMinutes": True}, None),
    ({"bins": 2, "binSize": 0, "binUnit": "hours"}, None),
    ({"bins": 2, "binSize": 2.5, "binUnit": "hours"}, None),
    ("hours", None),
])
def test_bin_minutes_edge_cases(grid, minutes):
    assert bin_minutes(grid) == minutes


@pytest.mark.parametrize("unit, minutes", [("hour", 60), ("hours", 60), ("Day", 1440)])
def test_export_reads_the_width_the_rule_gives(tmp_path, unit, minutes):
    """The export once gave no width for `hour` while compare gave 60: both use the rule now."""
    data = tmp_path / "data"
    data.mkdir()
    folder = write_run(data, "run_20250101T000000Z_0000abcd", nodes=("served",))
    grid = {"bins": 3, "binSize": 1, "binUnit": unit}
    (folder / SERIES_INDEX).write_bytes(json_bytes(index_document(grid, [series_id("served")], 3)))
    (folder / "run.json").write_text(json.dumps({"runId": folder.name, "grid": grid}))
    (folder / "spec.yaml").unlink()  # no other grid to fall back on: the width must come from binUnit
    facts = load_series(LocalStorage(data), folder.name)[2]
    assert (facts["bins"], facts["minutes"]) == (3, minutes)


def test_written_json_is_strict():
    with pytest.raises(ValueError):
        json_bytes({"value": float("nan")})
    assert json_bytes({"a": 1}) == b'{\n  "a": 1\n}\n'
