"""Scale-out: two app hosts on one PostgreSQL database and one S3 bucket."""

import threading
import uuid

import pytest
import requests

from tests.backends import fresh_database
from tests.conftest import EXAMPLES
from tests.live import gunicorn

HELLO = (EXAMPLES / "hello.yaml").read_bytes()
WRITES_PER_CLIENT = 8


@pytest.fixture
def hosts(tmp_path, postgres_url, s3_endpoint, s3_client):
    database, drop = fresh_database(postgres_url)
    bucket = f"flowtime-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    shared = {"FLOWTIME_DATABASE_URL": database, "FLOWTIME_STORAGE_URL": f"s3://{bucket}/data",
              "FLOWTIME_S3_ENDPOINT_URL": s3_endpoint, "FLOWTIME_MIRROR_DELAY_MS": "50"}
    try:
        with gunicorn({**shared, "FLOWTIME_DATA_DIR": str(tmp_path / "a")}) as first:
            with gunicorn({**shared, "FLOWTIME_DATA_DIR": str(tmp_path / "b")}) as second:
                yield first, second
    finally:
        drop()


def run(base: str) -> str:
    response = requests.post(f"{base}/v1/run", data=HELLO, headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["runId"]


def add_tag(base: str, artifact_id: str, tag: str) -> None:
    """Read-modify-write with If-Match, retried on 412 until it lands."""
    for _ in range(100):
        current = requests.get(f"{base}/v1/artifacts/{artifact_id}", timeout=30)
        tags = current.json()["tags"] + [tag]
        response = requests.put(f"{base}/v1/artifacts/{artifact_id}", json={"tags": tags},
                                headers={"If-Match": current.headers["ETag"]}, timeout=30)
        if response.status_code == 200:
            return
        assert response.status_code == 412, response.text
    pytest.fail(f"could not add {tag}")


def test_writes_through_one_host_are_visible_through_the_other(hosts):
    first, second = hosts
    run_id = run(first)
    seen = requests.get(f"{second}/v1/artifacts/{run_id}", timeout=30)
    assert seen.status_code == 200
    csv = requests.get(f"{second}/v1/artifacts/{run_id}/files/series/served@SERVED@DEFAULT.csv", timeout=30)
    assert csv.text.startswith("t,value\n0,8\n")
    requests.put(f"{first}/v1/artifacts/{run_id}", json={"title": "Edited on A"}, timeout=30)
    assert requests.get(f"{second}/v1/artifacts/{run_id}", timeout=30).json()["title"] == "Edited on A"
    assert requests.get(f"{second}/v1/artifacts?search=edited", timeout=30).json()["total"] == 1


def test_concurrent_writers_through_both_hosts_lose_nothing(hosts):
    first, second = hosts
    shared = run(first)
    created: list[str] = []
    errors: list[BaseException] = []

    def client(base: str, name: str) -> None:
        try:
            for i in range(WRITES_PER_CLIENT):
                created.append(run(base))
                add_tag(base, shared, f"{name}-{i}")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(base, name))
               for base, name in ((first, "a"), (second, "b"), (first, "c"), (second, "d"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    tags = requests.get(f"{second}/v1/artifacts/{shared}", timeout=30).json()["tags"]
    assert sorted(tags) == sorted(f"{n}-{i}" for n in "abcd" for i in range(WRITES_PER_CLIENT))
    listed = requests.get(f"{first}/v1/artifacts?limit=1000", timeout=30).json()
    assert listed["total"] == 1 + 4 * WRITES_PER_CLIENT
    assert set(created) <= {a["id"] for a in listed["artifacts"]}
