"""Composable fixtures: a temp data dir, a migrated app over it, a test client and a CLI runner."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from app import create_app
from app.migrate import upgrade

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_DATA = FIXTURES / "sample-data"
EXAMPLES = FIXTURES / "examples"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def sample_data_dir(data_dir: Path) -> Path:
    """A data directory holding a copy of the FlowTime .NET sample data (awkward cases included)."""
    shutil.copytree(SAMPLE_DATA, data_dir, dirs_exist_ok=True)
    return data_dir


_TEMPLATE_DB: dict[str, Path] = {}


def _migrated_template() -> Path:
    """One migrated empty database per test session, copied for each test (Alembic runs once)."""
    if "path" not in _TEMPLATE_DB or not _TEMPLATE_DB["path"].exists():  # (something may clear /tmp)
        folder = Path(tempfile.mkdtemp(prefix="flowtime-template-"))
        upgrade(f"sqlite:///{folder / 'registry.db'}")
        _TEMPLATE_DB["path"] = folder / "registry.db"
    return _TEMPLATE_DB["path"]


def make_app(data_dir: Path, **overrides):
    """A migrated app over `data_dir` (the mirror catches up right after each change in tests)."""
    database = data_dir / "registry.db"
    if "database_url" not in overrides and not database.exists():
        shutil.copyfile(_migrated_template(), database)
    settings = {"data_dir": data_dir, "testing": True, "mirror_delay_ms": 0, "mirror_process": False, **overrides}
    app = create_app(settings)
    upgrade(app.config["FLOWTIME"].database_url)
    return app


@pytest.fixture
def app(data_dir: Path):
    app = make_app(data_dir)
    yield app
    app.extensions["flowtime"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """The registry context (database, storage, search, mirror) of the app."""
    return app.extensions["flowtime"]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server for the whole session (skipped, or required in CI)."""
    from tests.backends import unavailable
    from tests.s3_server import aws_test_environment, moto_available, moto_server

    reason = moto_available()
    if reason is not None:
        unavailable("s3", reason)
    with aws_test_environment(), moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    """One boto3 client for the session (building one loads the service model: ~0.3 s)."""
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for the session with a migrated template database (skipped, or required in CI)."""
    from tests.backends import prepare_template, require_postgres
    from tests.pg_server import postgres_server

    require_postgres()
    with postgres_server() as base_url:
        prepare_template(base_url)
        yield base_url
