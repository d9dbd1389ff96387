"""A small, controlled catalogue of artifacts for API tests."""

from datetime import datetime

import pytest

from tests.conftest import make_app
from tests.helpers import write_described, write_run

CATALOGUE = [
    # id, title, tags, created, nodes, size padding
    ("run_20250101T000000Z_00000001", "Checkout capacity baseline", ["baseline", "prod"], datetime(2025, 1, 1), ("arrivals", "served"), 0),
    ("run_20250201T000000Z_00000002", "Checkout capacity surge", ["prod", "surge"], datetime(2025, 2, 1), ("arrivals",), 100),
    ("run_20250301T000000Z_00000003", "Warehouse backlog study", ["warehouse"], datetime(2025, 3, 1), ("backlog",), 5000),
    ("run_20250401T000000Z_00000004", "Payments retry storm", ["prod", "incident"], datetime(2025, 4, 1), ("retries", "errors"), 50),
    ("run_20250501T000000Z_00000005", "Harbour cranes", [], datetime(2025, 5, 1), ("cranes",), 10),
    ("run_20250601T000000Z_00000006", "Search <b>markup</b> & friends", ["ui"], datetime(2025, 6, 1), ("queries",), 10),
]


@pytest.fixture
def catalogue_dir(data_dir):
    for run_id, title, tags, created, nodes, pad in CATALOGUE:
        write_run(data_dir, run_id, title=title, tags=tags, created=created, nodes=nodes, extra_bytes=pad,
                  description=f"{title} description")
    write_described(data_dir, "model", "model_20250115T000000Z_0000000a", title="Checkout model",
                    created="2025-01-15T00:00:00Z", source="sim", tags=["baseline"],
                    provenance={"template_id": "it-system"})
    write_described(data_dir, "telemetry", "telemetry_20250116T000000Z_0000000b", title="Checkout telemetry",
                    created="2025-01-16T00:00:00Z", source="import", tags=["prod"])
    return data_dir


@pytest.fixture
def app(catalogue_dir):
    app = make_app(catalogue_dir)
    yield app
    app.extensions["flowtime"].db.dispose()
