"""Full-text search: one interface, one module per database dialect, chosen by the dialect's name."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

from app.errors import ConfigError
from app.registry.store.pages import CountDriver
from app.registry.store.search.postgres import PostgresSearch
from app.registry.store.search.sqlite_fts5 import SqliteSearch
from app.registry.store.search.text import RankedMatch, SearchMatch


class SearchIndex(Protocol):
    """What the listing needs from a dialect's full-text index (lower rank is a better match)."""

    def compile(self, user_text: str) -> SearchMatch | None:
        """The dialect's match expressions for free user text (None when it holds no words)."""

    def index_new_rows(self, connection: Connection, first_seq: int) -> None:
        """Index the artifacts with seq >= first_seq (the rows this transaction inserted)."""

    def matching(self, match: SearchMatch):
        """A subquery of the artifacts.seq that match, for IN filters and counts."""

    def count_driver(self, match: SearchMatch) -> CountDriver | None:
        """The word matches for a bounded count to walk first (None: count over `matching`)."""

    def infix_count_driver(self, match: SearchMatch) -> CountDriver | None:
        """The matches only the infix index finds, for a bounded count after the word matches (None: none)."""

    def rank_floor(self, connection: Connection, match: SearchMatch, newest: int) -> int | None:
        """The seq below the `newest` newest word matches, None when no more than that many match."""

    def ranked(self, match: SearchMatch, newer_than: int | None = None):
        """A subquery (rowid, rank) of the matching artifacts (word matches only above seq `newer_than`)."""

    def top(self, connection: Connection, match: SearchMatch, limit: int,
            newer_than: int | None = None) -> list[RankedMatch]:
        """The best `limit` matches as (seq, rank, snippet), best first (word matches above `newer_than`)."""

    def snippets(self, connection: Connection, match: SearchMatch, seqs: list[int]) -> dict[int, str]:
        """HTML-safe snippets with matches wrapped in <mark>, for a page of rows."""

    def integrity_check(self, connection: Connection) -> str | None:
        """An error message when the index is damaged, else None."""


_BACKENDS: dict[str, type] = {"sqlite": SqliteSearch, "postgresql": PostgresSearch}


def search_backend(dialect_name: str) -> SearchIndex:
    """The search implementation for a database dialect."""
    backend = _BACKENDS.get(dialect_name)
    if backend is None:
        raise ConfigError(f"full-text search is not available for the {dialect_name} dialect")
    return backend()


__all__ = ["RankedMatch", "SearchIndex", "SearchMatch", "search_backend"]
