"""The `series=` expression parser: what it accepts round-trips, anything else is a ValueError (never a crash)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.registry.store.series import OPERATORS, STATS, SeriesFilter, parse_filter, parse_sort, stat_rows

NODES = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,40}", fullmatch=True)
NUMBERS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(NODES, st.sampled_from(STATS), st.sampled_from(OPERATORS), NUMBERS)
def test_well_formed_expressions_round_trip(node, stat, op, number):
    assert parse_filter(f"{node}.{stat}{op}{number!r}") == SeriesFilter(node, stat, op, number)


@given(st.text(max_size=80))
def test_any_text_parses_or_is_a_value_error(text):
    try:
        parsed = parse_filter(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert parsed.stat in STATS and parsed.op in OPERATORS and math.isfinite(parsed.value)
    assert f"{parsed.node}.{parsed.stat}" in text


@pytest.mark.parametrize("text, problem", [
    ("served.max>nan", "not a number"), ("served.max>1e400", "finite"), ("served.median>1", "unknown stat"),
    ("served>1", "<node>.<stat>"), ("served.max", "<node>.<stat><op>"), ("served.max>0x10", "not a number"),
    ("serv ed.max>1", "<node>.<stat>"), ("served.max>1_000", "not a number"),
])
def test_malformed_expressions_say_why(text, problem):
    with pytest.raises(ValueError, match=problem.replace("<", ".").replace(">", ".")):
        parse_filter(text)


def test_sort_keys():
    assert parse_sort("created") is None and parse_sort("series:served.mean") == ("served", "mean")
    with pytest.raises(ValueError):
        parse_sort("series:served.median")


def test_only_finite_numbers_become_rows():
    rows = stat_rows(7, {"served": {"points": 2, "min": 1, "max": float("inf"), "mean": None, "last": True}})
    assert rows == [(7, "served", "points", 2.0), (7, "served", "min", 1.0)]
