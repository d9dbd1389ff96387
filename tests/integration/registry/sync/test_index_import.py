"""Adoption of a real FlowTime .NET data directory, as it is."""

import json

import pytest

from app.registry.service import get_artifact, list_artifacts
from app.registry.store.listing import ListQuery
from app.registry.sync.rescan import bootstrap, rescan
from tests.conftest import make_app


@pytest.fixture
def adopted(sample_data_dir):
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    report = bootstrap(ctx)
    ctx.mirror.sync()
    yield ctx, report
    ctx.close()


def test_every_valid_run_is_indexed_and_the_broken_one_reported(adopted):
    ctx, report = adopted
    assert report.added == 6
    assert [s["path"] for s in report.skipped] == ["run_20250924T000000Z_badjson0"]
    assert "manifest.json" in report.skipped[0]["reason"]
    ids = {r.id for r in list_artifacts(ctx, ListQuery(include_archived=True, limit=100)).records}
    assert "run_deterministic_4bbc610e" in ids
    assert "scratch" not in ids and "run_20250924T000000Z_badjson0" not in ids


def test_legacy_user_title_and_tags_are_kept_without_auto_tags(adopted):
    ctx, _ = adopted
    hello = get_artifact(ctx, "run_20250921T161133Z_0bcdbb6f")
    assert hello.title == "Hello baseline (reviewed)"
    assert hello.tags == ["baseline"]
    shift = get_artifact(ctx, "run_20250922T090000Z_1a2b3c4d")
    assert shift.title == "Shift carry-over study"  # "Run 1a2b3c4d" was the .NET default, not an edit
    assert shift.tags == ["demo", "shift", "archived"]


def test_run_metadata_is_extracted(adopted):
    ctx, _ = adopted
    clamp = get_artifact(ctx, "run_20251002T141500Z_9f8e7d6c")
    assert clamp.metadata["grid"] == {"bins": 4, "binSize": 1, "binUnit": "hours"}
    assert clamp.metadata["provenance"] == {"model_id": "model_20251002T140000Z_5e5e5e5e",
                                            "template_id": "capacity-clamp", "source": "flowtime-sim"}
    assert clamp.metadata["rng_seed"] == 1131659569
    assert clamp.metadata["model_hash"].startswith("sha256:004627")
    assert clamp.derived_from == ["model_20251002T140000Z_5e5e5e5e"]
    assert clamp.series_count == 5 and clamp.file_count == 13
    many = get_artifact(ctx, "run_20250925T101010Z_77aa88bb")
    assert many.series_count == 12 and many.file_count == 16  # series/ counted
    legacy = get_artifact(ctx, "run_20250923T120000Z_0000aaaa")  # run.json but no manifest.json
    assert legacy.created.isoformat() == "2025-09-23T12:00:00"
    assert legacy.title == "Model with demand, served"


def test_dotnet_index_is_backed_up_and_replaced_by_ours(adopted):
    ctx, _ = adopted
    backup = json.loads(ctx.storage.read_bytes("registry-index.json.dotnet-backup"))
    assert backup["schemaVersion"] == 1
    ours = json.loads(ctx.storage.read_bytes("registry-index.json"))
    assert ours["version"] == "1.0.0" and ours["artifact_count"] == 6
    assert all("/srv" not in json.dumps(a) and not a["path"].startswith("/") for a in ours["artifacts"])


def test_second_rescan_changes_nothing(adopted):
    ctx, _ = adopted
    report = rescan(ctx)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 6)


@pytest.mark.parametrize("hostile", ['"\\ud800"', "NaN", "1" * 5000, "[" * 100 + "]" * 100])
def test_an_index_that_is_not_strict_json_never_stops_adoption(sample_data_dir, hostile):
    """A .NET or hand-edited registry-index.json holding a lone surrogate (or NaN, a huge number, deep
    nesting) is treated as unreadable: the folders are still adopted, start-up goes on."""
    index = sample_data_dir / "registry-index.json"
    doc = json.loads(index.read_text()) if index.exists() else {"schemaVersion": 1, "artifacts": []}
    text = json.dumps(doc).replace('"artifacts": [', '"artifacts": [{"id": "run_x", "title": HOSTILE}, ', 1)
    index.write_text(text.replace("HOSTILE", hostile))
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    try:
        report = bootstrap(ctx)
        assert report.added == 6
        assert get_artifact(ctx, "run_deterministic_4bbc610e").id == "run_deterministic_4bbc610e"
    finally:
        ctx.close()
