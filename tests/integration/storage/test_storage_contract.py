"""One contract for every storage backend: the same tests over LocalStorage and S3Storage (moto server).

The s3 parameters are skipped when boto3/moto[server] are not installed, unless
FLOWTIME_BACKENDS_REQUIRED=1, in which case they fail.
"""

from __future__ import annotations

import io
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.errors import Conflict, NotFound
from app.storage.local import LocalStorage

BACKENDS = ["local", "s3"]


@pytest.fixture(params=BACKENDS)
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "data")
    _, bucket = request.getfixturevalue("s3_bucket")
    return request.getfixturevalue("make_s3")(bucket)


def _names(infos):
    return [info.name for info in infos]


# -- listing -------------------------------------------------------------------------------------
def _populate(storage):
    with storage.write_folder("run_b") as folder:
        folder.write_bytes("run.json", b'{"id": "run_b"}')
        folder.write_bytes("series/a.csv", b"t,value\n0,1\n")
        folder.write_bytes("series/b.csv", b"t,value\n0,2\n")
        folder.write_bytes("series/nested/deep.csv", b"deep")
        folder.write_bytes(".hidden", b"x")
        folder.write_bytes(".dot/inside.txt", b"x")
        folder.write_bytes("sub/x.lock", b"x")
        folder.write_bytes("series/part.tmp", b"x")
        folder.write_bytes("z.txt", b"zzz")
    with storage.write_folder("run_a") as folder:
        folder.write_bytes("manifest.json", b"{}")
    with storage.write_folder("models/model_1") as folder:
        folder.write_bytes("metadata.json", b"{}")
    with storage.write_folder(".tmp-run_c-1234") as folder:
        folder.write_bytes("run.json", b"{}")
    storage.write_bytes("registry-index.json", b"{}")
    storage.write_bytes("registry.db", b"sqlite")
    storage.write_bytes("registry.db-wal", b"sqlite")
    storage.write_bytes(".registry-index.lock", b"")


def test_list_folders_hides_internal_names_and_sorts(storage):
    _populate(storage)
    assert storage.list_folders("") == ["models", "run_a", "run_b"]
    assert storage.list_folders() == ["models", "run_a", "run_b"]
    assert storage.list_folders("models") == ["model_1"]
    assert storage.list_folders("run_b") == ["series", "sub"]
    assert storage.list_folders("run_b/series") == ["nested"]
    assert storage.list_folders("missing") == []
    assert storage.list_folders("run_b/z.txt") == []


def test_list_files_is_recursive_sorted_and_relative(storage):
    _populate(storage)
    before = time.time()
    files = storage.list_files("run_b")
    assert _names(files) == ["run.json", "series/a.csv", "series/b.csv", "series/nested/deep.csv", "z.txt"]
    sizes = {info.name: info.size for info in files}
    assert sizes["z.txt"] == 3 and sizes["series/nested/deep.csv"] == 4
    assert all(abs(info.mtime - before) < 120 for info in files)
    assert _names(storage.list_files("run_b/series")) == ["a.csv", "b.csv", "nested/deep.csv"]
    assert _names(storage.list_files("")) == ["models/model_1/metadata.json", "run_a/manifest.json",
                                              "run_b/run.json", "run_b/series/a.csv", "run_b/series/b.csv",
                                              "run_b/series/nested/deep.csv", "run_b/z.txt"]
    with pytest.raises(NotFound):
        storage.list_files("missing")


# -- reading -------------------------------------------------------------------------------------
def test_stat_exists_and_read_bytes(storage):
    _populate(storage)
    info = storage.stat("run_b/z.txt")
    assert (info.name, info.size) == ("run_b/z.txt", 3) and abs(info.mtime - time.time()) < 120
    assert storage.exists("run_b/z.txt") and storage.exists("run_b") and storage.exists("run_b/series")
    assert storage.exists("")
    assert not storage.exists("run_z") and not storage.exists("run_b/nope.txt") and not storage.exists("run_")
    assert storage.read_bytes("run_b/z.txt") == b"zzz"
    assert storage.read_bytes("run_b/z.txt", limit=2) == b"zz"
    assert storage.read_bytes("run_b/series/a.csv", limit=1000) == b"t,value\n0,1\n"


