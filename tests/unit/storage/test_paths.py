"""The one path resolver: every hostile form is refused; anything accepted stays inside the root."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import BadRequest, NotFound
from app.storage.local import LocalStorage
from app.storage.paths import clean_key, is_internal_name, is_unlisted_name, validate_artifact_id

HOSTILE = [
    "..", "../etc/passwd", "a/../../b", "%2e%2e/secret", "%252e%252e/secret", "..%2fsecret", "..%252fsecret",
    "a\\..\\b", "/etc/passwd", "~/x", "C:/windows", "a\x00b", "a\nb", "a\rb", "a\x1fb", "a\x7fb", "a\x85b",
    ".hidden", "series/.secret", "a//b", "./a", "x/./y", "a" * 300, "/".join(["a"] * 600),
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_keys_are_refused(raw):
    with pytest.raises(BadRequest):
        clean_key(raw)


@pytest.mark.parametrize("raw", ["run.json", "series/a@A@DEFAULT.csv", "gold/export.parquet", "a b.txt", "a#b", "a;b",
                                 "what?.txt", 'say "hi".txt', "star*.csv", "a<b>|c", "系列.csv", "100% done"])
def test_ordinary_keys_pass(raw):
    assert clean_key(raw) == raw


@pytest.mark.parametrize("bad", ["", "..", "../x", "a/b", "a\x00", ".x", "x" * 201, "run_..x"])
def test_artifact_ids_are_validated(bad):
    with pytest.raises(BadRequest):
        validate_artifact_id(bad)


@pytest.mark.parametrize("name", ["registry.db", "registry.db-wal", "registry.db-shm", "registry-index.json",
                                  "registry-index.json.tmp", "x.lock", ".tmp-run", "x.tmp"])
def test_internal_names(name):
    assert is_internal_name(name)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_string_resolves_inside_the_root_or_is_refused(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("root")
    storage = LocalStorage(root)
    try:
        key = clean_key(raw)
        path = storage._path(key)
    except (BadRequest, NotFound):
        return
    assert path == root.resolve() or root.resolve() in path.parents


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_every_name_a_listing_shows_is_one_the_resolver_accepts(name):
    if "/" in name or is_unlisted_name(name):
        return
    assert clean_key(name) == name


def test_symlink_out_of_root_is_not_served(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = tmp_path / "root"
    (root / "run_x").mkdir(parents=True)
    (root / "run_x" / "link").symlink_to(outside)
    (root / "run_x" / "file.txt").symlink_to(outside / "secret.txt")
    storage = LocalStorage(root)
    with pytest.raises(NotFound):
        storage.open("run_x/link/secret.txt")
    with pytest.raises(NotFound):
        storage.open("run_x/file.txt")
    assert storage.list_files("run_x") == []


def test_sibling_prefix_folder_is_outside(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data2").mkdir()
    (tmp_path / "data2" / "x.txt").write_text("no")
    (tmp_path / "data" / "escape").symlink_to(tmp_path / "data2")
    with pytest.raises(NotFound):
        LocalStorage(tmp_path / "data").open("escape/x.txt")
