"""The mirror export in a child process (what large registries use)."""

import json

from app.registry import mirror_writer
from app.registry.service import update_artifact
from tests.conftest import make_app
from tests.helpers import write_run


def test_child_process_writes_the_mirror(data_dir, monkeypatch):
    monkeypatch.setattr(mirror_writer, "CHILD_PROCESS_FROM", 0)
    write_run(data_dir, "run_20250101T000000Z_00000001", title="Mirrored")
    app = make_app(data_dir, mirror_process=True)
    ctx = app.extensions["flowtime"]
    app.test_client().get("/v1/artifacts")
    ctx.mirror.close()  # let the background writer finish and stop: only the explicit syncs below write
    update_artifact(ctx, "run_20250101T000000Z_00000001", {"title": "Written by a child"})
    assert ctx.mirror.sync() is True  # runs `python -m app.registry.mirror_job`
    doc = json.loads((data_dir / "registry-index.json").read_text())
    with ctx.reading() as registry:
        assert doc["generation"] == registry.generation()
    assert doc["artifacts"][0]["title"] == "Written by a child"
    assert ctx.mirror.sync() is False  # already current
    ctx.close()
