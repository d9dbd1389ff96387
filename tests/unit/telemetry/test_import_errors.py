"""Bad uploads: each is a 400 (or 413) that says what is wrong, and leaves no folder and no spool file."""

from __future__ import annotations

import io
import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.errors import BadRequest, PayloadTooLarge, ValidationFailed
from app.telemetry.problems import MAX_ROWS


def refused(importer, data: bytes, match: str, error=BadRequest, **kw) -> BadRequest:
    if data.startswith(b"PAR1"):
        kw.setdefault("filename", "upload.parquet")
    with pytest.raises(error, match=match) as info:
        importer(data, **kw)
    assert importer.leftovers() == []
    assert not importer.spool.exists() or list(importer.spool.iterdir()) == []
    return info.value


@pytest.mark.parametrize(("data", "match"), [
    (b"", "empty"),
    (b"\n\n", "empty"),
    (b"t,value\n", "no data rows"),
    (b"t\n1\n2\n", "no numeric column"),
    (b"t,name\n1,alpha\n2,beta\n", "no numeric column"),
    (b"x,y\n1,2\n", "no time column"),
    (b"t,timestamp,v\n1,2,3\n", "more than one time column"),
    (b"t,,v\n1,2,3\n", "column 2 has no name"),
    (b"\xff\xfet\x00,\x00v\x00", "UTF-16"),
    (b"t,v\n1,2\x003\n", r"NUL bytes \(line 2\)"),
    (b"t,v\n1,2\n\"unterminated,3\n", "quote is never closed|ragged"),
])
def test_bad_csv(importer, data, match):
    refused(importer, data, match)


def test_duplicate_columns(importer):
    error = refused(importer, b"t,a,A\n1,2,3\n", "duplicate column name 'A'")
    assert error.details == {"file": [error.message]}


def test_undecodable_text_names_line(importer):
    error = refused(importer, b"t,v\n1,2\n2,\xe9t\xe9\n", r"not valid UTF-8 text \(line 3\)")
    assert error.details == {"file": [error.message]}


def test_ragged_row_names_row(importer):
    error = refused(importer, b"t,v\n1,2\n2,3\n3\n4,5\n", r"row 3: ragged row: expected 2 fields, found 1")
    assert error.details == {"file": [error.message]}


def test_non_numeric_value_names_row_and_column(importer):
    rows = b"".join(b"%d,%d,%d\n" % (i, i, i) for i in range(50_000))
    error = refused(importer, b"t,a,b\n" + rows + b"50000,1,oops\n", r"row 50001, column 'b': 'oops' is not a number")
    assert error.details == {"file": [error.message]}


def test_unparseable_timestamp_names_row_and_column(importer):
    data = b"timestamp,v\n2024-01-01T00:00:00Z,1\n2024-13-45T00:00:00Z,2\n"
    error = refused(importer, data, r"row 2, column 'timestamp': cannot parse")
    assert error.details == {"file": [error.message]}


def test_missing_time_and_blank_component(importer):
    refused(importer, b"timestamp,v\n2024-01-01T00:00:00Z,1\n,2\n", r"row 2, column 'timestamp': missing time")
    data = b"time_bin,component_id,measure,value\n2024-01-01T00:00:00Z, ,arrivals,1\n"
    refused(importer, data, r"row 1, column 'component_id': empty value")


def test_infinite_value(importer):
    refused(importer, b"t,v\n1,2\n2,inf\n", r"row 2, column 'v': infinite value")


def test_row_longer_than_block(importer):
    refused(importer, b"t,v,note\n1,2,\"" + b"x" * 2_000_000 + b"\"\n", "longer than")


def test_too_many_csv_columns(importer):
    header = b"t," + b",".join(b"c%d" % i for i in range(10_001))
    refused(importer, header + b"\n" + b"1," + b",".join([b"1"] * 10_001) + b"\n", "at most 10000")


def test_name_claims_checked(importer):
    refused(importer, b"t,v\n1,2\n", "named as Parquet", filename="data.parquet")
    sink = io.BytesIO()
    pq.write_table(pa.table({"t": [1], "v": [1.0]}), sink)
    refused(importer, sink.getvalue(), "named as CSV", filename="data.csv")


