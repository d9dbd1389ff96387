"""registry-journal.jsonl: the append-only change journal beside the registry-index.json snapshot.

Format (one JSON object per line, UTF-8, "\\n"-terminated):

    {"journal": 1, "registry": "<registry id>", "base_generation": G}
    {"crc": "<crc32 of the entry's bytes, 8 hex>", "entry": {"generation": g, "at": "<ISO time>",
     "commit": "<id>", "prev": "<previous commit's id>", "id": "<artifact id>",
     "artifact": {<the artifact's document, as in registry-index.json>},
     "history": [<the edit-history entry this commit added, when it was a user's edit>]}}
    {"crc": "...", "entry": {"generation": g, "at": "...", "commit": "...", "prev": "...", "id": "...",
     "removed": true}}

A header line starts the file (and, on S3, each segment). Every committed change appends the
documents of the artifacts it touched, fsynced before the request is answered. The snapshot writer
compacts it: once registry-index.json holds generation G, lines at or below G are dropped. A reader
orders entries by generation (file order breaks ties); a last line cut short by a crash is ignored,
a damaged line elsewhere is skipped and reported, a header naming another registry makes the whole
journal foreign (reported, never replayed).
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass, field

from app.storage import Storage
from app.strictjson import OWN_FILE_DEPTH
from app.strictjson import loads as strict_loads
from app.timefmt import iso, utcnow

log = logging.getLogger(__name__)

JOURNAL_NAME = "registry-journal.jsonl"
JOURNAL_VERSION = 1
_ENTRY_PREFIX = b'{"crc": "'
_ENTRY_MIDDLE = b'", "entry": '


def encode_entry(entry: dict) -> bytes:
    """One journal line: the entry's compact JSON and its CRC-32, in a layout checkable byte for byte."""
    body = json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    return b"%s%08x%s%s}\n" % (_ENTRY_PREFIX, zlib.crc32(body), _ENTRY_MIDDLE, body)


def encode_header(registry_id: str, base_generation: int) -> bytes:
    """The line that starts a journal (or a segment of one)."""
    head = {"journal": JOURNAL_VERSION, "registry": registry_id, "base_generation": base_generation}
    return json.dumps(head).encode() + b"\n"


def change_entry(generation: int, commit: tuple[str, str], artifact_id: str, document: str | None,
                 history: dict | None = None) -> dict:
    """The entry for one artifact touched by the commit at `generation` (None: the row is gone), with the
    edit-history entry the commit added to it, if any.

    `commit` is (previous, this) commit id: entries chain their commits, so after a database went back
    in time and wrote on, the entries it holds and the ones it lost are told apart (not by generation,
    which it reuses).
    """
    entry: dict = {"generation": generation, "at": iso(utcnow()), "commit": commit[1], "prev": commit[0],
                   "id": artifact_id}
    if document is None:
        entry["removed"] = True
    else:
        entry["artifact"] = strict_loads(document, max_depth=OWN_FILE_DEPTH)
    if history is not None:
        entry["history"] = [history]
    return entry


@dataclass
class JournalContents:
    """What a journal holds: its registry, its entries in generation order and what was wrong with it."""

    registry: str | None = None
    entries: list[dict] = field(default_factory=list)
    torn_tail: bool = False
    damaged_lines: list[int] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # registry ids of headers that disagree with the first

    @property
    def last_generation(self) -> int:
        """The highest generation the journal records (0 when empty)."""
        return max((e["generation"] for e in self.entries), default=0)

    def problems(self) -> list[str]:
        """Human-readable findings (empty when the journal is sound)."""
        found = []
        if self.torn_tail:
            found.append("its last line was cut short (an append interrupted by a crash); it was ignored")
        if self.damaged_lines:
            found.append(f"{len(self.damaged_lines)} damaged line(s) skipped (first: line {self.damaged_lines[0]})")
        if self.foreign:
            found.append(f"headers name other registries ({', '.join(sorted(set(self.foreign)))[:200]})")
        return found


def decode(data: bytes) -> JournalContents:
    """Parse a journal's bytes, tolerating a torn last line and reporting damaged ones."""
    contents = JournalContents()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the journal ends with a newline, else an incomplete last line
    if tail:
        contents.torn_tail = True
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if line.startswith(_ENTRY_PREFIX):
            entry = _entry(line)
            if entry is None:
                contents.damaged_lines.append(number)
            else:
                contents.entries.append(entry)
        elif not _header(line, contents):
            contents.damaged_lines.append(number)
    contents.entries.sort(key=lambda e: e["generation"])  # stable: file order settles ties
    return contents


def _entry(line: bytes) -> dict | None:
    start = len(_ENTRY_PREFIX)
    crc, middle, body = line[start:start + 8], line[start + 8:start + 8 + len(_ENTRY_MIDDLE)], line[start + 20:-1]
    if middle != _ENTRY_MIDDLE or not line.endswith(b"}"):
        return None
    try:
        if int(crc, 16) != zlib.crc32(body):
            return None
        entry = strict_loads(body.decode("utf-8"), max_depth=OWN_FILE_DEPTH)
    except ValueError:
        return None
    valid = (isinstance(entry, dict) and isinstance(entry.get("generation"), int) and isinstance(entry.get("id"), str)
             and (isinstance(entry.get("artifact"), dict) or entry.get("removed") is True))
    return entry if valid else None


def _header(line: bytes, contents: JournalContents) -> bool:
    try:
        head = strict_loads(line.decode("utf-8"), max_depth=OWN_FILE_DEPTH)
    except ValueError:
        return False
    if not isinstance(head, dict) or head.get("journal") != JOURNAL_VERSION or not isinstance(head.get("registry"), str):
        return False
    if contents.registry is None:
        contents.registry = head["registry"]
    elif head["registry"] != contents.registry:
        contents.foreign.append(head["registry"])
    return True


class Journal:
    """Appends committed changes to the journal and compacts it behind each snapshot."""

    def __init__(self, storage: Storage, enabled: bool = True):
        self.storage = storage
        self.enabled = enabled
        self._headed = False  # this process has seen a header in the current file

    def append(self, registry_id: str, base_generation: int, entries: list[dict]) -> None:
        """Append entries durably (one write, fsynced); a new file starts with its header line."""
        if not self.enabled or not entries:
            return
        data = b"".join(encode_entry(e) for e in entries)
        if self.storage.scheme == "s3" or not self._starts_with_header():
            data = encode_header(registry_id, base_generation) + data
        self.storage.append_log(JOURNAL_NAME, data)
        self._headed = True

    def _starts_with_header(self) -> bool:
        # A compaction replaces the file with one that starts with a header too, so once seen it stays.
        if not self._headed:
            try:
                self._headed = self.storage.read_bytes(JOURNAL_NAME, limit=16).startswith(b'{"journal"')
            except Exception:  # missing: the append creates it, with a header
                self._headed = False
        return self._headed

    def read(self) -> JournalContents:
        """The journal as it stands (empty when there is none)."""
        return decode(self.storage.read_log(JOURNAL_NAME))

    def compact(self, registry_id: str, snapshot_generation: int) -> None:
        """Drop the entries registry-index.json now holds (at or below its generation), keeping the rest."""
        def keep(data: bytes) -> bytes:
            later = [e for e in decode(data).entries if e["generation"] > snapshot_generation]
            return encode_header(registry_id, snapshot_generation) + b"".join(encode_entry(e) for e in later)

        self.storage.rewrite_log(JOURNAL_NAME, keep)
        self._headed = True
