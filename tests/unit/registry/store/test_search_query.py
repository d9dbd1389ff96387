"""User text becomes a safe FTS5 expression; snippets are HTML-escaped."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.registry.store.search.sqlite_fts5 import expand_last_word, fts_query, infix_query
from app.registry.store.search.text import (
    MARK_CLOSE,
    MARK_OPEN,
    infix_terms,
    mark_substrings,
    prefixed_words,
    render_snippet,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capacity", '"capacity"*'),
        ("capacity check", '"capacity" "check"*'),
        ('"shift carry" study', '"shift carry" "study"*'),
        ('study "shift carry"', '"study" "shift carry"'),
        ("AND OR NOT", '"AND" "OR" "NOT"*'),
        ("-x", '"-x"*'),
        ("a:b", '"a:b"*'),
        ('say "unbalanced', '"say" "unbalanced"*'),
        ("*", None),
        ("", None),
        ("   ", None),
        ("---", None),
    ],
)
def test_translation(text, expected):
    assert fts_query(text) == expected


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_valid_fts5_syntax(text):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('capacity check for shift carry')")
    match = fts_query(text)
    if match is not None:
        db.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()


def test_snippet_is_escaped_and_marked():
    raw = f"<b>{MARK_OPEN}cap{MARK_CLOSE}</b> & more"
    assert render_snippet(raw) == "&lt;b&gt;<mark>cap</mark>&lt;/b&gt; &amp; more"


@pytest.mark.parametrize(("text", "terms"), [
    ("lamp", ["lamp"]),
    ('clamp "demand study"', ["clamp", "demand study"]),
    ("run_2025 0bc", ["run_2025", "0bc"]),
    ("ab", []),  # a trigram index cannot look up fewer than three characters
    ("lamp ab", []),  # every term must be searchable, or the infix part would over-match
    ("--- ***", []),
    ("\x00lamp\x1f", ["lamp"]),
])
def test_infix_terms(text, terms):
    assert infix_terms(text) == terms


def test_infix_query_quotes_every_term():
    assert infix_query("clamp check") == '"clamp" "check"'
    assert infix_query('"it\'s a"') == '"it\'s a"'
    assert infix_query('ab"cd') == '"abcd"'  # stray quotes are dropped from bare words, as for words
    assert infix_query('say "x" now') is None


def test_infix_text_is_always_a_literal_for_fts5():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
    connection.execute("INSERT INTO t VALUES ('x AND y NEAR(z) col:umn \"q\" *')")
    for text in ["AND y", "NEAR(z)", "col:umn", '\\"q', "* ", "OR NOT"]:
        expression = infix_query(text)
        if expression is not None:
            connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


def test_mark_substrings_escapes_and_marks_every_case():
    assert mark_substrings("Capacity <clamp> CLAMP", ["lamp"]) == "Capacity &lt;c<mark>lamp</mark>&gt; C<mark>LAMP</mark>"
    assert mark_substrings("a\x02b\x03c", ["b"]) == "a <mark>b</mark> c"  # markers in the text cannot forge marks


@pytest.mark.parametrize(("texts", "prefix", "words"), [
    (["Argument args arg_max", "argue"], "arg", ["Argument", "arg", "args", "argue"]),  # "_" separates words
    (["Über überall", "uber"], "Üb", ["uber", "Über", "überall"]),  # compared folded, as unicode61 does
    (["capacity"], "cap-", []),  # not one plain word: the prefix query is used instead
    (["nothing here"], "zz", []),
])
def test_prefixed_words(texts, prefix, words):
    assert prefixed_words(texts, prefix) == words


def test_prefixed_words_are_bounded():
    assert len(prefixed_words([" ".join(f"w{i}" for i in range(1000))], "w", most=50)) == 50


PLAIN = st.text(alphabet="abcABCéÉü0123 _-.", max_size=30)


def _rows(texts: list[str], expression: str) -> set[int]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(a) VALUES (?)", [(value,) for value in texts])
    return {row for (row,) in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,))}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.lists(st.text(max_size=40), max_size=4))
def test_an_expanded_prefix_is_valid_fts5_and_finds_no_row_the_prefix_does_not(text, texts):
    words = fts_query(text)
    expanded = expand_last_word(words[:-1], texts) if words and words.endswith("*") else None
    if expanded is not None:  # rows it misses (words Python and unicode61 cut apart differently) get the prefix
        assert _rows(texts, expanded) <= _rows(texts, words)


@settings(max_examples=300, deadline=None)
@given(PLAIN, st.lists(PLAIN, max_size=4))
def test_an_expanded_prefix_finds_what_the_prefix_finds_in_plain_text(text, texts):
    words = fts_query(text)
    expanded = expand_last_word(words[:-1], texts) if words and words.endswith("*") else None
    if expanded is not None:
        assert _rows(texts, expanded) == _rows(texts, words)
