"""The real thing: gunicorn (as `make run` starts it) over a fresh data directory."""

import shutil
import time

import pytest
import requests

from tests.conftest import EXAMPLES, SAMPLE_DATA
from tests.live import gunicorn


@pytest.fixture
def server(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    with gunicorn({"FLOWTIME_DATA_DIR": str(data_dir), "FLOWTIME_MIRROR_DELAY_MS": "300"}) as base:
        yield base, data_dir


def test_served_by_gunicorn_with_adoption_runs_and_mirror(server):
    base, data_dir = server
    listed = requests.get(f"{base}/v1/artifacts?include_archived=true", timeout=10).json()
    assert listed["total"] == 6  # migrated and adopted once, before the workers started
    hello = requests.get(f"{base}/v1/artifacts/run_20250921T161133Z_0bcdbb6f", timeout=10).json()
    assert hello["title"] == "Hello baseline (reviewed)"
    run = requests.post(f"{base}/v1/run?seed=1", data=(EXAMPLES / "hello.yaml").read_bytes(),
                        headers={"Content-Type": "text/plain"}, timeout=10).json()
    # Any worker sees it at once.
    for _ in range(4):
        assert requests.get(f"{base}/v1/artifacts/{run['runId']}", timeout=10).status_code == 200
    edited = requests.put(f"{base}/v1/artifacts/{run['runId']}", json={"title": "From gunicorn"}, timeout=10)
    assert edited.status_code == 200
    assert "From gunicorn" in (data_dir / "registry-journal.jsonl").read_text()  # journaled before the answer
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stats = requests.get(f"{base}/v1/artifacts/stats", timeout=10).json()["index"]
        if stats["generation"] == stats["database_generation"]:
            break
        time.sleep(0.1)
    assert stats["generation"] == stats["database_generation"]
    assert "From gunicorn" in (data_dir / "registry-index.json").read_text()
    assert requests.get(f"{base}/nope", timeout=10).json()["code"] == "not_found"
