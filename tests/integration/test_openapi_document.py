"""The OpenAPI document: an operationId on every operation, bearer security with each route's scope, the shared
errors (401/403/413/415/503) documented; /docs renders it from vendored files under the UI's CSP."""

from __future__ import annotations

import re

import pytest

from app.security import WRITE_METHODS, required_scope
from app.ui import CSP

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict:
    return client.get("/v1/openapi.json").json


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _endpoint(app, path: str, method: str) -> str:
    flask_path = re.sub(r"\{([^}]+)\}", r"<\1>", path)
    for rule in app.url_map.iter_rules():
        if re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule.rule) == flask_path and method.upper() in rule.methods:
            return rule.endpoint
    raise AssertionError(f"no rule for {method} {path}")


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in _operations(document)]
    assert ids and all(ids) and len(set(ids)) == len(ids)


def test_bearer_scheme_and_each_routes_scope(app, document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    for path, method, operation in _operations(document):
        scope = required_scope(path, _endpoint(app, path, method), method.upper())
        assert operation.get("x-required-scope") == scope, (method, path)
        if scope:
            assert {"bearerAuth": []} in operation["security"], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
    scopes = {operation.get("x-required-scope") for _, _, operation in _operations(document)}
    assert scopes == {None, "read", "write", "admin"}


def test_shared_errors_are_documented(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert "503" in responses, (method, path)
        if method.upper() in WRITE_METHODS:
            assert {"403", "413", "415"} <= set(responses), (method, path)
        for status in ("401", "403", "413", "415", "503"):
            if status in responses:
                assert responses[status] == {"$ref": "#/components/responses/DEFAULT_ERROR"}


def test_docs_page_uses_only_its_own_files_under_the_ui_csp(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == CSP
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "//" not in html.replace("<!doctype", "")
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3 and all(a.startswith("/docs/static/") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and response.data, asset
    assert 'data-spec-url="/v1/openapi.json"' in html
