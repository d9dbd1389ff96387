"""A mirror that cannot be written is reported: /healthz degraded with the reason, one error log per streak."""

from __future__ import annotations

import logging
import os
import shutil

import pytest

from app.registry.sync.rescan import bootstrap
from app.startup import prepare
from tests.conftest import SAMPLE_DATA, make_app

RUN = "run_20250921T161133Z_0bcdbb6f"


def _make_unwritable(data_dir, outside, how: str) -> None:
    mirror = data_dir / "registry-index.json"
    mirror.unlink(missing_ok=True)
    if how == "directory":
        mirror.mkdir()
        (mirror / "keep").write_text("x")
    else:
        target = outside / "elsewhere.json"
        target.write_text("{}")
        os.symlink(target, mirror)


def _repair(data_dir, how: str) -> None:
    mirror = data_dir / "registry-index.json"
    shutil.rmtree(mirror) if how == "directory" else mirror.unlink()


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.ERROR and "registry-index.json cannot be written" in r.getMessage()]


@pytest.mark.parametrize("how", ["directory", "symlink-out"])
def test_unwritable_mirror_degrades_healthz_and_logs_once_per_streak(tmp_path, how, caplog):
    data_dir, outside = tmp_path / "data", tmp_path / "outside"
    shutil.copytree(SAMPLE_DATA, data_dir)
    outside.mkdir()
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    ctx.mirror.background = False  # the test drives each sync itself
    client = app.test_client()
    try:
        bootstrap(ctx)
        ctx.mirror.sync_here()
        assert client.get("/healthz").status_code == 200
        _make_unwritable(data_dir, outside, how)
        caplog.clear()
        for title in ("one", "two", "three"):
            assert client.patch(f"/v1/artifacts/{RUN}", json={"title": title}).status_code == 200
            with pytest.raises(Exception):  # noqa: B017 - whatever the storage raises; the report is the point
                ctx.mirror.sync_here()
        assert len(_errors(caplog)) == 1, _errors(caplog)  # loud, but once per streak
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["status"] == "degraded"
        assert "registry-index.json cannot be written" in health.json["checks"]["mirror"]
        assert (outside / "elsewhere.json").read_text() == "{}" if how == "symlink-out" else True
        _repair(data_dir, how)
        assert ctx.mirror.sync_here() is True
        assert client.get("/healthz").status_code == 200
        assert '"three"' in (data_dir / "registry-index.json").read_text()
    finally:
        ctx.close()


def test_start_up_with_an_unwritable_mirror_starts_and_reports_it(tmp_path, caplog):
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    (data_dir / "registry-index.json").unlink()
    (data_dir / "registry-index.json").mkdir()
    prepare({"data_dir": data_dir, "mirror_process": False})
    assert _errors(caplog)
    app = make_app(data_dir)
    try:
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and "cannot be written" in health.json["checks"]["mirror"]
    finally:
        app.extensions["flowtime"].close()
