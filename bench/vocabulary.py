"""The bench corpus vocabulary: thousands of real words with their frequencies, and a few hundred tags.

`vocabulary.tsv` (committed; made by make_vocabulary.py from the stdlib's docstrings and comments) holds
words with their counts in real prose, so drawing by count gives Zipf-like frequencies. Tags are 300
of those words with Zipf weights 1/rank. The corpus and the workload draw from the same lists.
"""

from __future__ import annotations

import itertools
import random
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parent / "vocabulary.tsv"
TAG_COUNT = 300
TAG_OFFSET = 40  # tags skip the most generic words ("return", "file", ...) that titles use most


@cache
def words() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(words, counts) most frequent first."""
    pairs = [line.split("\t") for line in FILE.read_text().splitlines() if line and not line.startswith("#")]
    return tuple(w for w, _ in pairs), tuple(int(n) for _, n in pairs)


@cache
def tags() -> tuple[str, ...]:
    """The TAG_COUNT tags, most frequent first."""
    return words()[0][TAG_OFFSET:TAG_OFFSET + TAG_COUNT]


class Zipf:
    """Weighted draws from a ranked list (weights = real counts, or 1/rank)."""

    def __init__(self, items: tuple[str, ...], weights: tuple[float, ...] | None = None):
        self.items = items
        self.cum = list(itertools.accumulate(weights or [1 / (r + 1) for r in range(len(items))]))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        """k draws with replacement."""
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def distinct(self, rng: random.Random, k: int) -> list[str]:
        """k different items, drawn by weight."""
        chosen: list[str] = []
        while len(chosen) < k:
            item = rng.choices(self.items, cum_weights=self.cum)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen


@cache
def word_draws() -> Zipf:
    """Words weighted by their counts in real text."""
    items, counts = words()
    return Zipf(items, counts)


@cache
def tag_draws() -> Zipf:
    """Tags weighted 1/rank."""
    return Zipf(tags())


def common_word() -> str:
    """The most frequent word: the suite's 'common word' probe (about 1 artifact in 10 has it)."""
    return words()[0][0]
