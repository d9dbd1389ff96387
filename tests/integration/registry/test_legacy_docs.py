"""Rows stored before migration 0008 (no file names, documents without FlowTime's fields)."""

import json

import pytest
from sqlalchemy import update

from app.registry.records import artifact_doc
from app.registry.service import list_artifacts
from app.registry.store.listing import ListQuery
from app.registry.store.tables import artifacts
from app.registry.sync.rescan import bootstrap, rescan
from tests.conftest import make_app
from tests.helpers import write_run

RUN = "run_20250101T000000Z_0000aaaa"


@pytest.fixture
def ctx(data_dir):
    write_run(data_dir, RUN, title="Legacy", tags=["a"])
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    yield ctx
    ctx.close()


def _make_legacy(ctx) -> None:
    """Rewrite the row as an older version stored it: no file names, a document without FlowTime's fields."""
    with ctx.writing() as registry:
        record = registry.get(RUN)
        record.file_names = None
        legacy = json.dumps(artifact_doc(record))
        registry.connection.execute(update(artifacts).where(artifacts.c.id == RUN)
                                    .values(doc=legacy, file_names=None, fingerprint=""))


def _listed(ctx) -> dict:
    return json.loads(list_artifacts(ctx, ListQuery()).documents[0])


def test_legacy_rows_are_completed_when_listed_and_rewritten_by_a_rescan(ctx):
    fresh = _listed(ctx)
    assert "spec.yaml" in fresh["files"] and fresh["totalSize"] == fresh["size_bytes"] > 0
    _make_legacy(ctx)
    with ctx.reading() as registry:
        assert '"totalSize"' not in registry.documents([(1, RUN)])[0]
    completed = _listed(ctx)
    assert completed["files"] == fresh["files"] and completed["totalSize"] == fresh["totalSize"]
    assert completed["lastModified"] == completed["modified"] and completed["relationships"] == fresh["relationships"]
    rescan(ctx)  # the migration cleared the fingerprints: the folder is read again and the names stored
    with ctx.reading() as registry:
        assert registry.get(RUN).file_names == fresh["files"]
        assert '"totalSize": ' in registry.documents([(1, RUN)])[0]
