"""Large registries: a full export runs in a child process, a patch in the server's own mirror thread."""

import json

from app.registry import mirror_writer
from app.registry.service import update_artifact
from tests.conftest import make_app
from tests.helpers import write_run

RUN = "run_20250101T000000Z_00000000"


def _spawned(monkeypatch) -> list:
    children = []
    real_run = mirror_writer.subprocess.run

    def run(args, **kwargs):
        children.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(mirror_writer.subprocess, "run", run)
    return children


def test_a_full_export_runs_in_a_child_and_a_patch_does_not(data_dir, monkeypatch):
    monkeypatch.setattr(mirror_writer, "CHILD_PROCESS_FROM", 0)
    children = _spawned(monkeypatch)
    write_run(data_dir, RUN, title="Mirrored")
    app = make_app(data_dir, mirror_process=True)
    ctx = app.extensions["flowtime"]
    app.test_client().get("/v1/artifacts")  # adopts the folder: a bulk commit, so the next snapshot is an export
    ctx.mirror.close()  # let the background writer finish and stop: only the explicit syncs below write
    children.clear()
    update_artifact(ctx, RUN, {"title": "Written by a child"})
    with ctx.writing(bulk=True) as registry:  # not itemised: a patch cannot follow it
        registry.set_state("test_counter", "1")
    assert ctx.mirror.sync() is True  # runs `python -m app.registry.mirror_job`
    assert [args[-1] for args in children] == ["app.registry.mirror_job"]
    doc = json.loads((data_dir / "registry-index.json").read_text())
    with ctx.reading() as registry:
        assert doc["generation"] == registry.generation()
    assert doc["artifacts"][0]["title"] == "Written by a child"
    assert ctx.mirror.sync() is False  # already current
    update_artifact(ctx, RUN, {"title": "Patched here"})
    assert ctx.mirror.sync() is True
    assert len(children) == 1  # the patch ran in this process
    assert json.loads((data_dir / "registry-index.json").read_text())["artifacts"][0]["title"] == "Patched here"
    ctx.close()
