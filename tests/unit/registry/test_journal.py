"""The journal's line format: CRC-checked entries, a torn last line ignored, damage and foreign headers reported."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.registry.journal import Journal, change_entry, decode, encode_entry, encode_header
from app.storage import LocalStorage

DOC = json.dumps({"id": "run_a", "title": "Ünïcode ✓", "tags": ["x"]})


def _entry(generation: int, artifact_id: str = "run_a", commit=("", "c1")) -> dict:
    return change_entry(generation, commit, artifact_id, DOC.replace("run_a", artifact_id))


def _journal(*entries: dict, registry: str = "r1") -> bytes:
    return encode_header(registry, 0) + b"".join(encode_entry(e) for e in entries)


def test_entries_round_trip_in_generation_order():
    data = _journal(_entry(3), _entry(2, "run_b"), _entry(5))
    contents = decode(data)
    assert [e["generation"] for e in contents.entries] == [2, 3, 5]
    assert contents.registry == "r1" and contents.last_generation == 5 and contents.problems() == []
    assert contents.entries[0]["artifact"]["id"] == "run_b"


def test_every_line_is_json_a_line_reader_can_read():
    for line in _journal(_entry(1), change_entry(2, ("c1", "c2"), "run_a", None)).splitlines():
        assert isinstance(json.loads(line), dict)


def test_a_torn_last_line_is_ignored_and_reported():
    whole = _journal(_entry(1), _entry(2))
    for cut in range(1, len(encode_entry(_entry(2)))):
        contents = decode(whole[:-cut])
        assert [e["generation"] for e in contents.entries] == [1]
        assert contents.torn_tail or contents.damaged_lines


def test_a_flipped_byte_inside_an_entry_is_caught_by_its_crc():
    data = bytearray(_journal(_entry(1), _entry(2), _entry(3)))
    second = data.index(b"\n", data.index(b"\n") + 1) + 1  # start of the second entry line
    position = data.index(b'"tags"', second)  # inside its document
    data[position + 2] ^= 0x01
    contents = decode(bytes(data))
    assert [e["generation"] for e in contents.entries] == [1, 3]
    assert contents.damaged_lines == [3]


def test_headers_of_another_registry_are_reported():
    data = _journal(_entry(1)) + _journal(_entry(2), registry="r2")
    assert decode(data).foreign == ["r2"]


@settings(max_examples=300, deadline=None)
@given(prefix=st.binary(max_size=200), garbage=st.binary(max_size=400), tail=st.binary(max_size=60))
def test_arbitrary_bytes_never_raise_and_never_invent_entries(prefix, garbage, tail):
    sound = _journal(_entry(7))
    contents = decode(prefix + b"\n" + sound + garbage + b"\n" + tail)
    assert all(e["generation"] == 7 and e["id"] == "run_a" for e in contents.entries)
    assert len(contents.entries) <= 1 + garbage.count(b'{"crc"') + tail.count(b'{"crc"')


def test_compaction_keeps_only_later_entries_and_appends_race_safely(tmp_path):
    storage = LocalStorage(tmp_path)
    journal = Journal(storage)
    journal.append("r1", 0, [_entry(1), _entry(2)])
    journal.append("r1", 2, [_entry(3)])
    journal.compact("r1", 2)
    journal.append("r1", 3, [_entry(4)])
    contents = journal.read()
    assert [e["generation"] for e in contents.entries] == [3, 4] and contents.problems() == []
    assert (tmp_path / "registry-journal.jsonl").read_bytes().count(b'{"journal"') == 1