MISSING_KEYS = ["run_b/missing.csv", "missing/file.txt", "run_b", "run_b/series", "run_bx", "run_"]


def test_missing_keys_raise_not_found(storage):
    _populate(storage)
    operations = {
        "stat": storage.stat,
        "open": lambda key: storage.open(key).close(),
        "read_bytes": storage.read_bytes,
        "iter_range": lambda key: list(storage.iter_range(key, 0, 10)),
        "list_files": storage.list_files,
    }
    for name, operation in operations.items():
        for key in MISSING_KEYS:
            if name == "list_files" and key in ("run_b", "run_b/series"):
                continue  # folders are listable
            with pytest.raises(NotFound):
                operation(key)
                pytest.fail(f"{name}({key!r}) did not raise NotFound")


PATTERN = bytes(range(256)) * 1000  # 256,000 bytes


RANGES = [  # (start, length, expected bytes)
    (0, 0, b""),
    (0, 1, PATTERN[:1]),
    (0, len(PATTERN), PATTERN),
    (1000, 1, PATTERN[1000:1001]),
    (len(PATTERN) - 1, 1, PATTERN[-1:]),
    (len(PATTERN) - 1, 10, PATTERN[-1:]),
    (len(PATTERN) - 5000, 10_000, PATTERN[-5000:]),
    (len(PATTERN), 5, b""),
    (len(PATTERN) + 100, 5, b""),
    (3, 2999, PATTERN[3:3002]),
]


def test_iter_range_boundaries(storage):
    storage.write_bytes("blob/data.bin", PATTERN)
    for start, length, expected in RANGES:
        chunks = list(storage.iter_range("blob/data.bin", start, length, chunk=1000))
        assert b"".join(chunks) == expected, (start, length)
        assert all(0 < len(chunk) <= 1000 for chunk in chunks), (start, length)


def test_empty_files(storage):
    storage.write_bytes("run_e/empty.txt", b"")
    assert storage.stat("run_e/empty.txt").size == 0
    assert storage.read_bytes("run_e/empty.txt") == b"" and storage.read_bytes("run_e/empty.txt", limit=5) == b""
    assert list(storage.iter_range("run_e/empty.txt", 0, 10)) == []
    with storage.open("run_e/empty.txt") as handle:
        assert handle.seek(0, io.SEEK_END) == 0 and handle.read() == b""
    assert _names(storage.list_files("run_e")) == ["empty.txt"]


def test_open_is_seekable_and_reads_across_buffers(storage):
    data = os.urandom(3 * 1024 * 1024 + 123)
    storage.write_bytes("blob/big.bin", data)
    with storage.open("blob/big.bin") as handle:
        assert handle.readable() and handle.seekable()
        assert handle.read(10) == data[:10] and handle.tell() == 10
        assert handle.seek(-7, io.SEEK_END) == len(data) - 7
        assert handle.read() == data[-7:]
        assert handle.read(5) == b""
        handle.seek(1_500_000)
        assert handle.read(1_100_000) == data[1_500_000:2_600_000]
        handle.seek(5, io.SEEK_SET)
        handle.seek(3, io.SEEK_CUR)
        assert handle.read(4) == data[8:12]
        handle.seek(0)
        assert handle.read() == data
        handle.seek(len(data) + 10)
        assert handle.read(3) == b""


def _parquet_bytes(rows: int = 200_000) -> bytes:
    rng = np.random.default_rng(7)
    table = pa.table({"t": np.arange(rows, dtype=np.int64), "value": rng.random(rows),
                      "node": pa.array([f"node-{i % 17}" for i in range(rows)])})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=50_000)
    return sink.getvalue()