@pytest.mark.parametrize(("fields", "name"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"title": 5}, "title"),
    ({"description": "x" * 10_001}, "description"),
    ({"tags": ["ok", "bad tag"]}, "tags"), ({"tags": ["t"] * 51}, "tags"), ({"tags": "ops"}, "tags"),
])
def test_field_validation(importer, fields, name):
    error = refused(importer, b"t,v\n1,2\n", name, error=ValidationFailed, **fields)
    assert name in error.details


# -- the byte cap ---------------------------------------------------------------------------------

def test_cap_exactly_at_limit_is_accepted(importer):
    data = b"t,v\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(1000))
    result = importer(data, max_bytes=len(data))
    assert importer.storage.read_bytes(f"{result.key}/data.csv") == data
    assert list(importer.spool.iterdir()) == []


def test_cap_one_byte_over_is_413_and_leaves_nothing(importer):
    data = b"t,v\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(1000))
    refused(importer, data, "larger than", error=PayloadTooLarge, max_bytes=len(data) - 1)


def test_cap_with_a_stream_that_never_ends(importer):
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"1" * len(buffer)
            return len(buffer)

    with pytest.raises(PayloadTooLarge):
        from app.telemetry import import_telemetry
        import_telemetry(importer.storage, Endless(), spool_dir=importer.spool, max_bytes=3_000_000)
    assert importer.leftovers() == [] and list(importer.spool.iterdir()) == []


# -- Parquet --------------------------------------------------------------------------------------

def parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def declare_rows(data: bytes, real: int, declared: int) -> bytes:
    """Patch the footer's FileMetaData.num_rows (thrift compact, field 3, i64) to `declared`."""
    footer_len = struct.unpack("<I", data[-8:-4])[0]
    footer = data[-8 - footer_len:-8]
    old = b"\x16" + _varint(real << 1)
    at = footer.index(old)
    footer = footer[:at] + b"\x16" + _varint(declared << 1) + footer[at + len(old):]
    return data[:-8 - footer_len] + footer + struct.pack("<I", len(footer)) + b"PAR1"


def test_parquet_bomb_declaring_huge_row_count(importer):
    bomb = declare_rows(parquet(pa.table({"t": list(range(77)), "v": [1.0] * 77})), 77, 600_000_000)
    assert pq.ParquetFile(io.BytesIO(bomb)).metadata.num_rows == 600_000_000
    assert len(bomb) < 5_000
    refused(importer, bomb, f"declares 600000000 rows; at most {MAX_ROWS}", filename="bomb.parquet")


def test_parquet_too_many_columns(importer):
    table = pa.table({"t": [1], **{f"c{i}": [1.0] for i in range(10_001)}})
    refused(importer, parquet(table), "at most 10000", max_bytes=50_000_000)


@pytest.mark.parametrize("cut", [1, 8, 100, 0.5])
def test_truncated_parquet(importer, cut):
    data = parquet(pa.table({"t": list(range(100)), "v": [float(i) for i in range(100)]}))
    size = int(len(data) * cut) if isinstance(cut, float) else len(data) - cut
    refused(importer, data[:size], "malformed or truncated Parquet")


def test_parquet_with_garbage_inside(importer):
    data = bytearray(parquet(pa.table({"t": list(range(100)), "v": [float(i) for i in range(100)]})))
    data[4:60] = b"\xff" * 56
    refused(importer, bytes(data), "Parquet")


def test_parquet_value_column_not_numeric(importer):
    refused(importer, parquet(pa.table({"t": [1, 2], "v": ["a", "b"]})), r"column 'v': type string is not numeric")


def test_parquet_time_column_wrong_type(importer):
    refused(importer, parquet(pa.table({"t": [1.5, 2.5], "v": [1.0, 2.0]})), "neither timestamps nor integer")


def test_parquet_header_only(importer):
    empty = pa.table({"t": pa.array([], pa.int64()), "v": pa.array([], pa.float64())})
    refused(importer, parquet(empty), "no data rows")
