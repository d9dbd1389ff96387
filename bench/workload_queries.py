"""The workload's read and write streams: every read distinct, words and tags drawn Zipf-weighted.

A read is a backend-neutral dict (`Read`); workload_clients.py translates it to our API, Datasette's
JSON API or an in-process ListQuery. No two reads share a filter set (search words, type, tags,
source), so no read meets a totals/facets cache entry an earlier read of the run left behind, and no
query string repeats. Cursor reads page on from an earlier read's result (pages 2-4).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from vocabulary import tag_draws, tags, word_draws

TYPES = ("run", "model", "telemetry")
SOURCES = ("engine", "sim", "import")
SORTS = ("created", "modified", "title", "size")
COMMON_TAGS = 30  # tags ranked below this are "common" (the tag-filter class is split by it)
PAGED_WORD_RANK = 1000  # cursor reads page on from searches of words this frequent (rarer ones rarely fill a page)
# class -> share of the read stream
MIX = {"search_1word": 12, "search_2words": 12, "search_type": 10, "search_facets": 10, "tag_common": 7,
       "tag_rare": 7, "first_page": 6, "series_type": 6, "cursor_page": 16, "get_by_id": 16}
SERIES_NODES = ("arrivals", "served", "capacity", "backlog", "errors", "retries", "demand", "queue_depth")
SERIES_STATS = ("min", "max", "mean", "sum", "last")
CLASSES = tuple(MIX)
PAGED = ("search_1word", "search_2words", "search_type", "tag_common", "first_page")


@dataclass
class Read:
    """One read: a list query (search/type/tags/source/facets/sort/limit), a cursor page, or a get."""

    index: int
    cls: str
    search: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    facets: bool = False
    sort: str | None = None
    order: str | None = None
    limit: int = 50
    series: str | None = None  # series_type: one `<node>.<stat><op><number>` filter (with a type)
    artifact_id: str | None = None
    parent: int | None = None  # cursor_page: the read whose result it pages on from
    pages: int = 0  # cursor_page: how many pages after the parent's first (1-3: pages 2-4)


@dataclass
class Write:
    """One write: retitle/retag an existing artifact, or register a new run (POST /v1/run)."""

    index: int
    kind: str  # "edit" or "run"
    artifact_id: str | None = None
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    seed: int = 0


class _Distinct:
    """Draws that no earlier read used: Zipf-weighted tries first, then the next unused in rank order."""

    def __init__(self):
        self.seen: set[tuple] = set()

    def take(self, make, fallback) -> tuple | None:
        """A key from make() (up to 40 tries) or from the fallback iterator (kept by the caller, so each
        key is looked at once); None when exhausted."""
        for _ in range(40):
            key = make()
            if key not in self.seen:
                self.seen.add(key)
                return key
        for key in fallback:
            if key not in self.seen:
                self.seen.add(key)
                return key
        return None


class ReadStream:
    """Generates the reads of a run (deterministic for a seed and an id pool)."""

    def __init__(self, ids: list[str], seed: int = 23):
        self.rng = random.Random(seed)
        self.ids = self.rng.sample(ids, len(ids))
        self.filters, self.pages = _Distinct(), _Distinct()
        self.words, self.tag_ranks = word_draws(), {t: r for r, t in enumerate(tags())}
        self.word_ranks = {w: r for r, w in enumerate(self.words.items)}
        self.reads: list[Read] = []
        self.next_id = 0
        self.paged_from: set[int] = set()  # reads a cursor read already pages on from
        draws = self.words
        self.fallbacks = {  # unused keys in rank order, for when weighted tries keep hitting used ones
            1: iter([("s", w, None, ()) for w in draws.items]), 2: iter(()),
            "type": iter([("s", w, t, ()) for w in draws.items for t in TYPES]),
            "tag_common": self._tag_keys(tags()[:COMMON_TAGS]), "tag_rare": self._tag_keys(tags()[COMMON_TAGS:]),
        }

    @staticmethod
    def _tag_keys(pool):
        return iter([("t", None, t, (tag,), s) for t in (None, *TYPES) for s in (None, *SOURCES) for tag in pool])

    def _words(self, k: int) -> str | None:
        rng, draws = self.rng, self.words
        key = self.filters.take(lambda: ("s", " ".join(sorted(draws.distinct(rng, k))), None, ()),
                                self.fallbacks[k])
        return key[1] if key else None

    def _one(self, index: int, cls: str) -> Read | None:
        rng = self.rng
        if cls in ("search_1word", "search_2words", "search_facets"):
            words = self._words(1 if cls == "search_1word" or (cls == "search_facets" and rng.random() < 0.5) else 2)
            return words and Read(index, cls, search=words, facets=cls == "search_facets")
        if cls == "search_type":
            key = self.filters.take(lambda: ("s", self.words.draw(rng)[0], rng.choice(TYPES), ()),
                                    self.fallbacks["type"])
            return key and Read(index, cls, search=key[1], type=key[2])
        if cls.startswith("tag_"):
            return self._tag(index, cls)
        if cls == "series_type":
            return self._series(index)
        if cls == "first_page":
            key = self.pages.take(lambda: ("p", rng.choice(SORTS), rng.choice(("asc", "desc")), rng.randint(10, 100)),
                                  ())
            return key and Read(index, cls, sort=key[1], order=key[2], limit=key[3])
        if cls == "get_by_id":
            if self.next_id >= len(self.ids):
                return None
            self.next_id += 1
            return Read(index, cls, artifact_id=self.ids[self.next_id - 1])
        candidates = [r.index for r in self.reads[-400:-8] if r.cls in PAGED and r.index not in self.paged_from
                      and all(self.word_ranks.get(w, 0) < PAGED_WORD_RANK for w in (r.search or "").split())]
        if not candidates:
            return None
        parent = rng.choice(candidates)
        self.paged_from.add(parent)
        return Read(index, cls, parent=parent, pages=rng.randint(1, 3))

    def _series(self, index: int) -> Read | None:
        """A series filter (node, stat, `>` or `<`, a threshold around the corpus' log-normal means) with a type."""
        rng = self.rng

        def make():
            threshold = round(rng.lognormvariate(math.log(20), 1.0) * rng.choice((0.5, 1, 2, 10)), 1)
            return ("f", f"{rng.choice(SERIES_NODES)}.{rng.choice(SERIES_STATS)}{rng.choice(('>', '<'))}{threshold}",
                    "run" if rng.random() < 0.8 else "telemetry")

        key = self.filters.take(make, ())
        return key and Read(index, "series_type", series=key[1], type=key[2])

    def _tag(self, index: int, cls: str) -> Read | None:
        """One tag (common: Zipf-drawn among the top COMMON_TAGS; rare: uniform over the rest), then with
        a type and/or source once the single tags are used up."""
        rng, ranked = self.rng, tags()
        pool = ranked[:COMMON_TAGS] if cls == "tag_common" else ranked[COMMON_TAGS:]

        def make():
            tag = tag_draws().draw(rng)[0] if cls == "tag_common" else rng.choice(pool)
            while (self.tag_ranks[tag] < COMMON_TAGS) != (cls == "tag_common"):
                tag = rng.choice(pool)
            return ("t", None, None, (tag,), None)

        key = self.filters.take(make, self.fallbacks[cls])
        return key and Read(index, cls, type=key[2], tags=list(key[3]), source=key[4])

    def generate(self, count: int) -> list[Read]:
        """`count` reads in the class mix (a class whose distinct space is used up drops out)."""
        mix = dict(MIX)
        while len(self.reads) < count and mix:
            cls = self.rng.choices(list(mix), weights=list(mix.values()))[0]
            read = self._one(len(self.reads), cls)
            if read:
                self.reads.append(read)
            elif cls != "cursor_page" or len(self.reads) > 500:
                mix.pop(cls)
        return self.reads


def write_stream(ids: list[str], count: int, run_share: float, seed: int = 29) -> list[Write]:
    """`count` writes: a run_share of new runs (POST /v1/run, seed = index), the rest retitle + retag edits."""
    rng = random.Random(seed)
    writes = []
    for index in range(count):
        if rng.random() < run_share:
            writes.append(Write(index, "run", seed=1000 + index))
            continue
        words = word_draws().distinct(rng, 3)
        writes.append(Write(index, "edit", artifact_id=rng.choice(ids),
                            title=f"{words[0].title()} {words[1]} {words[2]} (edit {index})",
                            tags=tag_draws().distinct(rng, rng.randint(1, 3))))
    return writes
