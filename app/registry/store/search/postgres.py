"""PostgreSQL full-text search: the same contract as FTS5 (words ANDed, last word a prefix, phrases).

Infix search (part of a word or an id) is ILIKE '%...%' over id, title and tags, served by a pg_trgm
GIN index (migration 0007); artifacts only it finds rank after every word match.

User text never reaches to_tsquery as syntax: it is cut into letter/digit tokens (as PostgreSQL's
parser cuts `served@SERVED`, `total_demand` or `what-if`), which are joined with `&`, `<->` and `:*`.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, and_, case, func, literal, literal_column, not_, or_, select, text

from app.registry.store.search.text import (
    CONTROL,
    INFIX_RANK,
    MARK_CLOSE,
    MARK_OPEN,
    OLDER_RANK,
    TOKEN,
    RankedMatch,
    SearchMatch,
    infix_terms,
    mark_substrings,
    render_snippet,
)
from app.registry.store.tables import artifacts

_WORD = re.compile(r"[^\W_]+")
VECTOR = literal_column("artifacts.search_vector")
INFIX_TEXT = artifacts.c.id + " " + artifacts.c.title + " " + artifacts.c.tags_text  # as indexed in 0007
HEADLINE_OPTIONS = f'StartSel="{MARK_OPEN}", StopSel="{MARK_CLOSE}", MaxWords=24, MinWords=8'
HEADLINE_SOURCE = (artifacts.c.title + " " + artifacts.c.description + " " + artifacts.c.tags_text + " "
                   + artifacts.c.search_text + " " + artifacts.c.id)


def tsquery(user_text: str) -> str | None:
    """A to_tsquery('simple', ...) expression for free user text (None when it holds no words)."""
    terms: list[list[str]] = []
    last_is_bare = False
    for phrase, word in TOKEN.findall(CONTROL.sub(" ", user_text or "")):
        tokens = [t.lower() for t in _WORD.findall(phrase if phrase else word)]
        if tokens:
            terms.append(tokens)
            last_is_bare = not phrase
    if not terms:
        return None
    if last_is_bare:
        terms[-1][-1] += ":*"
    return " & ".join("(" + " <-> ".join(tokens) + ")" for tokens in terms)


def like_pattern(term: str) -> str:
    """An ILIKE pattern finding the term anywhere (its own `%`, `_` and `\\` taken literally)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PostgresSearch:
    """A generated, weighted tsvector column with a GIN index (0004) and a trigram index (0007)."""

    def compile(self, user_text: str) -> SearchMatch | None:
        """The tsquery text and the infix patterns for free user text."""
        words = tsquery(user_text)
        return SearchMatch(words, tuple(infix_terms(user_text)) or None) if words else None

    def index_new_rows(self, connection: Connection, first_seq: int) -> None:
        """Nothing to do: the generated column and the expression index follow each row as it is written."""

    def _words(self, match: SearchMatch):
        return VECTOR.op("@@")(func.to_tsquery("simple", match.words))

    def _infix(self, match: SearchMatch):
        return and_(*(INFIX_TEXT.ilike(like_pattern(term), escape="\\") for term in match.infix))

    def _matches(self, match: SearchMatch):
        return self._words(match) if match.infix is None else or_(self._words(match), self._infix(match))

    def matching(self, match: SearchMatch):
        """A subquery of the artifacts.seq that match."""
        return select(artifacts.c.seq).where(self._matches(match))

    def count_driver(self, match: SearchMatch) -> None:
        """None: the planner drives a count from the GIN index or the filters itself."""
        return None

    def infix_count_driver(self, match: SearchMatch) -> None:
        """None: a count covers both kinds of match at once (see count_driver)."""
        return None

    def _rank(self, match: SearchMatch, newer_than: int | None = None):
        words = -func.ts_rank(VECTOR, func.to_tsquery("simple", match.words))
        if newer_than is not None:  # word matches past the ranked newest follow them, newest first
            words = case((artifacts.c.seq > newer_than, words),
                         else_=literal(OLDER_RANK) + literal(OLDER_RANK) / (1.0 + artifacts.c.seq))
        if match.infix is None:
            return words
        closeness = func.word_similarity(literal(" ".join(match.infix)), INFIX_TEXT)
        return case((self._words(match), words), else_=literal(INFIX_RANK) + 1.0 - closeness)

    def rank_floor(self, connection: Connection, match: SearchMatch, newest: int) -> int | None:
        """The seq below the `newest` newest word matches, None when no more than that many match."""
        return connection.execute(select(artifacts.c.seq).where(self._words(match))
                                  .order_by(artifacts.c.seq.desc()).offset(newest).limit(1)).scalar()

    def ranked(self, match: SearchMatch, newer_than: int | None = None):
        """(rowid, rank) of the matches; lower rank is better, as with FTS5's bm25."""
        return (select(artifacts.c.seq.label("rowid"), self._rank(match, newer_than).label("rank"))
                .where(self._matches(match)).subquery("fts"))

    def top(self, connection: Connection, match: SearchMatch, limit: int,
            newer_than: int | None = None) -> list[RankedMatch]:
        """The best `limit` matches as (seq, rank, snippet), best first (lower rank is better)."""
        rank = self._rank(match, newer_than).label("rank")
        if newer_than is None:
            return self._best(match, rank, self._matches(match), limit, connection)
        newest = and_(self._words(match), artifacts.c.seq > newer_than)  # ranked apart: the rest need no ts_rank
        rows = self._best(match, rank, newest, limit, connection)
        if len(rows) < limit:
            rows += self._best(match, rank, and_(self._matches(match), not_(newest)), limit - len(rows), connection)
        return rows

    def _best(self, match: SearchMatch, rank, where, limit: int, connection: Connection) -> list[RankedMatch]:
        best = select(artifacts.c.seq, rank).where(where).order_by(rank, artifacts.c.seq).limit(limit).subquery()
        headline = func.ts_headline("simple", HEADLINE_SOURCE, func.to_tsquery("simple", match.words),
                                    HEADLINE_OPTIONS)
        rows = connection.execute(
            select(best.c.seq, best.c.rank, headline, INFIX_TEXT).join(artifacts, artifacts.c.seq == best.c.seq)
            .order_by(best.c.rank, best.c.seq))
        return [RankedMatch(seq, float(rank), self._snippet(match, rank, raw, plain)) for seq, rank, raw, plain in rows]

    @staticmethod
    def _snippet(match: SearchMatch, rank: float, headline: str, plain: str) -> str:
        """ts_headline marks words; a substring-only match gets its substrings marked here."""
        return mark_substrings(plain, match.infix) if rank >= INFIX_RANK else render_snippet(headline)

    def snippets(self, connection: Connection, match: SearchMatch, seqs: list[int]) -> dict[int, str]:
        """HTML-safe snippets with matches wrapped in <mark>, for a page of rows."""
        if not seqs:
            return {}
        headline = func.ts_headline("simple", HEADLINE_SOURCE, func.to_tsquery("simple", match.words),
                                    HEADLINE_OPTIONS)
        rank = self._rank(match)
        rows = connection.execute(select(artifacts.c.seq, rank, headline, INFIX_TEXT).where(artifacts.c.seq.in_(seqs)))
        return {seq: self._snippet(match, float(value), raw, plain) for seq, value, raw, plain in rows}

    def integrity_check(self, connection: Connection) -> str | None:
        """The tsvector column is generated by PostgreSQL itself; check that it is populated."""
        missing = connection.execute(text("SELECT count(*) FROM artifacts WHERE search_vector IS NULL")).scalar()
        return f"{missing} rows without a search vector" if missing else None
