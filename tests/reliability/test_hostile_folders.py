"""One bad folder never stops a scan: hostile descriptor files on disk, listed and generated.

Every descriptor file a reader opens (run.json, manifest.json, spec.yaml, series/index.json,
provenance.json, metadata.json) is overwritten with arbitrary bytes or hostile JSON/YAML; a rescan,
discovery (a list call), `flask registry check` and a restart (start-up over the same data directory and
over a fresh database) must all still succeed, with that folder skipped (with a reason) or indexed and every
other folder indexed.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.startup import prepare
from tests.conftest import make_app
from tests.helpers import write_described, write_run

ROOT = Path(__file__).parents[2]
GOOD = {
    "run_20250101T000000Z_00000001": "run_20250101T000000Z_00000001",
    "run_20250101T000000Z_00000002": "run_20250101T000000Z_00000002",
    "model_good": "models/model_good",
    "tel_good": "telemetry/tel_good",
}
VICTIMS = {"run": "run_20250101T000000Z_0000000f", "model": "models/model_victim", "telemetry": "telemetry/tel_victim"}
RUN_FILES = ("run.json", "manifest.json", "spec.yaml", "series/index.json", "provenance.json")
TRIED = {"folders": 0}

# -- hostile contents -------------------------------------------------------------------------------------
SURROGATES = st.integers(0xD800, 0xDFFF).map(lambda c: f'"x\\u{c:04x}y"')
OVERFLOWING_DATES = st.one_of(
    st.integers(1, 23).flatmap(lambda h: st.integers(0, h - 1).map(lambda local: f"0001-01-01T{local:02d}:00:00+{h:02d}:00")),
    st.integers(1, 23).flatmap(lambda h: st.integers(24 - h, 23).map(lambda local: f"9999-12-31T{local:02d}:00:00-{h:02d}:00")),
)
JSON_ATOMS = st.one_of(
    SURROGATES,
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", '"\\ud800\\ud800"', "[]", "{}", "null", "true", '""']),
    st.integers(4301, 5000).map(lambda n: "9" * n),
    st.integers(2**64, 2**70).map(str),
    st.sampled_from([1_000, 100_000]).map(lambda n: "[" * n + "]" * n),
    OVERFLOWING_DATES.map(json.dumps),
)
# Where the readers look: a hostile value at any of these keys of an otherwise sound descriptor.
DESCRIPTOR_KEYS = ("title", "description", "created", "createdUtc", "type", "source", "tags", "metadata", "grid",
                   "series", "provenance", "derived_from", "modelHash", "rng", "engineVersion", "seriesHashes")


def _json_document(key: str, atom: str) -> bytes:
    base = {"schemaVersion": 1, "id": "x", "title": "t", "createdUtc": "2025-01-01T00:00:00Z",
            "created": "2025-01-01T00:00:00Z", "grid": {"bins": 3, "binMinutes": 60}, key: "@@ATOM@@"}
    return json.dumps(base).replace('"@@ATOM@@"', atom).encode()


def _nested_json(atom: str, depth: int) -> bytes:
    return ('{"metadata": ' + '{"a": ' * depth + atom + "}" * depth + "}").encode()


HOSTILE_JSON = st.one_of(
    st.builds(_json_document, st.sampled_from(DESCRIPTOR_KEYS), JSON_ATOMS),
    st.builds(_nested_json, JSON_ATOMS, st.integers(1, 80)),
    st.sampled_from(DESCRIPTOR_KEYS).flatmap(lambda k: OVERFLOWING_DATES.map(lambda d: _json_document(k, json.dumps(d)))),
)
HOSTILE_YAML = st.one_of(
    st.integers(1_000, 30_000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(100, 2_000).map(lambda n: "".join(f"{' ' * i}a:\n" for i in range(n)).encode() + b" " * n + b"1\n"),
    st.just(b'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n'),
    st.just(b"!!python/object/apply:os.system ['true']\n"),
    st.integers(0xD800, 0xDFFF).map(lambda c: f'metadata: {{title: "\\u{c:04x}", description: "d"}}\n'.encode()),
    st.integers(0xD800, 0xDFFF).map(lambda c: f'!!map {{metadata: {{title: "\\u{c:04x}"}}}}\n'.encode()),
    OVERFLOWING_DATES.map(lambda d: f"grid: {{bins: 3, binMinutes: 60, startTimeUtc: {d}}}\n".encode()),
    st.integers(4301, 5000).map(lambda n: f"grid: {{bins: {'9' * n}}}\n".encode()),
    st.sampled_from([b"grid: {bins: .nan}\n", b"grid: {bins: .inf}\nnodes: [{id: .nan}]\n", b"\xff\xfe\x00",
                     b"grid: {startTimeUtc: 2025-01-01T00:00:00Z, bins: 3}\n", b"- - - - -\n", b"{{{{"]),
)
HOSTILE_BYTES = st.one_of(st.binary(max_size=300), HOSTILE_JSON, HOSTILE_YAML)


# -- the world --------------------------------------------------------------------------------------------
def _write_sound(data: Path, key: str) -> None:
    folder = data / key
    if folder.exists():
        shutil.rmtree(folder)
    name = key.rsplit("/", 1)[-1]
    if key.startswith("models/"):
        write_described(data, "model", name, title=f"Model {name}", created="2025-01-01T00:00:00Z")
    elif key.startswith("telemetry/"):
        write_described(data, "telemetry", name, title=f"Telemetry {name}", created="2025-01-01T00:00:00Z")
    else:
        write_run(data, name, title=f"Run {name}", provenance={"modelId": "model_good", "source": "engine"})
        (folder / "series" / "index.json").write_text(json.dumps({"series": []}))
        (folder / "provenance.json").write_text(json.dumps({"modelId": "model_good", "source": "engine"}))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("folders") / "data"
    data.mkdir()
    for key in [*GOOD.values(), *VICTIMS.values()]:
        _write_sound(data, key)
    app = make_app(data)
    _cli(app, "rescan", where="set-up")
    yield app, data
    app.extensions["flowtime"].close()


def _spoil(data: Path, key: str, files: dict[str, bytes]) -> None:
    _write_sound(data, key)
    for name, content in files.items():
        (data / key / name).write_bytes(content)


def _rows(app) -> tuple[dict, dict]:
    ctx = app.extensions["flowtime"]
    with ctx.reading() as registry:
        rows = {i: registry.get(i) for i in registry.fingerprints()}
        skipped = {s["path"]: s["reason"] for s in registry.skipped()}
    return rows, skipped


def _assert_indexed_or_skipped(app, key: str, where: str) -> None:
    rows, skipped = _rows(app)
    for artifact_id in GOOD:
        row = rows.get(artifact_id)
        assert row is not None and row.deleted_at is None, f"{where}: sound folder {artifact_id} not indexed"
    assert not set(GOOD.values()) & set(skipped), f"{where}: a sound folder was skipped: {skipped}"
    artifact_id = key.rsplit("/", 1)[-1]
    row = rows.get(artifact_id)
    indexed = row is not None and row.deleted_at is None
    assert indexed or (key in skipped and skipped[key]), f"{where}: {key} neither indexed nor skipped with a reason"


def _cli(app, *args: str, where: str) -> str:
    result = app.test_cli_runner().invoke(args=["registry", *args])
    assert result.exit_code == 0, f"{where}: flask registry {' '.join(args)}: {result.output}"
    return result.output


def _restart(data: Path, tmp: Path, where: str) -> None:
    settings = {"data_dir": data, "testing": True, "mirror_delay_ms": 0, "mirror_process": False}
    prepare(settings)  # start-up over the same database
    copy = tmp / "restart"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy, symlinks=True, ignore=shutil.ignore_patterns("registry.db*"))
    fresh = {**settings, "data_dir": copy}
    prepare(fresh)  # start-up over a lost database: every folder is read again (bootstrap)
    restarted = create_app(fresh)
    try:
        response = restarted.test_client().get("/v1/artifacts?limit=200")
        assert response.status_code == 200, f"{where}: list after restart: {response.status_code}"
        ids = {a["id"] for a in response.get_json()["artifacts"]}
        assert set(GOOD) <= ids, f"{where}: sound folders missing after a restart: {set(GOOD) - ids}"
    finally:
        restarted.extensions["flowtime"].close()


_COPIES = itertools.count()


def _discover_copy(app, data: Path, key: str, where: str) -> None:
    """A copy of the spoiled folder under a new id: picked up by auto-discovery on the next list call."""
    container, _, name = key.rpartition("/")
    number = next(_COPIES)
    new_name = f"run_20250102T000000Z_{number:08x}" if not container else f"{name}-copy{number}"
    new_key = f"{container}/{new_name}" if container else new_name
    shutil.copytree(data / key, data / new_key, symlinks=True)
    response = app.test_client().get("/v1/artifacts?limit=200")
    assert response.status_code == 200, f"{where}: list call (discovery) answered {response.status_code}"
    _assert_indexed_or_skipped(app, new_key, f"{where} (discovered copy)")
    one = app.test_client().get(f"/v1/artifacts/{new_name}")
    assert one.status_code in (200, 404), f"{where}: GET the discovered copy: {one.status_code}"
    shutil.rmtree(data / new_key)


def _exercise(app, data: Path, key: str, files: dict[str, bytes], tmp: Path) -> None:
    where = f"{key}: " + ", ".join(f"{name} <- {content[:60]!r}" for name, content in files.items())
    _spoil(data, key, files)
    _cli(app, "rescan", where=where)
    _assert_indexed_or_skipped(app, key, where)
    _discover_copy(app, data, key, where)
    _cli(app, "rescan", where=where)  # the copy is gone again; the command also brings the mirror up to date
    _cli(app, "check", where=where)
    _restart(data, tmp, where)
    TRIED["folders"] += 1


# -- the listed attacks of issue 13 (each broke rescan, discovery or start-up before) ----------------------
NO_GRID = b'{"runId": "x", "createdUtc": "2025-01-01T00:00:00Z"}'
LISTED = [
    ("run", {"run.json": b'{"runId": "x", "engineVersion": "\\ud800", "createdUtc": "2025-01-01T00:00:00Z"}'}),
    ("run", {"manifest.json": b"[" * 100_000 + b"]" * 100_000}),
    ("run", {"run.json": b'{"grid": {"bins": ' + b"9" * 4400 + b"}}"}),
    ("run", {"run.json": b'{"createdUtc": "0001-01-01T00:00:00+14:00"}'}),
    ("run", {"run.json": b'{"runId": "x"}', "manifest.json": b'{"createdUtc": "9999-12-31T23:00:00-12:00"}'}),
    ("run", {"manifest.json": b'{"rng": {"seed": 1}}', "provenance.json": b'{"modelId": "m", "source": "\\udfff"}'}),
    ("run", {"spec.yaml": b'metadata: {title: "\\ud800"}\n'}),
    ("run", {"run.json": NO_GRID, "spec.yaml": b"grid: {bins: 3, startTimeUtc: 2025-01-01T00:00:00Z}\n"}),
    ("run", {"run.json": NO_GRID, "spec.yaml": b"grid: {bins: .nan}\n"}),
    ("model", {"metadata.json": b'{"id": "x", "title": "\\ud800", "created": "2025-01-01T00:00:00Z"}'}),
    ("model", {"metadata.json": b'{"id": "x", "metadata": {"n": ' + b"9" * 4400 + b"}}"}),
    ("telemetry", {"metadata.json": b'{"id": "x", "created": "0001-01-01T00:00:00+14:00"}'}),
    ("telemetry", {"metadata.json": b'{"id": "x", "metadata": {"max": NaN}}'}),
]


@pytest.mark.parametrize(("kind", "files"), LISTED, ids=[f"{k}-{'+'.join(f)}-{i}" for i, (k, f) in enumerate(LISTED)])
def test_listed_bad_descriptor_fails_alone(world, tmp_path, kind, files):
    app, data = world
    _exercise(app, data, VICTIMS[kind], files, tmp_path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from([("run", f) for f in RUN_FILES] + [("model", "metadata.json"),
                                                                 ("telemetry", "metadata.json")]),
       content=HOSTILE_BYTES)
def test_generated_bad_descriptor_fails_alone(world, tmp_path, target, content):
    app, data = world
    kind, name = target
    _exercise(app, data, VICTIMS[kind], {name: content}, tmp_path)


def test_deep_spec_on_disk_does_not_crash_the_process(tmp_path):
    """30,000 nested flow sequences in spec.yaml overflowed libyaml's C stack (a segfault) before."""
    data = tmp_path / "data"
    data.mkdir()
    for key in GOOD.values():
        _write_sound(data, key)
    _spoil(data, VICTIMS["run"], {"spec.yaml": b"[" * 30_000 + b"]" * 30_000})
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data), "FLOWTIME_MIRROR_DELAY_MS": "0"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "registry"]
    start_up = [sys.executable, "-c", "from app.startup import prepare; prepare()"]  # bootstrap reads every folder
    for command in (start_up, [*flask, "rescan"], [*flask, "check"]):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr[-2000:]}"
    app = make_app(data)
    try:
        rows, _ = _rows(app)
        assert VICTIMS["run"] in rows, "the run with an over-deep spec is indexed (without its spec metadata)"
        assert rows[VICTIMS["run"]].metadata.get("nodes") == []
    finally:
        app.extensions["flowtime"].close()


def test_seed_if_empty_goes_on_over_a_bad_folder(tmp_path):
    """`flask registry seed --if-empty` (make run) died on a UnicodeEncodeError from one folder."""
    data = tmp_path / "data"
    data.mkdir()
    _write_sound(data, GOOD["model_good"])
    _spoil(data, VICTIMS["model"], {"metadata.json": b'{"id": "x", "title": "\\ud800"}'})
    app = make_app(data)
    try:
        result = app.test_cli_runner().invoke(args=["registry", "seed", "--demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        _, skipped = _rows(app)
        assert VICTIMS["model"] in skipped
    finally:
        app.extensions["flowtime"].close()


def test_zz_report_count():
    """Not a check: prints how many hostile folders this run tried (quoted in RELIABILITY.md)."""
    print(f"\nhostile folders tried: {TRIED['folders']}")
