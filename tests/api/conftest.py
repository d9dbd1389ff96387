"""The API contract runs unchanged on every back-end: SQLite or PostgreSQL, local disk or S3."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from app.registry.sync.rescan import bootstrap
from tests.backends import fresh_database, upload_tree
from tests.conftest import make_app
from tests.helpers import assert_details_shape

BACKENDS = ["sqlite-local", "postgres-local", "sqlite-s3", "postgres-s3"]
# For contracts the artifact storage cannot change (query and body validation, filters, sorting, search text):
# every database, on local storage.
ON_EACH_DATABASE = pytest.mark.parametrize("backend", ["sqlite-local", "postgres-local"])


class ShapeCheckingClient(FlaskClient):
    """A test client that holds every JSON error of every API test to the one `details` shape."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.status_code >= 400 and response.is_json:
            assert_details_shape(response.get_json(), f"{response.request.method} {response.request.path}")
        return response


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def app(backend, data_dir, request):
    """A migrated app on the chosen back-end, over whatever the test put into `data_dir`."""
    database, storage = backend.split("-")
    marker = request.node.get_closest_marker("app_settings")
    overrides, cleanups = dict(marker.kwargs) if marker else {}, []
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
    app.test_client_class = ShapeCheckingClient
    bootstrap(app.extensions["flowtime"])  # what gunicorn's start-up does (S3 has no auto-discovery)
    yield app
    app.extensions["flowtime"].close()
    for cleanup in cleanups:
        cleanup()
