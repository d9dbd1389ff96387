"""API fuzzing with schemathesis against /v1/openapi.json, run on the WSGI app directly.

Every operation gets FLOWTIME_SCHEMATHESIS_EXAMPLES generated requests (default 40): no 500, each response
conforms to its documented schema and content type, and each status code is documented. Findings are
collected per route and reported together, so one run lists every spec gap.

The documented error response must be the one shape every error has: {error, code, status, details}.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings

from app.registry.sync.rescan import bootstrap
from tests.conftest import SAMPLE_DATA, make_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis==4.32.5 belongs in the test extras")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FLOWTIME_SCHEMATHESIS_EXAMPLES", "40"))
# Routes whose generated requests would run the engine or rewrite the data directory for minutes.
SLOW = {"POST /v1/artifacts/rescan", "POST /v1/artifacts/index"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(SAMPLE_DATA, data)
    app = make_app(data)
    bootstrap(app.extensions["flowtime"])
    yield app
    app.extensions["flowtime"].close()


@pytest.fixture(scope="module")
def spec(fuzz_app) -> dict:
    return fuzz_app.test_client().get("/v1/openapi.json").json


def error_schemas(document: dict) -> dict:
    return {name: response for name, response in (document.get("components", {}).get("responses") or {}).items()}


def test_documented_error_schema_is_the_real_error_shape(spec):
    """Every shared error response describes {error, code, status, details, request_id}; no route documents a 422."""
    schemas = document_error_schemas(spec)
    assert schemas, "no shared error response documented"
    assert all(set(props) == {"error", "code", "status", "details", "request_id"} for props in schemas.values()), schemas
    documented = {code for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)
                  for code in op.get("responses", {})}
    assert "422" not in documented


def test_documented_details_are_lists_of_messages(spec):
    """`details` is declared as field -> a non-empty list of strings, the shape every error body has."""
    details = spec["components"]["schemas"]["Error"]["properties"]["details"]
    assert details["type"] == "object"
    assert details["additionalProperties"] == {"type": "array", "items": {"type": "string"}, "minItems": 1}


def document_error_schemas(document: dict) -> dict:
    found = {}
    components = document.get("components", {})
    for name, response in (components.get("responses") or {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = components["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        found[name] = sorted(schema.get("properties", {}))
    return found


def test_fuzz_every_operation(fuzz_app, spec):
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = fuzz_app
    failures: dict[str, set] = defaultdict(set)
    undocumented: dict[str, set] = defaultdict(set)
    server_errors: list = []
    tried = 0
    def fuzz(operation):
        documented = {str(code) for code in operation.definition.raw.get("responses", {})}

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal tried
            tried += 1
            response = case.call()
            if response.status_code >= 500 and response.status_code not in (503, 507):
                server_errors.append((operation.label, response.status_code, case.as_curl_command()))
            if str(response.status_code) not in documented:
                undocumented[operation.label].add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                first = next((line for line in str(exc).splitlines() if line.strip()), repr(exc))
                failures[operation.label].add(f"{response.status_code}: {first[:200]}")

        run()

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label not in SLOW:
            fuzz(operation)
    print(f"\nschemathesis: {tried} generated requests")
    for label in sorted(undocumented):
        print(f"  undocumented statuses {label}: {sorted(undocumented[label])}")
    assert server_errors == [], server_errors[:5]
    assert dict(undocumented) == {}, "statuses returned but not documented: " + str(dict(undocumented))
    assert dict(failures) == {}, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(failures.items()))
