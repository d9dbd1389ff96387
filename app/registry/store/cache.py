"""Values computed once per registry snapshot (epoch, generation): exact, never stale.

Each registry context owns one cache, so two apps in one process (or two tests) never share entries.
The cache is bounded twice: by entries and by the approximate size in bytes of what it holds.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
DEFAULT_ENTRIES = 4096
DEFAULT_BYTES = 64 * 1024 * 1024
SIZED_ITEMS = 32


def approx_size(value, depth: int = 0) -> int:
    """Roughly how many bytes a value holds (containers of strings and numbers, a few levels deep).

    A long container is sized from its first SIZED_ITEMS items: a 4,096-row ranked window walked item by
    item cost more than ranking it."""
    size = sys.getsizeof(value)
    if depth > 4:
        return size
    if isinstance(value, dict):
        pairs = list(islice(value.items(), SIZED_ITEMS))
        measured = sum(approx_size(k, depth + 1) + approx_size(v, depth + 1) for k, v in pairs)
    elif isinstance(value, list | tuple | set | frozenset):
        pairs = list(islice(value, SIZED_ITEMS))
        measured = sum(approx_size(item, depth + 1) for item in pairs)
    else:
        return size
    return size + (measured * len(value) // len(pairs) if pairs else 0)


class SnapshotCache:
    """A bounded LRU of values keyed by (snapshot, key); a new snapshot never matches an old entry."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict = OrderedDict()  # full key -> (value, size)
        self._lock = threading.Lock()

    def get(self, snapshot: tuple, key: tuple, compute: Callable[[], T]) -> T:
        """The cached value for key at this snapshot, computed (outside the lock) when missing."""
        full_key = (snapshot, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key][0]
        value = compute()
        size = approx_size(value) + approx_size(key)
        if size > self.max_bytes:
            return value  # never worth evicting everything else for
        with self._lock:
            previous = self._entries.pop(full_key, None)
            if previous is not None:
                self.bytes -= previous[1]
            self._entries[full_key] = (value, size)
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted
        return value

    def bound(self, snapshot: tuple) -> Callable[[tuple, Callable[[], T]], T]:
        """get() with the snapshot filled in."""
        return partial(self.get, snapshot)

    def __len__(self) -> int:
        return len(self._entries)
