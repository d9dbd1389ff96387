"""`details` has one shape: field (dotted for nested ones) -> a non-empty list of human-readable strings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import normalise_details
from tests.helpers import is_details_shape

APP = Path(__file__).resolve().parents[2] / "app"

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
json_ish = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=25,
)


@given(json_ish)
def test_any_nested_value_becomes_fields_to_non_empty_string_lists(value):
    assert is_details_shape(normalise_details(value))


@given(json_ish)
def test_normalising_twice_changes_nothing(value):
    once = normalise_details(value)
    assert normalise_details(once) == once


@pytest.mark.parametrize("raw, expected", [
    (None, {}),
    ({}, {}),
    ({"body": "too deep"}, {"body": ["too deep"]}),
    ({"max_bytes": 1048576, "flag": True}, {"max_bytes": ["1048576"], "flag": ["True"]}),
    ({"cycle": ["a", "b", "a"]}, {"cycle": ["a", "b", "a"]}),
    ({"X-FlowTime-Provenance": {"model": "invalid"}}, {"X-FlowTime-Provenance.model": ["invalid"]}),
    ({"tags": {0: ["Not a valid string."], "1": ["Too long."]}},
     {"tags.0": ["Not a valid string."], "tags.1": ["Too long."]}),
    ({"items": [{"name": ["bad"]}, "also bad"]}, {"items.0.name": ["bad"], "items": ["also bad"]}),
    ({"empty": [], "blank": "  ", "none": None, "nested": {"deeper": []}}, {}),
    ({"body": ["Invalid JSON body."]}, {"body": ["Invalid JSON body."]}),
    ("just a message", {"request": ["just a message"]}),
])
def test_examples(raw, expected):
    assert normalise_details(raw) == expected


def _details_arguments():
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "details":
                        yield f"{path.relative_to(APP.parent)}:{node.lineno}", keyword.value


NOT_A_LIST = (ast.Constant, ast.JoinedStr, ast.Dict, ast.DictComp, ast.BinOp)


def test_raise_sites_give_lists_of_messages_not_bare_values():
    """Every `details={...}` literal in app/ maps a field to a list (the safety net is not the design)."""
    bad = []
    for where, value in _details_arguments():
        if isinstance(value, ast.Dict):
            bad += [f"{where}: {ast.unparse(v)}" for v in value.values if isinstance(v, NOT_A_LIST)]
        elif isinstance(value, ast.DictComp) and isinstance(value.value, NOT_A_LIST):
            bad.append(f"{where}: {ast.unparse(value.value)}")
    assert not bad, "details values must be lists of messages:\n" + "\n".join(bad)
