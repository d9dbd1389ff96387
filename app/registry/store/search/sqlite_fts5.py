"""SQLite FTS5 full-text search: two external-content indexes over the artifacts table.

`artifacts_fts` (unicode61 words, ranked by bm25) answers word and prefix queries; `artifacts_infix`
(the trigram tokenizer over id, title and tags) finds part of a word or of an id, as FlowTime's
substring search does. Word matches rank first; artifacts only the infix index finds follow them.

User text is never passed to FTS5 as syntax: each word becomes a quoted string (so `AND`, `-x`, `*`,
`:` and stray quotes are literal text), words are ANDed, the last bare word matches as a prefix
(search as you type) and `"..."` keeps a phrase.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, column, literal_column, select, table, text, union, union_all

from app.registry.store.pages import CountDriver
from app.registry.store.search.text import (
    CONTROL,
    HAS_WORD,
    INFIX_RANK,
    MARK_CLOSE,
    MARK_OPEN,
    OLDER_RANK,
    TOKEN,
    RankedMatch,
    SearchMatch,
    infix_terms,
    is_plain_word,
    prefixed_words,
    render_snippet,
)
from app.registry.store.tables import artifacts

# bm25 column weights: id, title, description, tags_text, search_text.
BM25_WEIGHTS = "10.0, 8.0, 2.0, 5.0, 1.0"
FTS_COLUMNS = "id, title, description, tags_text, search_text"
INFIX_COLUMNS = "id, title, tags_text"
OLDER_SCORE = f"({OLDER_RANK} + {OLDER_RANK} / (1.0 + rowid))"  # in (OLDER_RANK, 2 * OLDER_RANK), newest first
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


def expand_last_word(exact: str, texts: list[str]) -> str | None:
    """`exact` (a query whose last word was a prefix) with that word replaced by (t1 OR t2 ...), the words of
    `texts` it is a prefix of; None when it is not one plain word or no such word is there."""
    head, _, prefix = exact[:-1].rpartition('"')  # a bare last word holds no quotes
    terms = prefixed_words(texts, prefix)
    if not terms:
        return None
    group = "(" + " OR ".join('"' + term + '"' for term in terms) + ")"
    return f"{head}AND {group}" if head.strip() else group  # FTS5 wants an explicit AND before a group


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

    def infix_count_driver(self, match: SearchMatch) -> CountDriver | None:
        """The substring-only matches in rowid order: counted after the word matches, they need no union of both
        (materialising it cost 118 ms of a two-word search's 190 at 1M)."""
        return CountDriver(self.infix, self.infix.c.rowid, self._infix_only(match)) if match.infix else None

    def rank_floor(self, connection: Connection, match: SearchMatch, newest: int) -> int | None:
        """The rowid below the `newest` newest word matches (FTS5 walks them by rowid), None if no more match."""
        return connection.execute(
            text("SELECT rowid FROM artifacts_fts WHERE artifacts_fts MATCH :match ORDER BY rowid DESC "
                 "LIMIT 1 OFFSET :newest"), {"match": match.words, "newest": newest}).scalar()

    def ranked(self, match: SearchMatch, newer_than: int | None = None):
        """A subquery (rowid, rank) of the matching artifacts; lower rank is a better match."""
        score = f"bm25(artifacts_fts, {BM25_WEIGHTS})"
        if newer_than is not None:  # word matches past the ranked newest follow them, newest first (no bm25)
            score = f"CASE WHEN rowid > {int(newer_than)} THEN {score} ELSE {OLDER_SCORE} END"
        words = (select(literal_column("rowid").label("rowid"), literal_column(score).label("rank"))
                 .select_from(self.fts).where(literal_column("artifacts_fts").op("MATCH")(match.words)))
        if match.infix is None:
            return words.subquery("fts")
        infix = (select(literal_column("rowid").label("rowid"),
                        literal_column(INFIX_SCORE).label("rank"))
                 .select_from(self.infix).where(*self._infix_only(match)))
        return union_all(words, infix).subquery("fts")

    def top(self, connection: Connection, match: SearchMatch, limit: int,
            newer_than: int | None = None) -> list[RankedMatch]:
        """The best `limit` matches as (rowid, rank, snippet None), best first, ranked inside the indexes.

        No snippet here: SQLite computes every result column of each row before the sort, so a snippet
        in this query would be built for every match, not for the page (`snippets` builds the page's).
        """
        rows = connection.execute(
            text(f"SELECT rowid, bm25(artifacts_fts, {BM25_WEIGHTS}) AS rank "
                 "FROM artifacts_fts WHERE artifacts_fts MATCH :match AND rowid > :floor ORDER BY rank LIMIT :limit"),
            {"match": match.words, "limit": limit, "floor": -1 if newer_than is None else newer_than},
        ).all()
        if newer_than is not None and len(rows) < limit:  # then the older word matches, newest first
            rows += connection.execute(
                text(f"SELECT rowid, {OLDER_SCORE} AS rank FROM artifacts_fts WHERE artifacts_fts MATCH :match "
                     "AND rowid <= :floor ORDER BY rowid DESC LIMIT :limit"),
                {"match": match.words, "limit": limit - len(rows), "floor": newer_than},
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
        of a millisecond), the last word as the words of each row it is a prefix of (`_expanded`), the
        prefix query for word matches still without one, then the infix index.
        """
        found: dict[int, str] = {}
        exact = match.words[:-1] if match.words.endswith("*") else None
        groups, unworded = [], set()
        if exact:
            found.update(self._marked(connection, "artifacts_fts", exact, seqs))
            groups, unworded = self._expanded(connection, exact, [s for s in seqs if s not in found])
        for expression, rows in groups:
            found.update(self._marked(connection, "artifacts_fts", expression, rows))
        # Rows holding no word the prefix starts with are substring-only matches: the prefix query would
        # only walk its doclists for them (100 ms for a page).
        for index, expression, skip in (("artifacts_fts", match.words, unworded),
                                        ("artifacts_infix", match.infix, set())):
            rows = [s for s in seqs if s not in found and s not in skip]
            if rows and expression:
                found.update(self._marked(connection, index, expression, rows))
        return found

    @staticmethod
    def _marked(connection: Connection, index: str, expression: str, seqs: list[int]) -> dict[int, str]:
        listed = ",".join(str(int(s)) for s in seqs)
        if expression.endswith("*"):
            # A prefix query set up once over the rows' rowid range (`+rowid` keeps the list out of FTS5's
            # hands), not once per rowid of the list: 9 ms a row for a common prefix.
            where = f"rowid BETWEEN {min(seqs)} AND {max(seqs)} AND +rowid IN ({listed})"
        else:
            where = f"rowid IN ({listed})"
        rows = connection.execute(
            text(f"SELECT rowid, snippet({index}, -1, {SNIPPET}) FROM {index} WHERE {index} MATCH :match AND {where}"),
            {"match": expression},
        )
        return {rowid: render_snippet(raw) for rowid, raw in rows}

    @staticmethod
    def _expanded(connection: Connection, exact: str, seqs: list[int]) -> tuple[list[tuple[str, list[int]]], set]:
        """(groups of (expression, rows), the rows holding no word the last word is a prefix of).

        Per row, `exact` with its last word as the words of that row it is a prefix of (`expand_last_word`);
        rows sharing an expression share a query. One OR group for every row of a page held 200 terms, each
        looked up for each row: 100 ms. Nothing when the last word is not one plain word."""
        if not seqs or not is_plain_word(exact[:-1].rpartition('"')[2]):
            return [], set()
        texts = connection.execute(
            select(artifacts.c.seq, artifacts.c.id, artifacts.c.title, artifacts.c.description,
                   artifacts.c.tags_text, artifacts.c.search_text).where(artifacts.c.seq.in_(seqs))).all()
        groups: dict[str, list[int]] = defaultdict(list)
        unworded = set()
        for seq, *values in texts:
            expression = expand_last_word(exact, [value for value in values if value])
            if expression is None:
                unworded.add(seq)
            else:
                groups[expression].append(seq)
        return list(groups.items()), unworded

    def integrity_check(self, connection: Connection) -> str | None:
        """Run FTS5's own integrity check on both indexes; returns an error message or None."""
        for index in ("artifacts_fts", "artifacts_infix"):
            try:
                connection.exec_driver_sql(f"INSERT INTO {index}({index}, rank) VALUES('integrity-check', 1)")
            except Exception as exc:  # the driver raises a DatabaseError describing the corruption
                return f"{index}: {exc}"
        return None
