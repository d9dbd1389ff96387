"""Rows stored before migration 0009: no summaries, no scenario hash; completed when listed, filled by a rescan."""

import json

import pytest
from sqlalchemy import delete, select, update

from app.registry.service import list_artifacts
from app.registry.store.listing import ListQuery
from app.registry.store.series import parse_filter
from app.registry.store.tables import artifact_series_stats, artifacts
from app.registry.sync.rescan import bootstrap, rescan
from tests.conftest import make_app
from tests.helpers import write_run

FIRST, COPY = "run_20250101T000000Z_0000aaaa", "run_20250102T000000Z_0000bbbb"
RESULTS_KEYS = ("series_summary", "duplicate_of", "verification")


@pytest.fixture
def ctx(data_dir):
    for run_id in (FIRST, COPY):
        write_run(data_dir, run_id, scenario_hash="sha256:" + "cd" * 32)
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    bootstrap(ctx)
    yield ctx
    ctx.close()


def _as_before_0009(ctx) -> None:
    """What migration 0009 leaves: new columns NULL, no stats rows, old documents, fingerprints cleared."""
    with ctx.writing() as registry:
        for row_id in (FIRST, COPY):
            doc = json.loads(registry.documents([(_seq(registry, row_id), row_id)])[0])
            old = {k: v for k, v in doc.items() if k not in (*RESULTS_KEYS, "relationships")}
            registry.connection.execute(update(artifacts).where(artifacts.c.id == row_id).values(
                doc=json.dumps(old), series_summary=None, scenario_hash=None, duplicate_of=None, fingerprint=""))
        registry.connection.execute(delete(artifact_series_stats))


def _seq(registry, row_id):
    return registry.connection.execute(select(artifacts.c.seq).where(artifacts.c.id == row_id)).scalar_one()


def _listed(ctx, **filters) -> list[dict]:
    return [json.loads(d) for d in list_artifacts(ctx, ListQuery(sort="id", order="asc", **filters)).documents]


def test_old_rows_are_completed_when_listed_and_filled_by_the_next_rescan(ctx):
    assert [d["duplicate_of"] for d in _listed(ctx)] == [None, FIRST]
    _as_before_0009(ctx)
    listed = _listed(ctx)
    assert all(d[k] is None for d in listed for k in RESULTS_KEYS)
    assert _listed(ctx, series=[parse_filter("served.max>=3")]) == []
    report = rescan(ctx)
    assert report.updated == 2
    listed = _listed(ctx)
    assert [d["duplicate_of"] for d in listed] == [None, FIRST]
    assert listed[0]["series_summary"]["served"] == {"points": 3, "min": 1.0, "max": 3.0, "mean": 2.0, "sum": 6.0,
                                                     "last": 3.0}
    assert [d["id"] for d in _listed(ctx, series=[parse_filter("served.max>=3")])] == [FIRST, COPY]
