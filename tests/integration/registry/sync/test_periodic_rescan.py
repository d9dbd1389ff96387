"""FLOWTIME_RESCAN_SECONDS: folders appear without a request-time listing (the S3 way)."""

import time

from tests.conftest import make_app
from tests.helpers import write_run


def test_periodic_rescan_indexes_new_folders(data_dir):
    app = make_app(data_dir, rescan_seconds=1, auto_discover=False)
    client = app.test_client()
    assert client.get("/v1/artifacts").json["total"] == 0  # the first request starts the timer
    write_run(data_dir, "run_20260101T000000Z_0000feed", title="Found by the timer")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.get("/v1/artifacts").json["total"] == 0:
        time.sleep(0.2)
    assert client.get("/v1/artifacts").json["artifacts"][0]["title"] == "Found by the timer"
    app.extensions["flowtime"].close()
