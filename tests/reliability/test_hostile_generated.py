"""Generated hostile requests on every route: a 4xx in the error shape, never a 500, and nothing written.

The routes are enumerated from the app's url_map, so a route added later is covered without touching this
file (a path argument this file cannot fill fails the test, asking for a value). The hostile values are
JSON that Python's json accepts but that is not strict JSON: lone surrogate escapes, NaN/Infinity, numbers
beyond 64 bits or beyond the interpreter's digit limit, deep nesting; plus times whose UTC equivalent is
outside datetime's range, in query values, model grids and CSV time columns.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, make_app
from tests.helpers import write_described, write_run
from tests.reliability.conftest import assert_error_shape

RUN_ID = "run_20250101T000000Z_0000abcd"
TELEMETRY_ID = "tel_generated"
HELLO = (EXAMPLES / "hello.yaml").read_bytes()
IGNORED = re.compile(r"^registry\.db(-wal|-shm|-journal)?$|\.lock$")
TRIED = {"requests": 0}

SURROGATES = st.integers(0xD800, 0xDFFF).map(lambda c: f'"t\\u{c:04x}"')
JSON_ATOMS = st.one_of(
    SURROGATES,
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e400", '"\\udc00\\ud800"', '"\\ud83d"']),
    st.integers(4301, 6000).map(lambda n: "9" * n),
    st.integers(2**64, 2**80).map(str),
    st.integers(-(2**80), -(2**63) - 1).map(str),
    st.integers(65, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(65, 3000).map(lambda n: '{"a": ' * n + "1" + "}" * n),
)
# Bodies shaped like what the routes expect, so the hostile value sits where a field would be read.
SHAPES = ('{"title": @}', '{"description": @}', '{"tags": [@]}', '{"title": "ok", "tags": ["a", @]}', "[@]",
          '{"ids": [@]}', '{"derived_from": [@]}', '{"parameters": {"bins": @}}', '{"other": @}',
          '{"series": [@], "other": "x"}', '{"templateId": "t", "modelId": @, "source": "s"}', "@",
          '{"@": 1}', '{"nested": {"deeper": [{"x": @}]}}')


def _place(shape: str, atom: str) -> str:
    if shape == '{"@": 1}':
        return shape.replace('"@"', atom) if atom.startswith('"') else '{"k": ' + atom + "}"
    return shape.replace("@", atom)


HOSTILE_JSON = st.builds(_place, st.sampled_from(SHAPES), JSON_ATOMS)
OVERFLOWING_DATES = st.one_of(
    st.integers(1, 23).flatmap(
        lambda h: st.integers(0, h - 1).map(lambda local: f"0001-01-01T{local:02d}:00:00+{h:02d}:00")),
    st.integers(1, 23).flatmap(
        lambda h: st.integers(24 - h, 23).map(lambda local: f"9999-12-31T{local:02d}:59:00-{h:02d}:00")),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("generated") / "data"
    data.mkdir()
    write_run(data, RUN_ID, title="Generated host")
    write_described(data, "telemetry", TELEMETRY_ID, title="Telemetry", created="2025-01-01T00:00:00Z")
    app = make_app(data)
    client = app.test_client()
    assert client.post("/v1/artifacts/rescan").status_code == 200
    model = client.post("/v1/templates/baseline/instantiate", json={"title": "Generated model"})
    assert model.status_code == 201, model.data
    values = {"artifact_id": RUN_ID, "run_id": RUN_ID, "model_id": model.get_json()["modelId"],
              "template_id": "baseline", "series_id": "demand", "fmt": "csv", "file_path": "run.json",
              "filename": "app.css", "telemetry_id": TELEMETRY_ID}
    app.extensions["flowtime"].mirror.sync_here()  # no mirror write may land during the examples
    yield app, data, values
    app.extensions["flowtime"].close()


def routes(app, values: dict) -> list[tuple[str, str]]:
    """(method, url) of every rule in the url_map, path arguments filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: no test value for {missing}; add one to the world fixture"
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def snapshot(app, data: Path) -> tuple:
    """Every file of the data directory (name, size, mtime) and the registry generation."""
    files = sorted((str(p.relative_to(data)), p.stat().st_size, p.stat().st_mtime_ns)
                   for p in data.rglob("*") if p.is_file() and not IGNORED.search(p.name))
    with app.extensions["flowtime"].reading() as registry:
        return files, registry.generation()


