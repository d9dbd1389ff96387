"""Storage test fixtures: a session-wide moto S3 server, a fresh bucket per test, S3Storage factories."""

from __future__ import annotations

import uuid

import pytest

from tests.s3_server import reset

PREFIX = "reg/data"


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
