"""Composable fixtures: a temp data dir, a migrated app over it, a test client and a CLI runner."""

from __future__ import annotations

import shutil
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


def make_app(data_dir: Path, **overrides):
    """A migrated app over `data_dir` (mirror written synchronously after each request in tests)."""
    settings = {"data_dir": data_dir, "testing": True, "mirror_delay_ms": 0, **overrides}
    app = create_app(settings)
    upgrade(app.config["FLOWTIME"].database_url)
    return app


@pytest.fixture
def app(data_dir: Path):
    app = make_app(data_dir)
    yield app
    app.extensions["flowtime"].db.dispose()


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
