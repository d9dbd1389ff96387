"""Access control with bearer tokens, security headers, CORS and JSON-only state changes."""

import pytest

from tests.conftest import make_app
from tests.helpers import write_run

READ, WRITE, ADMIN = "r" * 20, "w" * 20, "a" * 20
RUN = "run_20250101T000000Z_00000001"


@pytest.fixture
def secured(data_dir):
    write_run(data_dir, RUN, title="Guarded")
    app = make_app(data_dir, api_tokens=f"{READ}:read,{WRITE}:write,{ADMIN}:admin",
                   cors_origins="https://ui.example")
    yield app.test_client()
    app.extensions["flowtime"].close()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_every_v1_route_needs_a_token(secured):
    for response in (secured.get("/v1/artifacts"), secured.get("/v1/artifacts", headers=bearer("x" * 20))):
        assert response.status_code == 401 and response.json["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert secured.get("/healthz").status_code == 200
    assert secured.get("/v1/artifacts", headers=bearer(READ)).json["total"] == 1


def test_scopes(secured):
    assert secured.put(f"/v1/artifacts/{RUN}", json={"title": "x"}, headers=bearer(READ)).status_code == 403
    assert secured.put(f"/v1/artifacts/{RUN}", json={"title": "x"}, headers=bearer(WRITE)).status_code == 200
    assert secured.post("/v1/artifacts/rescan", headers=bearer(WRITE)).status_code == 403
    assert secured.post("/v1/artifacts/rescan", headers=bearer(ADMIN)).status_code == 200


def test_cookie_token_only_for_reads(secured):
    secured.set_cookie("flowtime_token", READ)
    assert secured.get(f"/v1/artifacts/{RUN}/files/run.json").status_code == 200
    secured.set_cookie("flowtime_token", WRITE)
    assert secured.delete(f"/v1/artifacts/{RUN}").status_code == 401  # writes need the header


def test_security_headers_everywhere(client):
    for url in ("/v1/artifacts", "/v1/nope", "/healthz", "/"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "default-src" in headers["Content-Security-Policy"]


def test_cors_only_for_listed_origins(secured):
    allowed = secured.get("/v1/artifacts", headers={"Origin": "https://ui.example", **bearer(READ)})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://ui.example"
    other = secured.get("/v1/artifacts", headers={"Origin": "https://evil.example", **bearer(READ)})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = secured.options("/v1/artifacts", headers={"Origin": "https://ui.example",
                                                          "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 200 and "PUT" in preflight.headers["Access-Control-Allow-Methods"]


def test_form_posts_cannot_change_state(client):
    response = client.post("/v1/artifacts/bulk-delete", data={"ids": RUN})
    assert response.status_code == 415
    multipart = client.post("/v1/artifacts/archive", data={"ids": RUN}, content_type="multipart/form-data")
    assert multipart.status_code == 415


def test_bad_token_configuration_is_refused(data_dir):
    from app.errors import ConfigError

    with pytest.raises(ConfigError):
        make_app(data_dir, api_tokens="short:read")
    with pytest.raises(ConfigError):
        make_app(data_dir, api_tokens=f"{READ}:root")


@pytest.mark.parametrize("token", ["abc+def/ghi=jkl:mno_pqrstu", "p%2Bq+r/s==t:u:v/w+x=y", "ünïcode-tøken-1234"])
def test_cookie_token_as_the_ui_stores_it_percent_encoded(data_dir, token):
    from urllib.parse import quote

    write_run(data_dir, RUN, title="Guarded")
    app = make_app(data_dir, api_tokens=f"{token}:read")
    client = app.test_client()
    assert client.get(f"/v1/artifacts/{RUN}", headers=bearer(token)).status_code == 200
    client.set_cookie("flowtime_token", quote(token, safe="-_.!~*'()"))  # what encodeURIComponent writes
    assert client.get(f"/v1/artifacts/{RUN}/files/run.json").status_code == 200
    assert client.get(f"/v1/artifacts/{RUN}/download").status_code == 200
    client.set_cookie("flowtime_token", quote("x" * 20))
    assert client.get(f"/v1/artifacts/{RUN}/files/run.json").status_code == 401
    app.extensions["flowtime"].close()


@pytest.mark.parametrize("origin", ["http://localhost:5219", "http://127.0.0.1:5173", "http://localhost:4173"])
def test_flowtime_ui_origins_work_on_a_loopback_server(client, origin):
    response = client.get("/v1/healthz", headers={"Origin": origin})
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Origin" not in client.get("/v1/healthz", headers={"Origin": "http://localhost:9999"}).headers


def test_flowtime_ui_origins_need_configuration_on_an_exposed_server(secured):
    response = secured.get("/v1/artifacts", headers={"Origin": "http://localhost:5219", **bearer(READ)})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_any_origin_is_a_literal_star_without_credentials(data_dir):
    app = make_app(data_dir, cors_origins="*")
    response = app.test_client().get("/v1/artifacts", headers={"Origin": "https://anywhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    app.extensions["flowtime"].close()


def test_bad_cors_origins_are_refused(data_dir):
    from app.errors import ConfigError

    for value in ("localhost:5219", "http://ui.example/path", "ftp://x"):
        with pytest.raises(ConfigError, match="FLOWTIME_CORS_ORIGINS"):
            make_app(data_dir, cors_origins=value)


def test_blazor_preflight_from_its_dev_origin(client):
    preflight = client.options("/v1/artifacts/archive", headers={
        "Origin": "http://localhost:5219", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5219"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
