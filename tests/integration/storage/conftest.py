"""Storage test fixtures: a session-wide moto S3 server, a fresh bucket per test, S3Storage factories."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.s3_server import aws_test_environment, moto_available, moto_server, reset

PREFIX = "reg/data"


def _require_moto() -> None:
    reason = moto_available()
    if reason is None:
        return
    if os.environ.get("FLOWTIME_BACKENDS_REQUIRED") == "1":
        pytest.fail(f"s3 backend required (FLOWTIME_BACKENDS_REQUIRED=1) but {reason}")
    pytest.skip(f"s3 backend tests skipped: {reason}")


@pytest.fixture(scope="session")
def s3_endpoint():
    _require_moto()
    with aws_test_environment(), moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    """One boto3 client for the session (building a client loads the service model: ~0.3 s)."""
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def s3_bucket(s3_endpoint, s3_client):
    """A fresh bucket (with decoy objects just outside the storage prefix); the server is reset after."""
    client = s3_client
    bucket = f"flowtime-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    for decoy in ("reg/data-sibling/run_decoy/run.json", "reg/datafile", "outside/run_out/run.json"):
        client.put_object(Bucket=bucket, Key=decoy, Body=b"{}")
    yield client, bucket
    reset(s3_endpoint)


@pytest.fixture
def make_s3(s3_endpoint, s3_client, tmp_path):
    """Factory: an S3Storage on the moto server for a bucket (and prefix), spooling under tmp_path.

    It shares the session's client unless `client=` is given (`client=None` builds its own, as production does).
    """

    def build(bucket, prefix=PREFIX, **kwargs):
        kwargs.setdefault("client", s3_client)
        return _make_s3(s3_endpoint, bucket, tmp_path, prefix, **kwargs)

    return build


def _make_s3(s3_endpoint, bucket, tmp_path, prefix=PREFIX, **kwargs):
    from app.storage.s3 import S3Storage

    spool = tmp_path / "s3-spool"
    spool.mkdir(exist_ok=True)
    url = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    return S3Storage(url, endpoint_url=s3_endpoint, temp_dir=spool, **kwargs)
