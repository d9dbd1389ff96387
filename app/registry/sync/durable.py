"""The registry's durable state outside the database: the registry-index.json snapshot plus the journal.

Rebuilds (database loss, `registry rebuild`) and lost-commit recovery read both: the snapshot's
artifacts, then every journal entry later than the snapshot's generation replacing (or removing)
its artifact. A journal whose header names another registry than the snapshot is reported and left
out, never replayed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.registry.journal import Journal, JournalContents
from app.registry.mirror import INDEX_NAME, INDEX_VERSION, mirror_generation, mirror_registry, read_index
from app.registry.sync.index_import import is_dotnet_index

log = logging.getLogger(__name__)


@dataclass
class DurableState:
    """The snapshot, the journal entries later than it, and what was found wrong with them."""

    snapshot: dict | None = None
    entries: list[dict] = field(default_factory=list)
    generation: int = 0
    registry_id: str | None = None
    problems: list[str] = field(default_factory=list)

    def documents(self) -> list[dict]:
        """Index documents for `apply_index`, in order: a .NET snapshot as it is, then ours with the journal in."""
        documents = [self.snapshot] if self.snapshot is not None and is_dotnet_index(self.snapshot) else []
        ours = self.snapshot if self.snapshot is not None and not documents else None
        if ours is not None or self.entries:
            documents.append({**(ours or {"version": INDEX_VERSION}), "generation": self.generation,
                              "artifacts": list(self.latest().values())})
        return documents

    def latest(self) -> dict[str, dict]:
        """Each artifact's latest document (our snapshot with the journal folded in), by id."""
        ours = self.snapshot if self.snapshot is not None and not is_dotnet_index(self.snapshot) else {}
        artifacts = {_id(a, n): a for n, a in enumerate(ours.get("artifacts") or [])}
        for entry in self.entries:
            if entry.get("removed"):
                artifacts.pop(entry["id"], None)
            else:
                artifacts[entry["id"]] = _with_history(entry["artifact"], artifacts.get(entry["id"]), entry)
        return artifacts


def _with_history(document: dict, previous: object, entry: dict) -> dict:
    """A journaled document with the history its earlier copy held plus what this commit added."""
    held = previous.get("history") if isinstance(previous, dict) else None
    added = entry.get("history")
    history = [*(held if isinstance(held, list) else []), *(added if isinstance(added, list) else [])]
    return {**document, "history": history} if history else document


def latest_generation(storage, journal: Journal) -> int | None:
    """The highest generation the snapshot or a journal of the same registry holds (None: neither has one)."""
    snapshot = mirror_generation(storage)
    contents = journal.read()
    if not contents.entries or _foreign(mirror_registry(storage), contents):
        return snapshot
    return max(snapshot or 0, contents.last_generation)


def read_durable_state(storage, journal: Journal, database_commit: str | None = None) -> DurableState:
    """Snapshot + journal, with any problem found in the journal (logged at error level).

    `database_commit`: the commit id of a database that lost commits; the entries on its chain are
    what it still holds (written before, or after it went back in time) and are left out.
    """
    snapshot = read_index(storage)
    contents = journal.read()
    state = DurableState(snapshot=snapshot, problems=[f"registry-journal.jsonl: {p}" for p in contents.problems()])
    snapshot_registry = snapshot.get("registry") if snapshot else None
    state.registry_id = snapshot_registry or contents.registry
    if _foreign(snapshot_registry, contents):
        state.problems.append(f"registry-journal.jsonl belongs to registry {contents.registry}, not to the "
                              f"{INDEX_NAME} snapshot's {snapshot_registry}: left out")
        contents = JournalContents()
    for problem in state.problems:
        log.error("%s", problem)
    base = snapshot.get("generation") if snapshot and not is_dotnet_index(snapshot) else None
    base = base if isinstance(base, int) else 0
    held = _chain(contents.entries, database_commit) if database_commit else set()
    state.entries = [e for e in contents.entries if e["generation"] > base and e.get("commit") not in held]
    state.generation = max(base, contents.last_generation)
    return state


def _foreign(snapshot_registry: str | None, contents: JournalContents) -> bool:
    return bool(snapshot_registry and contents.registry and snapshot_registry != contents.registry)


def _chain(entries: list[dict], head: str) -> set[str]:
    """The commit ids reachable from `head` through the entries' `prev` links."""
    previous = {e.get("commit"): e.get("prev") for e in entries}
    chain: set[str] = set()
    while head and head not in chain:
        chain.add(head)
        head = previous.get(head)
    return chain


def _id(item, position: int) -> object:
    """An entry's id, or a key of its own for an entry without one (kept, and refused by the import)."""
    return item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else ("?", position)
