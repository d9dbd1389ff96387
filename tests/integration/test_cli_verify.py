"""`flask registry verify`: progress, summary, exit 1 when a run does not reproduce."""

from __future__ import annotations

import json

import pytest

from app.registry.service import get_artifact
from tests.conftest import EXAMPLES

REPRODUCIBLE = "run_20250921T161133Z_0bcdbb6f"


@pytest.fixture
def data_dir(sample_data_dir):
    return sample_data_dir


def invoke(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def test_verify_all_runs_reports_and_exits_0_when_every_run_reproduces(runner, ctx, data_dir):
    invoke(runner, "registry", "rescan")
    result = invoke(runner, "registry", "verify", "--all", "--type", "run")
    assert result.exit_code == 0, result.output
    assert "reproducible 5, not reproducible 0, not verifiable 1" in result.output
    assert "skipped run_20250923T120000Z_0000aaaa" in result.output
    assert get_artifact(ctx, REPRODUCIBLE).verification["reproducible"] is True
    mirrored = json.loads((data_dir / "registry-index.json").read_text())
    entry = next(a for a in mirrored["artifacts"] if a["id"] == REPRODUCIBLE)
    assert entry["verification"]["reproducible"] is True


def test_a_tampered_run_exits_1_and_names_its_series(runner, ctx, data_dir):
    invoke(runner, "registry", "rescan")
    run_id = invoke(runner, "engine", "run", str(EXAMPLES / "hello.yaml"), "--seed", "5").output.strip().splitlines()[-1]
    csv = data_dir / run_id / "series" / "served@SERVED@DEFAULT.csv"
    csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n", 1))
    result = invoke(runner, "registry", "verify", run_id, REPRODUCIBLE)
    assert result.exit_code == 1, result.output
    assert "reproducible 1, not reproducible 1" in result.output
    assert f"NOT REPRODUCIBLE {run_id}: served@SERVED@DEFAULT line 1" in result.output


def test_no_ids_is_a_usage_error(runner):
    assert invoke(runner, "registry", "verify").exit_code == 2


def test_the_verdict_survives_losing_the_database(runner, ctx, data_dir):
    invoke(runner, "registry", "rescan")
    assert invoke(runner, "registry", "verify", REPRODUCIBLE).exit_code == 0
    assert invoke(runner, "registry", "rebuild").exit_code == 0  # clears every row, then folders + mirror
    record = get_artifact(ctx, REPRODUCIBLE)
    assert record.verification["reproducible"] is True and record.series_summary["served"]["max"] == 8.0
