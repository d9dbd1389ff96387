"""SQLite FTS5 full-text search: an external-content index over the artifacts table.

User text is never passed to FTS5 as syntax: each word becomes a quoted string (so `AND`, `-x`, `*`,
`:` and stray quotes are literal text), words are ANDed, the last bare word matches as a prefix
(search as you type) and `"..."` keeps a phrase.
"""

from __future__ import annotations

from sqlalchemy import Connection, column, literal_column, select, table, text

from app.registry.store.search.text import (
    CONTROL,
    HAS_WORD,
    MARK_CLOSE,
    MARK_OPEN,
    TOKEN,
    RankedMatch,
    render_snippet,
)

# bm25 column weights: id, title, description, tags_text, search_text.
BM25_WEIGHTS = "10.0, 8.0, 2.0, 5.0, 1.0"
FTS_COLUMNS = "id, title, description, tags_text, search_text"


def fts_query(user_text: str) -> str | None:
    """Translate free user text into a safe FTS5 MATCH expression (None when it holds no words)."""
    parts: list[str] = []
    last_is_bare = False
    cleaned = CONTROL.sub(" ", user_text or "")
    for phrase, word in TOKEN.findall(cleaned):
        value = phrase if phrase else word.replace('"', "")
        if not HAS_WORD.search(value):
            continue
        parts.append('"' + value.replace('"', '""') + '"')
        last_is_bare = not phrase
    if not parts:
        return None
    if last_is_bare:
        parts[-1] += "*"
    return " ".join(parts)


class SqliteSearch:
    """FTS5 external-content index `artifacts_fts` (rowid = artifacts.seq).

    Updates and deletes reach it through triggers; inserts through index_new_rows, once per batch.
    """

    fts = table("artifacts_fts", column("rowid"))

    def index_new_rows(self, connection: Connection, first_seq: int) -> None:
        """Add the artifacts with seq >= first_seq to the index (the rows this transaction inserted)."""
        connection.execute(
            text(f"INSERT INTO artifacts_fts(rowid, {FTS_COLUMNS}) "
                 f"SELECT seq, {FTS_COLUMNS} FROM artifacts WHERE seq >= :first"),
            {"first": first_seq},
        )

    def compile(self, user_text: str) -> str | None:
        """The MATCH expression for free user text (None when it holds no words)."""
        return fts_query(user_text)

    def matching(self, match: str):
        """A subquery of the rowids (artifacts.seq) that match, for IN filters and counts."""
        return (select(literal_column("rowid")).select_from(self.fts)
                .where(literal_column("artifacts_fts").op("MATCH")(match)))

    def ranked(self, match: str):
        """A subquery (rowid, rank) of the matching artifacts; lower rank is a better match."""
        return (
            select(literal_column("rowid").label("rowid"),
                   literal_column(f"bm25(artifacts_fts, {BM25_WEIGHTS})").label("rank"))
            .select_from(self.fts)
            .where(literal_column("artifacts_fts").op("MATCH")(match))
            .subquery("fts")
        )

    def top(self, connection: Connection, match: str, limit: int) -> list[RankedMatch]:
        """The best `limit` matches as (rowid, rank, snippet), best first, ranked inside the index."""
        rows = connection.execute(
            text(
                f"SELECT rowid, bm25(artifacts_fts, {BM25_WEIGHTS}) AS rank, "
                f"snippet(artifacts_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 16) "
                "FROM artifacts_fts WHERE artifacts_fts MATCH :match ORDER BY rank LIMIT :limit"
            ),
            {"match": match, "limit": limit},
        )
        return [RankedMatch(rowid, rank, render_snippet(raw)) for rowid, rank, raw in rows]

    def snippets(self, connection: Connection, match: str, seqs: list[int]) -> dict[int, str]:
        """HTML-safe snippets with matches wrapped in <mark>, for a page of rows."""
        if not seqs:
            return {}
        placeholders = ",".join(str(int(s)) for s in seqs)
        rows = connection.execute(
            text(
                f"SELECT rowid, snippet(artifacts_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 16) "
                f"FROM artifacts_fts WHERE artifacts_fts MATCH :match AND rowid IN ({placeholders})"
            ),
            {"match": match},
        )
        return {rowid: render_snippet(raw) for rowid, raw in rows}

    def integrity_check(self, connection: Connection) -> str | None:
        """Run FTS5's own integrity check; returns an error message or None."""
        try:
            connection.exec_driver_sql(
                "INSERT INTO artifacts_fts(artifacts_fts, rank) VALUES('integrity-check', 1)"
            )
        except Exception as exc:  # the driver raises a DatabaseError describing the corruption
            return str(exc)
        return None