def test_parquet_is_read_through_open(storage):
    payload = _parquet_bytes()
    with storage.write_folder("telemetry/tel_1") as folder:
        with folder.open("data.parquet") as handle:
            handle.write(payload)
    with storage.open("telemetry/tel_1/data.parquet") as handle:
        parquet = pq.ParquetFile(handle)
        assert parquet.metadata.num_rows == 200_000 and parquet.metadata.num_row_groups == 4
        group = parquet.read_row_group(2, columns=["t", "value"])
        assert group.column("t")[0].as_py() == 100_000
    with storage.open("telemetry/tel_1/data.parquet") as handle:
        table = pq.read_table(handle)
    assert table.num_rows == 200_000 and table.column("t")[-1].as_py() == 199_999


# -- writing -------------------------------------------------------------------------------------
def test_write_folder_is_invisible_until_the_block_exits(storage):
    with storage.write_folder("run_x") as folder:
        folder.write_bytes("series/a.csv", b"a")
        folder.write_bytes("run.json", b"{}")
        with folder.open("big.bin") as handle:
            for _ in range(4):
                handle.write(b"x" * 300_000)
        assert not storage.exists("run_x")
        assert "run_x" not in storage.list_folders("")
    assert _names(storage.list_files("run_x")) == ["big.bin", "run.json", "series/a.csv"]
    assert storage.stat("run_x/big.bin").size == 1_200_000


def test_write_folder_exception_leaves_nothing(storage):
    with pytest.raises(RuntimeError):
        with storage.write_folder("run_x") as folder:
            folder.write_bytes("run.json", b"{}")
            folder.write_bytes("series/a.csv", b"a")
            raise RuntimeError("boom")
    assert not storage.exists("run_x")
    assert storage.list_folders("") == []
    assert storage.list_files("") == []


def test_write_folder_refuses_an_existing_folder(storage):
    with storage.write_folder("runs/run_x") as folder:
        folder.write_bytes("run.json", b"original")
    with pytest.raises(Conflict):
        with storage.write_folder("runs/run_x") as folder:
            folder.write_bytes("run.json", b"second")
            folder.write_bytes("extra.csv", b"second")
    assert storage.read_bytes("runs/run_x/run.json") == b"original"
    assert _names(storage.list_files("runs/run_x")) == ["run.json"]


def test_write_folder_conflict_when_the_folder_appears_meanwhile(storage):
    with pytest.raises(Conflict):
        with storage.write_folder("run_x") as outer:
            outer.write_bytes("outer.txt", b"outer")
            with storage.write_folder("run_x") as inner:
                inner.write_bytes("inner.txt", b"inner")
    assert _names(storage.list_files("run_x")) == ["inner.txt"]


def test_write_file_creates_and_replaces_atomically(storage):
    storage.write_bytes("run_x/notes.txt", b"one")
    assert storage.read_bytes("run_x/notes.txt") == b"one"
    with storage.write_file("run_x/notes.txt") as handle:
        handle.write(b"two")
        handle.write(b" parts")
        assert storage.read_bytes("run_x/notes.txt") == b"one"
    assert storage.read_bytes("run_x/notes.txt") == b"two parts"
    with pytest.raises(RuntimeError):
        with storage.write_file("run_x/notes.txt") as handle:
            handle.write(b"three")
            raise RuntimeError("boom")
    assert storage.read_bytes("run_x/notes.txt") == b"two parts"
    assert _names(storage.list_files("run_x")) == ["notes.txt"]


def test_delete_folder(storage):
    _populate(storage)
    with storage.write_folder("run_b2") as folder:
        folder.write_bytes("run.json", b"{}")
    storage.delete_folder("run_b")
    assert not storage.exists("run_b") and not storage.exists("run_b/.hidden")
    assert storage.list_folders("") == ["models", "run_a", "run_b2"]
    assert _names(storage.list_files("run_b2")) == ["run.json"]  # a name sharing the prefix survives
    storage.delete_folder("run_b")  # missing is not an error
    storage.delete_folder("never_there")
    with pytest.raises(Conflict):
        storage.delete_folder("")


