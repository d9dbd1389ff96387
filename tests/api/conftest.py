"""The API contract runs unchanged on every back-end: SQLite or PostgreSQL, local disk or S3."""

from __future__ import annotations

import uuid

import pytest

from app.registry.sync.rescan import bootstrap
from tests.backends import fresh_database, upload_tree
from tests.conftest import make_app

BACKENDS = ["sqlite-local", "postgres-local", "sqlite-s3", "postgres-s3"]
# For contracts the artifact storage cannot change (query and body validation, filters, sorting, search text):
# every database, on local storage.
ON_EACH_DATABASE = pytest.mark.parametrize("backend", ["sqlite-local", "postgres-local"])


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def app(backend, data_dir, request):
    """A migrated app on the chosen back-end, over whatever the test put into `data_dir`."""
    database, storage = backend.split("-")
    overrides, cleanups = {}, []
    if database == "postgres":
        overrides["database_url"], drop = fresh_database(request.getfixturevalue("postgres_url"))
        cleanups.append(drop)
    if storage == "s3":
        client = request.getfixturevalue("s3_client")
        bucket = f"flowtime-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        upload_tree(client, bucket, "data", data_dir)
        overrides.update(storage_url=f"s3://{bucket}/data", s3_endpoint_url=request.getfixturevalue("s3_endpoint"))
    app = make_app(data_dir, **overrides)
    bootstrap(app.extensions["flowtime"])  # what gunicorn's start-up does (S3 has no auto-discovery)
    yield app
    app.extensions["flowtime"].close()
    for cleanup in cleanups:
        cleanup()
