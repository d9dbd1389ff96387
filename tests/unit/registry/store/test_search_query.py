"""User text becomes a safe FTS5 expression; snippets are HTML-escaped."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.registry.store.search.sqlite_fts5 import fts_query
from app.registry.store.search.text import MARK_CLOSE, MARK_OPEN, render_snippet


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