def test_many_objects_paginate(storage):
    count = 1_500
    with storage.write_folder("many", durable=False) as folder:
        for i in range(count):
            folder.write_bytes(f"f{i:05d}/v.csv", b"1")
        folder.write_bytes(".hidden/skip.csv", b"1")
    folders = storage.list_folders("many")
    assert len(folders) == count and folders == sorted(folders) and folders[0] == "f00000"
    files = storage.list_files("many")
    assert len(files) == count and _names(files)[-1] == f"f{count - 1:05d}/v.csv"
    storage.delete_folder("many")
    assert not storage.exists("many") and storage.list_folders("many") == []


def test_change_token_and_describe(storage):
    description = storage.describe()
    assert "/" not in description and "127.0.0.1" not in description and "http" not in description
    token = storage.change_token()
    assert token is None or isinstance(token, tuple)


# -- S3 only ---------------------------------------------------------------------------------------
@pytest.fixture
def s3(s3_bucket, make_s3):
    """An S3Storage with a client of its own (tests below hook its events)."""
    _, bucket = s3_bucket
    return make_s3(bucket, client=None)


def _count_gets(storage):
    """Record the Range of every GetObject the storage's client sends."""
    ranges: list[str] = []

    def record(params, **_):
        ranges.append(params.get("Range", "all"))

    storage.client.meta.events.register("provide-client-params.s3.GetObject", record)
    return ranges


def _range_bytes(ranges):
    total = 0
    for value in ranges:
        first, last = value.removeprefix("bytes=").split("-")
        total += int(last) - int(first) + 1
    return total


def test_s3_prefix_boundaries_and_describe(s3, s3_bucket, make_s3):
    _, bucket = s3_bucket
    s3.write_bytes("run_a/run.json", b"{}")
    assert s3.list_folders("") == ["run_a"]  # not "reg/data-sibling" nor "reg/datafile"
    assert _names(s3.list_files("")) == ["run_a/run.json"]
    root = make_s3(bucket, prefix="", client=None)  # builds its own client, as in production
    assert root.list_folders("") == ["outside", "reg"]
    assert root.read_bytes("reg/data/run_a/run.json") == b"{}"
    assert s3.describe() == f"s3 bucket {bucket}" and s3.change_token() is None


def test_s3_reads_are_lazy_ranges(s3):
    payload = _parquet_bytes(400_000)
    s3.write_bytes("telemetry/tel_1/data.parquet", payload)
    ranges = _count_gets(s3)
    with s3.open("telemetry/tel_1/data.parquet") as handle:
        assert pq.ParquetFile(handle).metadata.num_rows == 400_000
    assert ranges and all(r.startswith("bytes=") for r in ranges)
    assert _range_bytes(ranges) < len(payload) / 2, (len(payload), ranges)
    ranges.clear()
    chunks = list(s3.iter_range("telemetry/tel_1/data.parquet", 10, len(payload) - 10, chunk=64 * 1024))
    assert len(ranges) == 1 and b"".join(chunks) == payload[10:]
    assert max(len(c) for c in chunks) == 64 * 1024
    ranges.clear()
    assert s3.read_bytes("telemetry/tel_1/data.parquet") == payload
    assert len(ranges) == 1  # a whole read is one request, not one per buffer


def test_s3_replaced_file_under_an_open_reader_is_a_conflict(s3):
    s3.write_bytes("run_a/a.bin", b"a" * 3_000_000)
    with s3.open("run_a/a.bin") as handle:
        assert handle.read(10) == b"a" * 10
        s3.write_bytes("run_a/a.bin", b"b" * 3_000_000)
        handle.seek(2_000_000)
        with pytest.raises(Conflict):
            handle.read(10)


