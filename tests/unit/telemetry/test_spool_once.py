"""Uploads are written to disk once: werkzeug's stream factory spools big parts into the data disk's spool folder,
and the importer checks them there instead of copying them again."""

from __future__ import annotations

import io

import pytest

from app.errors import PayloadTooLarge
from app.telemetry.spool import IN_MEMORY_BYTES, spool_stream_factory, spooled_upload

CSV = b"timestamp,value\n" + b"".join(b"2025-01-01T00:%02d:00Z,%d\n" % (i % 60, i) for i in range(40_000))


def test_big_parts_are_spooled_in_the_spool_folder_small_ones_in_memory(tmp_path):
    factory = spool_stream_factory(tmp_path / ".uploads")
    assert isinstance(factory(IN_MEMORY_BYTES, "text/csv", "a.csv"), io.BytesIO)
    with factory(IN_MEMORY_BYTES + 1, "text/csv", "a.csv") as part:
        assert [p.name for p in (tmp_path / ".uploads").iterdir()] == [part.name.rsplit("/", 1)[1]]
        assert part.name.rsplit("/", 1)[1].startswith("upload-")  # swept at start-up if a worker dies
    assert list((tmp_path / ".uploads").iterdir()) == []  # closing it (the request's end) removes it


def test_a_part_already_spooled_is_checked_in_place_not_copied(tmp_path):
    spool = tmp_path / ".uploads"
    with spool_stream_factory(spool)(None, "text/csv", "a.csv") as part:
        part.write(CSV)
        with spooled_upload(part, spool, max_bytes=len(CSV)) as upload:
            assert upload.path.name == part.name.rsplit("/", 1)[1] and upload.size == len(CSV)
            assert upload.format == "csv" and len(list(spool.iterdir())) == 1  # no second copy
        with pytest.raises(PayloadTooLarge), spooled_upload(part, spool, max_bytes=len(CSV) - 1):
            pass


def test_a_stream_from_elsewhere_is_still_copied(tmp_path):
    spool = tmp_path / ".uploads"
    with spooled_upload(io.BytesIO(CSV), spool, max_bytes=len(CSV)) as upload:
        assert upload.path.parent == spool and upload.path.read_bytes() == CSV
    assert list(spool.iterdir()) == []