def _refused(app, data: Path, before: tuple, response, where: str) -> None:
    TRIED["requests"] += 1
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code} {response.data[:300]!r}"
    assert_error_shape(response.status_code, response.data, where)
    assert snapshot(app, data) == before, f"{where}: something was written"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data(), body=HOSTILE_JSON)
def test_hostile_json_body_on_every_route(world, data, body):
    app, folder, values = world
    method, url = data.draw(st.sampled_from(routes(app, values)), label="route")
    before = snapshot(app, folder)
    response = app.test_client().open(url, method=method, data=body.encode(), content_type="application/json")
    _refused(app, folder, before, response, f"{method} {url} body {body[:80]!r}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data(), header=HOSTILE_JSON)
def test_hostile_provenance_header_on_every_route(world, data, header):
    app, folder, values = world
    method, url = data.draw(st.sampled_from([("POST", "/v1/run"), *routes(app, values)]), label="route")
    before = snapshot(app, folder)
    response = app.test_client().open(url, method=method, data=HELLO if url == "/v1/run" else None,
                                      content_type="text/plain", headers={"X-Model-Provenance": header})
    _refused(app, folder, before, response, f"{method} {url} X-Model-Provenance {header[:80]!r}")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["created_after", "created_before", "createdAfter", "createdBefore"]),
       value=OVERFLOWING_DATES)
def test_overflowing_dates_in_query_values(world, name, value):
    app, folder, _ = world
    before = snapshot(app, folder)
    response = app.test_client().get("/v1/artifacts", query_string={name: value})
    _refused(app, folder, before, response, f"{name}={value}")
    assert set(response.get_json()["details"]) == {name.replace("A", "_a").replace("B", "_b")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=st.sampled_from(["/v1/run", "/v1/models", "/v1/graph"]), value=OVERFLOWING_DATES,
       quoted=st.booleans())
def test_overflowing_start_time_in_models(world, url, value, quoted):
    app, folder, _ = world
    start = json.dumps(value) if quoted else value
    model = (f"schemaVersion: 1\ngrid:\n  bins: 4\n  binSize: 60\n  binUnit: minutes\n  startTimeUtc: {start}\n"
             "nodes:\n  - id: a\n    kind: const\n    values: [1, 2, 3, 4]\n")
    before = snapshot(app, folder)
    response = app.test_client().post(url, data=model.encode(), content_type="application/yaml")
    _refused(app, folder, before, response, f"{url} startTimeUtc {start}")
    assert list(response.get_json()["details"]) == ["grid.startTimeUtc"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=OVERFLOWING_DATES, column=st.sampled_from(["timestamp", "time_bin", "t"]),
       row=st.integers(0, 3))
def test_overflowing_times_in_csv_uploads(world, value, column, row):
    app, folder, _ = world
    times = ["2025-01-01T00:00:00Z", "2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z", "2025-01-01T03:00:00Z"]
    times[row] = value
    csv = f"{column},arrivals\n" + "".join(f"{t},{i}\n" for i, t in enumerate(times))
    before = snapshot(app, folder)
    response = app.test_client().post("/v1/telemetry", data={"file": (io.BytesIO(csv.encode()), "t.csv")},
                                      content_type="multipart/form-data")
    _refused(app, folder, before, response, f"csv {column} row {row} {value}")


def test_zz_report_count():
    """Not a check: prints how many generated hostile requests this run sent (quoted in RELIABILITY.md)."""
    print(f"\ngenerated hostile requests: {TRIED['requests']}")