def test_s3_big_files_use_multipart(s3):
    from boto3.s3.transfer import TransferConfig

    mb = 1024 * 1024
    s3.transfer = TransferConfig(multipart_threshold=5 * mb, multipart_chunksize=5 * mb)
    data = os.urandom(11 * mb)
    with s3.write_file("run_a/big.bin") as handle:
        for start in range(0, len(data), mb):
            handle.write(data[start:start + mb])
    assert "-" in s3.etag("run_a/big.bin")  # multipart ETags are "<md5>-<parts>"
    assert s3.read_bytes("run_a/big.bin") == data
    with s3.write_folder("run_b") as folder:
        folder.write_bytes("big.bin", data)
        folder.write_bytes("run.json", b"{}")
    assert "-" in s3.etag("run_b/big.bin") and s3.stat("run_b/big.bin").size == len(data)


def test_s3_descriptors_are_uploaded_last(s3):
    order: list[str] = []

    def record(params, **_):
        order.append(params["Key"].rsplit("/", 1)[-1])

    s3.client.meta.events.register("provide-client-params.s3.PutObject", record)
    with s3.write_folder("run_a") as folder:
        folder.write_bytes("run.json", b"{}")
        folder.write_bytes("manifest.json", b"{}")
        for i in range(10):
            folder.write_bytes(f"series/s{i}.csv", b"1")
    assert order[-2:] == ["run.json", "manifest.json"] and len(order) == 12


def test_s3_failed_upload_removes_what_was_uploaded(s3, monkeypatch):
    real = s3._upload
    calls = []

    def flaky(handle, size, object_key):
        calls.append(object_key)
        if object_key.endswith("run.json"):
            raise RuntimeError("network went away")
        real(handle, size, object_key)

    monkeypatch.setattr(s3, "_upload", flaky)
    with pytest.raises(RuntimeError):
        with s3.write_folder("run_a") as folder:
            folder.write_bytes("run.json", b"{}")
            folder.write_bytes("series/a.csv", b"1")
    assert len(calls) == 2 and not s3.exists("run_a")


def test_s3_errors_are_translated_without_details(make_s3):
    import boto3
    from botocore.config import Config as BotoConfig
    from botocore.exceptions import ClientError

    from app.errors import StorageRejected, StorageUnavailable
    from app.storage.s3_support import translate_exc as _translate_exc

    missing_bucket = make_s3("no-such-bucket-here")
    with pytest.raises(StorageUnavailable) as caught:
        missing_bucket.list_folders("")
    assert caught.value.status == 503 and "NoSuchBucket" in caught.value.message
    # which bucket is missing and how to create it (a ListObjects error names the bucket)
    assert "no-such-bucket-here" in caught.value.message and "s3 mb s3://no-such-bucket-here" in caught.value.message
    with pytest.raises(StorageUnavailable):
        missing_bucket.exists("")

    dead = boto3.client("s3", endpoint_url="http://127.0.0.1:9", config=BotoConfig(
        retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1))
    unreachable = make_s3("bucket", client=dead)
    for probe in (lambda: unreachable.list_folders(""), lambda: unreachable.stat("a/b"),
                  lambda: unreachable.read_bytes("a/b")):
        with pytest.raises(StorageUnavailable) as caught:
            probe()
        assert caught.value.status == 503 and "127.0.0.1" not in caught.value.message

    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetObject")
    error = _translate_exc(denied, "file")
    assert isinstance(error, StorageRejected) and error.status == 502 and error.code == "storage_error"
    throttled = ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}},
                            "PutObject")
    assert isinstance(_translate_exc(throttled, "file"), StorageUnavailable)
    missing = ClientError({"Error": {"Code": "404"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "HeadObject")
    assert isinstance(_translate_exc(missing, "file"), NotFound)


def test_s3_url_validation(s3_endpoint):
    from app.errors import ConfigError
    from app.storage.s3 import S3Storage

    for bad in ("s3:///prefix", "file:///tmp/x", "s3://"):
        with pytest.raises(ConfigError):
            S3Storage(bad)
