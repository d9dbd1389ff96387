"""Shared helpers for the reliability suite: live servers, the error-shape check and soak sizes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app.registry.sync.rescan import bootstrap
from tests.conftest import SAMPLE_DATA, make_app
from tests.helpers import ERROR_KEYS, assert_details_shape
from tests.live import LiveServer


def soak_size(name: str, default: int) -> int:
    """The size of a soak test: the environment variable when set, else the short default CI runs."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def sample_registry(tmp_path: Path):
    """An app over a copy of the FlowTime sample data, adopted as start-up adopts it: (app, ctx, data_dir)."""
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    return app, ctx, data_dir


@pytest.fixture
def live_server_factory():
    """Start live gunicorn servers; every one still running is stopped at the end of the test."""
    started: list[LiveServer] = []

    def start(data_dir: Path, **env) -> LiveServer:
        server = LiveServer(data_dir, {k: str(v) for k, v in env.items()}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def assert_error_shape(status: int, body: bytes, where: str = "") -> dict:
    """An error body is JSON with exactly the documented keys, and the status inside matches."""
    try:
        doc = json.loads(body)
    except ValueError as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"{where}: error body is not JSON: {body[:200]!r}") from exc
    assert isinstance(doc, dict) and set(doc) == ERROR_KEYS, f"{where}: error keys {sorted(doc)}"
    assert doc["status"] == status, f"{where}: status {doc['status']} != {status}"
    assert isinstance(doc["code"], str) and isinstance(doc["error"], str)
    assert_details_shape(doc, where)
    assert isinstance(doc["request_id"], str) and doc["request_id"], f"{where}: no request id"
    return doc


def assert_no_leak(body: bytes, forbidden: list[bytes], where: str = "") -> None:
    """No traceback, no server path, no byte from outside the data directory."""
    assert b"Traceback" not in body, f"{where}: traceback in body"
    for needle in forbidden:
        assert needle not in body, f"{where}: leaked {needle[:60]!r}"
