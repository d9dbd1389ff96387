"""Values computed once per registry snapshot (epoch, generation): exact, never stale.

Each registry context owns one cache, so two apps in one process (or two tests) never share entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import TypeVar

T = TypeVar("T")
DEFAULT_ENTRIES = 4096


class SnapshotCache:
    """A bounded LRU of values keyed by (snapshot, key); a new snapshot never matches an old entry."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot: tuple, key: tuple, compute: Callable[[], T]) -> T:
        """The cached value for key at this snapshot, computed (outside the lock) when missing."""
        full_key = (snapshot, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        value = compute()
        with self._lock:
            self._entries[full_key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def bound(self, snapshot: tuple) -> Callable[[tuple, Callable[[], T]], T]:
        """get() with the snapshot filled in."""
        return partial(self.get, snapshot)

    def __len__(self) -> int:
        return len(self._entries)
