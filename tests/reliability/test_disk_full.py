"""A full disk under the database: a 507 in the error shape from every route, /healthz says so, writes recover."""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.reliability.conftest import assert_error_shape, sample_registry

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def registry(tmp_path: Path):
    app, ctx, data_dir = sample_registry(tmp_path)
    yield app, ctx, data_dir
    ctx.close()


@contextmanager
def full_disk(engine):
    """Every write statement fails as SQLite fails on a full disk (SQLITE_FULL) until the block ends."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise error

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@contextmanager
def capped_database(engine, database: Path):
    """A real SQLITE_FULL: the file may not grow (max_page_count) and its free pages are used up."""

    def cap(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    filler = sqlite3.connect(database, isolation_level=None)
    filler.execute("CREATE TABLE zz_filler(b BLOB)")
    filler.execute(f"PRAGMA max_page_count={filler.execute('PRAGMA page_count').fetchone()[0]}")
    for size in (65536, 4096, 512, 64, 8, 1):
        while True:
            try:
                filler.execute("INSERT INTO zz_filler VALUES (zeroblob(?))", (size,))
            except sqlite3.OperationalError:
                break
    event.listen(engine, "connect", cap)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()
        filler.execute("DROP TABLE zz_filler")
        filler.close()


def _ids(client) -> list[str]:
    return [a["id"] for a in client.get("/v1/artifacts?limit=100").json["artifacts"]]


REQUESTS = {
    "patch": lambda c, ids: c.patch(f"/v1/artifacts/{ids[0]}", json={"title": "while full"}),
    "put": lambda c, ids: c.put(f"/v1/artifacts/{ids[0]}", json={"tags": ["full"]}),
    "delete": lambda c, ids: c.delete(f"/v1/artifacts/{ids[1]}"),
    "restore": lambda c, ids: c.post(f"/v1/artifacts/{ids[1]}/restore"),
    "archive": lambda c, ids: c.post("/v1/artifacts/archive", json=[ids[0]]),
    "bulk-delete": lambda c, ids: c.post("/v1/artifacts/bulk-delete", json=ids[:2]),
    "relationships": lambda c, ids: c.post(f"/v1/artifacts/{ids[0]}/relationships", json={"derived_from": [ids[1]]}),
    "rescan": lambda c, ids: c.post("/v1/artifacts/rescan"),
}


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_database_full_is_a_507_healthz_degraded_and_writes_recover(registry, kind):
    app, ctx, data_dir = registry
    client = app.test_client()
    ids = _ids(client)
    if kind == "restore":
        assert client.delete(f"/v1/artifacts/{ids[1]}").status_code == 200
    if kind == "rescan":
        shutil.copytree(data_dir / ids[0], data_dir / "run_20990101T000000Z_0000beef")
    before = client.get("/v1/artifacts?include_deleted=true&include_archived=true&limit=100").json
    with full_disk(ctx.db.engine):
        response = REQUESTS[kind](client, ids)
        assert response.status_code == 507, (response.status_code, response.get_data()[:300])
        assert_error_shape(507, response.get_data(), kind)
        health = client.get("/healthz")
        assert health.status_code == 503 and "disk full" in health.json["checks"]["database"]
    # nothing half-applied, and the same request succeeds once there is space again
    assert client.get("/v1/artifacts?include_deleted=true&include_archived=true&limit=100").json == before
    assert REQUESTS[kind](client, ids).status_code == 200
    health = _healthy_within(client, seconds=15)  # the mirror catches up off the request path
    assert health.status_code == 200 and health.json["status"] == "ok", health.json


def _healthy_within(client, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        health = client.get("/healthz")
        if health.status_code == 200 or time.monotonic() > deadline:
            return health
        time.sleep(0.1)


def test_a_real_sqlite_full_on_rescan_and_a_large_edit(registry):
    app, ctx, data_dir = registry
    client = app.test_client()
    ids = _ids(client)
    shutil.copytree(data_dir / ids[0], data_dir / "run_20990101T000000Z_0000beef")
    with capped_database(ctx.db.engine, data_dir / "registry.db"):
        for response in (client.post("/v1/artifacts/rescan"),
                         client.patch(f"/v1/artifacts/{ids[0]}", json={"description": "x" * 9000})):
            assert response.status_code == 507, (response.status_code, response.get_data()[:300])
            assert_error_shape(507, response.get_data())
        assert client.get("/healthz").status_code == 503
    assert client.post("/v1/artifacts/rescan").json["added"] == 1
    assert client.patch(f"/v1/artifacts/{ids[0]}", json={"description": "x" * 9000}).status_code == 200
    assert client.get("/healthz").status_code == 200
