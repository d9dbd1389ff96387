"""Start-up on a fresh machine and against unreachable databases: a created data directory, one-line reasons."""

from __future__ import annotations

import pytest

from app.db import check_connection, safe_url
from app.errors import ConfigError, DatabaseUnreachable
from app.startup import DatabaseCorrupt, StartupFailed, prepare


def test_missing_data_directory_is_created(tmp_path):
    data_dir = tmp_path / "not" / "there" / "yet"
    prepare({"data_dir": data_dir, "mirror_process": False})
    assert (data_dir / "registry.db").is_file() and (data_dir / "registry-index.json").is_file()


def test_a_file_that_is_not_a_database_is_called_corrupt(tmp_path):
    (tmp_path / "registry.db").write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(DatabaseCorrupt, match="is not a readable SQLite database"):
        prepare({"data_dir": tmp_path, "mirror_process": False})


def test_an_unopenable_sqlite_path_is_a_connection_error_not_corruption(tmp_path):
    (tmp_path / "file").write_text("a file where a directory should be")
    url = f"sqlite:///{tmp_path / 'file' / 'registry.db'}"
    with pytest.raises(StartupFailed) as refused:
        prepare({"data_dir": tmp_path / "data", "database_url": url, "mirror_process": False})
    assert not isinstance(refused.value, DatabaseCorrupt)
    assert str(refused.value).startswith(f"cannot connect to {url}: unable to open database file")


def test_unreachable_postgres_names_the_url_without_its_password():
    url = "postgresql+psycopg://registry:s3cret@127.0.0.1:9/registry"
    with pytest.raises(DatabaseUnreachable) as refused:
        check_connection(url)
    message = refused.value.message
    assert message.startswith("cannot connect to postgresql+psycopg://registry:***@127.0.0.1:9/registry: ")
    assert "s3cret" not in message and "\n" not in message


def test_not_a_url():
    with pytest.raises(ConfigError, match="is not a database URL"):
        check_connection("not a url")
    assert safe_url("mysql://u:p@h/db") == "mysql://u:***@h/db"
