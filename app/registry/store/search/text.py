"""What both search dialects share: how user text is cut into words, and how snippets are marked."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

TOKEN = re.compile(r'"([^"]*)"|(\S+)')  # a "quoted phrase" or a bare word
HAS_WORD = re.compile(r"[^\W_]")
WORD = re.compile(r"[^\W_]+")  # a token of the unicode61 tokenizer (letters and digits; "_" separates)
MOST_PREFIXED = 200
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Private markers the database puts around matches; only render_snippet turns them into <mark>.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


# Artifacts that only the infix (substring) index finds rank after every word match (word ranks are <= 0):
# in [INFIX_RANK, INFIX_RANK + 1], better substring matches first; their scores are therefore negative.
INFIX_RANK = 1.0
# Word matches older than the ranked newest ones (a search matching more than the listing ranks) follow them,
# newest first, in (OLDER_RANK, 2 * OLDER_RANK): after every ranked word match, before substring-only ones.
OLDER_RANK = 0.5
INFIX_MIN_CHARS = 3  # a trigram index cannot look up shorter substrings


class SearchMatch(NamedTuple):
    """A compiled search: the dialect's word expression, and its infix one (None when a term is too short)."""

    words: str
    infix: str | None


def infix_terms(user_text: str) -> list[str]:
    """The substrings an infix search looks for: each word or phrase; [] if any is shorter than 3 characters."""
    terms = []
    for phrase, word in TOKEN.findall(CONTROL.sub(" ", user_text or "")):
        value = (phrase if phrase else word.replace('"', "")).strip()
        if not HAS_WORD.search(value):
            continue
        if len(value) < INFIX_MIN_CHARS:
            return []
        terms.append(value)
    return terms


class RankedMatch(NamedTuple):
    """One of the best matches of a search: its row, its rank (lower is better) and its snippet (None: not made)."""

    seq: int
    rank: float
    snippet: str | None


def fold(text: str) -> str:
    """Lower case without diacritics, as the unicode61 tokenizer (remove_diacritics 2) compares words."""
    decomposed = unicodedata.normalize("NFD", text)  # not NFKD: unicode61 keeps "²" apart from "2"
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_plain_word(text: str) -> bool:
    """True when `text` is one word as the unicode61 tokenizer cuts them (letters and digits)."""
    return bool(WORD.fullmatch(text)) and bool(fold(text))


def prefixed_words(texts, prefix: str, most: int = MOST_PREFIXED) -> list[str]:
    """The distinct words of `texts` that start with the one word `prefix`, folded ([] if it is not one word)."""
    if not is_plain_word(prefix):
        return []
    folded = fold(prefix)
    # The words as the text has them (FTS5 tokenizes a query term as it tokenized the text), compared folded.
    words = {word for text in texts for word in WORD.findall(text) if fold(word).startswith(folded)}
    return sorted(words)[:most]


def mark_substrings(text: str, terms) -> str:
    """An HTML-safe snippet of `text` with every case-insensitive occurrence of the terms in <mark>."""
    if not terms:
        return html.escape(text, quote=True)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    marked = pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, CONTROL.sub(" ", text))
    return render_snippet(marked)


def render_snippet(raw: str | None) -> str:
    """Escape a raw snippet and turn the private markers into <mark> tags."""
    escaped = html.escape(raw or "", quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
