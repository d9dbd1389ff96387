"""Run folders: golden byte comparison with the .NET sample runs, hashes, reproducibility."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.engine import DEFAULT_SEED, ENGINE_VERSION, evaluate, load_model, run_model, scenario_hash, write_run
from app.errors import ValidationFailed
from tests.unit.engine.ft_engine_paths import EXAMPLES, GOLDEN_RUNS, SAMPLES

NOW = datetime(2025, 9, 21, 16, 11, 33, 123456, tzinfo=UTC)


def sample_files(run: str) -> dict[str, bytes]:
    base = SAMPLES / run
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file() and "gold" not in p.parts}


@pytest.mark.parametrize("run", GOLDEN_RUNS)
def test_golden_run_folder(storage, run):
    expected = sample_files(run)
    text = expected["spec.yaml"].decode()
    manifest = json.loads(expected["manifest.json"])
    provenance = json.loads(expected["provenance.json"]) if "provenance.json" in expected else None
    if provenance:
        provenance.pop("receivedAt")  # write_run stamps it with createdUtc, as the .NET engine did
    spec = load_model(text)
    info = write_run(storage, text, spec, evaluate(spec), seed=manifest["rng"]["seed"], provenance=provenance,
                     now=NOW, run_id=run)
    written = {f.name: storage.read_bytes(f"{run}/{f.name}") for f in storage.list_files(run)}
    assert sorted(written) == sorted(expected)
    ours = info.created_utc.encode()
    for name, data in expected.items():
        data = data.replace(manifest["createdUtc"].encode(), ours).replace(b'"0.5.0"', f'"{ENGINE_VERSION}"'.encode())
        assert written[name] == data, name
    assert info.scenario_hash == manifest["scenarioHash"] == manifest["modelHash"]
    assert info.series_hashes == manifest["seriesHashes"]


def test_hash_recipe():
    text = (SAMPLES / GOLDEN_RUNS[0] / "spec.yaml").read_text()
    assert scenario_hash(text, 1131659569) == "sha256:274396f036e7cef9fbd6bb6ffd2dd377adc0c2912ef6e5d66f94e5456d6ba954"


def test_run_model_defaults(storage):
    text = (EXAMPLES / "shift-test.yaml").read_text()
    info = run_model(storage, text)
    assert info.seed == DEFAULT_SEED
    assert info.run_id.startswith("run_") and len(info.run_id) == len("run_20250101T000000Z_") + 8
    assert info.key == info.run_id
    assert info.order == ("demand", "previous_demand", "total_demand")
    assert info.series_ids == ("demand@DEMAND@DEFAULT", "previous_demand@PREVIOUS_DEMAND@DEFAULT",
                               "total_demand@TOTAL_DEMAND@DEFAULT")
    assert info.grid == {"bins": 5, "binMinutes": 60}
    assert info.execution_ms >= 0 and not info.has_provenance
    assert storage.read_bytes(f"{info.key}/spec.yaml") == text.encode()
    assert not storage.exists(f"{info.key}/provenance.json")
    run_json = json.loads(storage.read_bytes(f"{info.key}/run.json"))
    assert run_json["engineVersion"] == ENGINE_VERSION
    assert len(run_json["createdUtc"].split(".")[1]) == 8  # 7 digits + Z


def test_reproducible(storage):
    text = (EXAMPLES / "it-system.yaml").read_text()
    first, second = run_model(storage, text, seed=7), run_model(storage, text, seed=7)
    assert first.run_id != second.run_id
    assert first.series_hashes == second.series_hashes and first.scenario_hash == second.scenario_hash
    for sid in first.series_ids:
        assert storage.read_bytes(f"{first.key}/series/{sid}.csv") == storage.read_bytes(f"{second.key}/series/{sid}.csv")
    assert run_model(storage, text, seed=8).scenario_hash != first.scenario_hash


def test_outputs_limit_series(storage):
    info = run_model(storage, (EXAMPLES / "hello.yaml").read_text())
    assert info.series_ids == ("served@SERVED@DEFAULT",)
    assert [f.name for f in storage.list_files(f"{info.key}/series")] == ["index.json", "served@SERVED@DEFAULT.csv"]


def test_provenance_written(storage):
    prov = {"source": "flowtime-sim", "modelId": "m1", "extra": 1}
    info = run_model(storage, (EXAMPLES / "hello.yaml").read_text(), provenance=prov)
    manifest = json.loads(storage.read_bytes(f"{info.key}/manifest.json"))
    assert manifest["provenance"] == {"hasProvenance": True, "modelId": "m1", "templateId": None, "source": "flowtime-sim"}
    written = json.loads(storage.read_bytes(f"{info.key}/provenance.json"))
    assert list(written) == ["modelId", "source", "extra", "receivedAt"]


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5, True, "7"])
def test_bad_seed(storage, seed):
    with pytest.raises(ValidationFailed):
        run_model(storage, (EXAMPLES / "hello.yaml").read_text(), seed=seed)


def test_number_formatting(storage):
    text = ("grid: {bins: 4, binMinutes: 60}\nnodes:\n  - id: a\n    kind: const\n"
            "    values: [0.1, 1.0e+15, 0.00001, -2.5]\n  - id: b\n    kind: expr\n    expr: \"a * 3\"\n")
    info = run_model(storage, text)
    assert storage.read_bytes(f"{info.key}/series/a@A@DEFAULT.csv") == b"t,value\n0,0.1\n1,1E+15\n2,1E-05\n3,-2.5\n"
    assert storage.read_bytes(f"{info.key}/series/b@B@DEFAULT.csv") == (
        b"t,value\n0,0.30000000000000004\n1,3E+15\n2,3.0000000000000004E-05\n3,-7.5\n")
