"""Forged cursors are 400s naming `cursor`: tokens are HMAC-signed and their values checked against the sort."""

from __future__ import annotations

import base64
import json
import stat

import pytest

from app.registry.records import ArtifactRecord
from app.registry.store.cursors import SALT
from app.registry.store.listing import ListQuery
from app.timefmt import utcnow
from tests.conftest import make_app
from tests.reliability.conftest import assert_error_shape

SORTS = ["created", "modified", "title", "size", "id", "relevance"]
HOSTILE_VALUES = [[1, 2], {"a": 1}, 2**70, -(2**70), "x", "", None, True, 1.5, float("inf"), "9999-99-99",
                  "0001-01-01T00:00:00+14:00", [], {}, "\ud800"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cursors")
    app = make_app(data_dir, auto_discover=False)
    ctx = app.extensions["flowtime"]
    with ctx.writing() as registry:
        for i in range(12):
            registry.add(ArtifactRecord(id=f"run_{i:03d}", type="run", path=f"run_{i:03d}", title="flow capacity",
                                        created=utcnow(), modified=utcnow(), size_bytes=i))
    yield app, ctx, data_dir
    ctx.close()


def _query(sort: str) -> dict:
    return {"sort": sort, "limit": 2, "search": "flow"}


def _unsigned(fingerprint: str, value, last_id="run_001") -> str:
    """What the old, unkeyed format would accept: base64 JSON."""
    raw = json.dumps({"q": fingerprint, "v": value, "id": last_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _signed(key: bytes, payload) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(key, salt=SALT).dumps(payload)


def _fingerprint(client, sort: str) -> str:
    """The query binding a genuine cursor carries (what a forger would copy)."""
    return ListQuery(sort=sort, search="flow", limit=2).fingerprint()


def _assert_cursor_400(response, where):
    assert response.status_code == 400, (where, response.status_code, response.get_data()[:200])
    assert "cursor" in assert_error_shape(400, response.get_data(), where)["details"]


@pytest.mark.parametrize("sort", SORTS)
def test_forged_and_tampered_cursors_are_400s(world, sort):
    app, ctx, _ = world
    client = app.test_client()
    fingerprint = _fingerprint(client, sort)
    for value in HOSTILE_VALUES:
        for token in (_unsigned(fingerprint, value), _unsigned(fingerprint, value, last_id=[value])):
            _assert_cursor_400(client.get("/v1/artifacts", query_string={**_query(sort), "cursor": token}),
                               f"{sort} unsigned {value!r}")
    genuine = client.get("/v1/artifacts", query_string=_query(sort)).json["next_cursor"]
    flipped = genuine[:-5] + ("A" if genuine[-5] != "A" else "B") + genuine[-4:]  # (the last char has spare bits)
    for tampered in (flipped, genuine + "x", "." + genuine,
                     genuine.replace(".", ""), "x" * 300, "...", "%00"):
        _assert_cursor_400(client.get("/v1/artifacts", query_string={**_query(sort), "cursor": tampered}),
                           f"{sort} tampered {tampered[:20]}")


@pytest.mark.parametrize("sort", SORTS)
def test_signed_cursors_with_values_of_the_wrong_type_are_400s(world, sort):
    """Even with the key (a leaked key, a bug), values never reach SQL unchecked."""
    app, ctx, _ = world
    client = app.test_client()
    fingerprint = _fingerprint(client, sort)
    good = {"relevance": -1.0, "size": 3, "created": "2025-01-01T00:00:00Z", "modified": "2025-01-01T00:00:00Z",
            "title": "flow", "id": "run_005"}[sort]
    payload_shapes = [[1, 2], "text", None, {"q": fingerprint}, {"q": fingerprint, "v": good},
                      {"q": fingerprint, "v": good, "id": 7}, {"q": fingerprint, "v": good, "id": "x", "more": 1}]
    payload_shapes += [{"q": fingerprint, "v": good, "id": "x", "n": depth}
                       for depth in (-1, True, 1.5, "3", None, [2], 10**9 + 1, 2**70)]  # the depth: a row count
    wrong = [v for v in HOSTILE_VALUES if v != "\ud800" and not (isinstance(v, str) and sort in ("title", "id"))]
    if sort == "relevance":
        wrong = [v for v in wrong if v != 1.5]
    for payload in payload_shapes + [{"q": fingerprint, "v": v, "id": "run_001"} for v in wrong]:
        response = client.get("/v1/artifacts", query_string={**_query(sort), "cursor": _signed(ctx.cursor_key,
                                                                                                  payload)})
        _assert_cursor_400(response, f"{sort} signed {payload!r}")
    for sound in ({"q": fingerprint, "v": good, "id": "run_005"}, {"q": fingerprint, "v": good, "id": "run_005", "n": 50}):
        accepted = client.get("/v1/artifacts", query_string={**_query(sort), "cursor": _signed(ctx.cursor_key, sound)})
        assert accepted.status_code == 200


def test_genuine_cursors_walk_every_page(world):
    app, _, _ = world
    client = app.test_client()
    for sort in SORTS:
        seen, cursor = [], None
        while True:
            query = {**_query(sort), **({"cursor": cursor} if cursor else {})}
            body = client.get("/v1/artifacts", query_string=query).json
            seen += [a["id"] for a in body["artifacts"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == [f"run_{i:03d}" for i in range(12)], sort


def test_key_file_is_private_and_shared_and_a_configured_key_wins(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    first = make_app(data_dir)
    second = make_app(data_dir)
    try:
        key = first.extensions["flowtime"].cursor_key
        assert stat.S_IMODE((data_dir / ".cursor-key").stat().st_mode) == 0o600 and len(key) >= 32
        assert second.extensions["flowtime"].cursor_key == key  # every worker signs and verifies alike
        assert first.test_client().get("/v1/artifacts/.cursor-key/files/x").status_code in (400, 404)
    finally:
        first.extensions["flowtime"].close()
        second.extensions["flowtime"].close()
    configured = make_app(data_dir, cursor_key="k" * 40)
    try:
        assert configured.extensions["flowtime"].cursor_key == b"k" * 40
    finally:
        configured.extensions["flowtime"].close()
