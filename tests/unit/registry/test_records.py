"""Timestamps, titles and record JSON."""

from datetime import datetime

import pytest

from app.config import Config
from app.errors import ConfigError
from app.registry.folders.run_reader import derive_title
from app.registry.records import ArtifactRecord, artifact_doc, artifact_json, record_from_json
from app.timefmt import iso, parse_iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-21T16:11:33.0000001Z", datetime(2025, 9, 21, 16, 11, 33)),
        ("2025-09-21T16:11:33Z", datetime(2025, 9, 21, 16, 11, 33)),
        ("2025-09-21T18:11:33+02:00", datetime(2025, 9, 21, 16, 11, 33)),
        ("2025-09-21T16:11:33.123456789Z", datetime(2025, 9, 21, 16, 11, 33, 123456)),
        ("not a date", None),
        (None, None),
    ],
)
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected


def test_iso_ends_with_z():
    assert iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05Z"
    assert iso(datetime(2025, 1, 2, 3, 4, 5, 120000)) == "2025-01-02T03:04:05.120Z"


@pytest.mark.parametrize(
    ("spec", "text", "nodes", "expected"),
    [
        ({"metadata": {"title": "T"}}, "", ["a"], "T"),
        ({"metadata": {"description": "Short one."}}, "", ["a"], "Short one."),
        ({"metadata": {"description": "First sentence here. " + "x" * 100}}, "", [], "First sentence here."),
        ({"title": "Top"}, "", ["a"], "Top"),
        ({}, "# IT System - Example\n# more\ngrid: {}", ["a"], "IT System - Example"),
        ({}, "#####\n# Real comment\n", ["a"], "Real comment"),
        ({}, "grid: {}\n# late comment", ["a", "b", "c", "d"], "Model with a, b, c"),
        ({}, "", [], "Run 0bcdbb6f"),
    ],
)
def test_derive_title(spec, text, nodes, expected):
    assert derive_title(spec, text, nodes, "run_20250921T161133Z_0bcdbb6f") == expected


def test_record_json_round_trip():
    record = ArtifactRecord(id="run_x", type="run", title="t", path="run_x", created=datetime(2025, 1, 1),
                            modified=datetime(2025, 1, 2), tags=["a"], derived_from=["m"], size_bytes=2048)
    doc = artifact_json(record)
    assert doc["size_mb"] == 0.002 and doc["created"] == "2025-01-01T00:00:00Z"
    back = record_from_json(doc)
    assert (back.id, back.tags, back.derived_from, back.created) == ("run_x", ["a"], ["m"], record.created)


def test_flowtime_fields_beside_ours():
    record = ArtifactRecord(id="run_x", type="run", title="t", path="run_x", created=datetime(2025, 1, 1),
                            modified=datetime(2025, 1, 2), size_bytes=2048, file_names=["run.json", "series/a.csv"])
    doc = artifact_json(record)
    assert (doc["files"], doc["totalSize"], doc["lastModified"]) == (["run.json", "series/a.csv"], 2048,
                                                                     "2025-01-02T00:00:00Z")
    assert doc["size_bytes"] == 2048 and doc["modified"] == doc["lastModified"]
    assert record_from_json(doc).file_names == ["run.json", "series/a.csv"]
    unknown = ArtifactRecord(id="run_y", type="run", title="t", path="run_y", created=datetime(2025, 1, 1),
                             modified=datetime(2025, 1, 1))
    assert "totalSize" not in artifact_doc(unknown)  # a row stored before migration 0008: completed when served
    assert artifact_json(unknown)["files"] == [] and record_from_json({"id": "run_y"}).file_names is None


def test_user_edits_override_scanned_values():
    record = ArtifactRecord(id="r", type="run", title="scanned", path="r", created=datetime(2025, 1, 1),
                            modified=datetime(2025, 1, 1), tags=["x"])
    edited = record.with_user_edits({"title": "mine", "tags": ["y"], "edited_at": "2025-02-01T00:00:00Z"})
    assert (edited.title, edited.tags, edited.modified) == ("mine", ["y"], datetime(2025, 2, 1))
    assert record.title == "scanned"


def test_config_from_env_and_overrides(tmp_path):
    config = Config.from_env({"FLOWTIME_DATA_DIR": str(tmp_path), "FLOWTIME_AUTO_DISCOVER": "0"})
    resolved = config.with_overrides({"max_upload_mb": "5"})
    assert resolved.auto_discover is False and resolved.max_upload_bytes == 5 * 1024 * 1024
    assert resolved.database_url == f"sqlite:///{tmp_path / 'registry.db'}"
    assert resolved.storage_url == f"file://{tmp_path}"
    with pytest.raises(ConfigError):
        config.with_overrides({"max_upload_mb": "-1"})
    with pytest.raises(ConfigError):
        config.with_overrides({"nope": 1})
