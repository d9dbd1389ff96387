"""SQLite FTS5 full-text search: two external-content indexes over the artifacts table.

`artifacts_fts` (unicode61 words, ranked by bm25) answers word and prefix queries; `artifacts_infix`
(the trigram tokenizer over id, title and tags) finds part of a word or of an id, as FlowTime's
substring search does. Word matches rank first; artifacts only the infix index finds follow them.

User text is never passed to FTS5 as syntax: each word becomes a quoted string (so `AND`, `-x`, `*`,
`:` and stray quotes are literal text), words are ANDed, the last bare word matches as a prefix
(search as you type) and `"..."` keeps a phrase.
"""

from __future__ import annotations

from sqlalchemy import Connection, column, literal_column, select, table, text, union, union_all

from app.registry.store.pages import CountDriver
from app.registry.store.search.text import (
    CONTROL,
    HAS_WORD,
    INFIX_RANK,
    MARK_CLOSE,
    MARK_OPEN,
    TOKEN,
    RankedMatch,
    SearchMatch,
    infix_terms,
    render_snippet,
)

# bm25 column weights: id, title, description, tags_text, search_text.
BM25_WEIGHTS = "10.0, 8.0, 2.0, 5.0, 1.0"
FTS_COLUMNS = "id, title, description, tags_text, search_text"
INFIX_COLUMNS = "id, title, tags_text"
INFIX_SCORE = f"({INFIX_RANK} + 1.0 / (1.0 - bm25(artifacts_infix)))"  # bm25 < 0: in (1, 2]
SNIPPET = f"'{MARK_OPEN}', '{MARK_CLOSE}', '…', 16"


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


def infix_query(user_text: str) -> str | None:
    """The trigram MATCH expression (each term a quoted substring, ANDed); None if a term is too short."""
    terms = infix_terms(user_text)
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms) if terms else None


class SqliteSearch:
    """FTS5 indexes `artifacts_fts` and `artifacts_infix` (rowid = artifacts.seq).

    Updates and deletes reach them through triggers; inserts through index_new_rows, once per batch.
    """

    fts = table("artifacts_fts", column("rowid"))
    infix = table("artifacts_infix", column("rowid"))

    def index_new_rows(self, connection: Connection, first_seq: int) -> None:
        """Add the artifacts with seq >= first_seq to both indexes (the rows this transaction inserted)."""
        for index, columns in (("artifacts_fts", FTS_COLUMNS), ("artifacts_infix", INFIX_COLUMNS)):
            connection.execute(
                text(f"INSERT INTO {index}(rowid, {columns}) SELECT seq, {columns} FROM artifacts WHERE seq >= :first"),
                {"first": first_seq},
            )

    def compile(self, user_text: str) -> SearchMatch | None:
        """The MATCH expressions for free user text (None when it holds no words)."""
        words = fts_query(user_text)
        return SearchMatch(words, infix_query(user_text)) if words else None

    def _word_rows(self, match: SearchMatch):
        return select(literal_column("rowid")).select_from(self.fts).where(
            literal_column("artifacts_fts").op("MATCH")(match.words))

    def _infix_only(self, match: SearchMatch):
        return (literal_column("artifacts_infix").op("MATCH")(match.infix),
                literal_column("rowid").not_in(self._word_rows(match)))

    def matching(self, match: SearchMatch):
        """A subquery of the rowids (artifacts.seq) that match, for IN filters and counts."""
        if match.infix is None:
            return self._word_rows(match)
        infix = select(literal_column("rowid")).select_from(self.infix).where(
            literal_column("artifacts_infix").op("MATCH")(match.infix))
        return union(self._word_rows(match), infix)

    def count_driver(self, match: SearchMatch) -> CountDriver:
        """The word matches in rowid order (FTS5 streams them), for a bounded count to walk."""
        return CountDriver(self.fts, self.fts.c.rowid, (literal_column("artifacts_fts").op("MATCH")(match.words),))

    def ranked(self, match: SearchMatch):
        """A subquery (rowid, rank) of the matching artifacts; lower rank is a better match."""
        words = (select(literal_column("rowid").label("rowid"),
                        literal_column(f"bm25(artifacts_fts, {BM25_WEIGHTS})").label("rank"))
                 .select_from(self.fts).where(literal_column("artifacts_fts").op("MATCH")(match.words)))
        if match.infix is None:
            return words.subquery("fts")
        infix = (select(literal_column("rowid").label("rowid"),
                        literal_column(INFIX_SCORE).label("rank"))
                 .select_from(self.infix).where(*self._infix_only(match)))
        return union_all(words, infix).subquery("fts")

    def top(self, connection: Connection, match: SearchMatch, limit: int) -> list[RankedMatch]:
        """The best `limit` matches as (rowid, rank, snippet None), best first, ranked inside the indexes.

        No snippet here: SQLite computes every result column of each row before the sort, so a snippet
        in this query would be built for every match, not for the page (`snippets` builds the page's).
        """
        rows = connection.execute(
            text(f"SELECT rowid, bm25(artifacts_fts, {BM25_WEIGHTS}) AS rank "
                 "FROM artifacts_fts WHERE artifacts_fts MATCH :match ORDER BY rank LIMIT :limit"),
            {"match": match.words, "limit": limit},
        ).all()
        if len(rows) == limit or match.infix is None:
            return [RankedMatch(rowid, rank, None) for rowid, rank in rows]
        infix = connection.execute(
            text(f"SELECT rowid, {INFIX_SCORE} AS rank "
                 "FROM artifacts_infix WHERE artifacts_infix MATCH :infix AND rowid NOT IN "
                 "(SELECT rowid FROM artifacts_fts WHERE artifacts_fts MATCH :match) ORDER BY rank LIMIT :limit"),
            {"match": match.words, "infix": match.infix, "limit": limit - len(rows)},
        ).all()
        return [RankedMatch(rowid, rank, None) for rowid, rank in [*rows, *infix]]

    def snippets(self, connection: Connection, match: SearchMatch, seqs: list[int]) -> dict[int, str]:
        """HTML-safe snippets with matches wrapped in <mark>, for a page of rows.

        Tried in turn: the words without the last word's prefix `*` (a snippet of a prefix query walks the
        doclists of every term the prefix expands to: about 9 ms a row for a common prefix, against a tenth
        of a millisecond), the prefix query for rows only it matches, then the infix index.
        """
        found: dict[int, str] = {}
        exact = match.words[:-1] if match.words.endswith("*") else None
        for index, expression in (("artifacts_fts", exact), ("artifacts_fts", match.words),
                                  ("artifacts_infix", match.infix)):
            missing = [int(s) for s in seqs if s not in found]
            if not missing or expression is None:
                continue
            rows = connection.execute(
                text(f"SELECT rowid, snippet({index}, -1, {SNIPPET}) FROM {index} WHERE {index} MATCH :match "
                     f"AND rowid IN ({','.join(str(s) for s in missing)})"),
                {"match": expression},
            )
            found.update((rowid, render_snippet(raw)) for rowid, raw in rows)
        return found

    def integrity_check(self, connection: Connection) -> str | None:
        """Run FTS5's own integrity check on both indexes; returns an error message or None."""
        for index in ("artifacts_fts", "artifacts_infix"):
            try:
                connection.exec_driver_sql(f"INSERT INTO {index}({index}, rank) VALUES('integrity-check', 1)")
            except Exception as exc:  # the driver raises a DatabaseError describing the corruption
                return f"{index}: {exc}"
        return None
