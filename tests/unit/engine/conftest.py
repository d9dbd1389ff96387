"""Shared fixtures for the engine tests."""

from __future__ import annotations

import shutil

import pytest

from app.storage.local import LocalStorage
from tests.unit.engine.ft_engine_paths import SAMPLES


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    """An empty LocalStorage under tmp_path."""
    return LocalStorage(tmp_path / "data")


@pytest.fixture
def sample_storage(tmp_path) -> LocalStorage:
    """A LocalStorage holding a copy of the sample run folders."""
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    return LocalStorage(root)
