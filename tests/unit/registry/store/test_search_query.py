"""User text becomes a safe FTS5 expression; snippets are HTML-escaped."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.registry.store.search.sqlite_fts5 import fts_query, infix_query
from app.registry.store.search.text import MARK_CLOSE, MARK_OPEN, infix_terms, mark_substrings, render_snippet


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
