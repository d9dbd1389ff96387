"""Test back-ends: a PostgreSQL server and a moto S3 server, each skipped (or required) as configured."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.migrate import upgrade
from tests.pg_server import binaries

TEMPLATE_DB = "flowtime_template"


def required() -> bool:
    """FLOWTIME_BACKENDS_REQUIRED=1 (set by .ci/run) turns a missing back-end into a failure."""
    return os.environ.get("FLOWTIME_BACKENDS_REQUIRED") == "1"


def unavailable(what: str, reason: str) -> None:
    """Skip, or fail when every back-end is required."""
    if required():
        pytest.fail(f"{what} back-end required (FLOWTIME_BACKENDS_REQUIRED=1) but {reason}")
    pytest.skip(f"{what} back-end tests skipped: {reason}")


def require_postgres() -> None:
    """Skip (or fail) unless the PostgreSQL binaries are installed."""
    if binaries() is None:
        unavailable("postgres", "PostgreSQL is not installed (apt-get install postgresql)")


def prepare_template(base_url: str) -> None:
    """Create and migrate the template database every test database is copied from."""
    admin = create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    admin.dispose()
    upgrade(f"{base_url}/{TEMPLATE_DB}")


def fresh_database(base_url: str) -> tuple[str, callable]:
    """A new database copied from the migrated template; returns its URL and a function that drops it."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return f"{base_url}/{name}", drop


def upload_tree(client, bucket: str, prefix: str, folder: Path) -> None:
    """Copy a local data directory into a bucket (the database, dot-names and symlinks left out)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or any(p.startswith((".", "registry.db")) for p in relative.parts):
            continue
        client.upload_file(str(path), bucket, f"{prefix}/{relative.as_posix()}")
