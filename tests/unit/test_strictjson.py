"""app.strictjson: the fast path (a scan of the text) refuses exactly what the full walk of the value refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.strictjson import MAX_DEPTH, OWN_FILE_DEPTH, NotStrictJSON, check, encode, loads, printable

LEAVES = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70), st.text(max_size=8),
    st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from(["[[{{", '"\\', "caf\u00e9", "\U0001f600", "e999"]),
)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                                          max_size=4), max_leaves=30)


def _nest(value, depth: int):
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def _oracle(value) -> bool:
    try:
        check(value)
    except NotStrictJSON:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(value=VALUES, depth=st.integers(0, MAX_DEPTH + 3), ascii_only=st.booleans())
def test_loads_refuses_exactly_what_the_walk_refuses(value, depth, ascii_only):
    value = _nest(value, depth)
    text = json.dumps(value, ensure_ascii=ascii_only)  # NaN/Infinity written as Python does
    try:
        parsed = loads(text.encode("utf-8", "surrogatepass") if ascii_only else text)
    except NotStrictJSON:
        assert not _oracle(json.loads(text)), text[:200]
    else:
        assert _oracle(parsed) and parsed == json.loads(text), text[:200]


@settings(max_examples=200, deadline=None)
@given(value=VALUES, depth=st.integers(0, MAX_DEPTH + 3))
def test_encode_refuses_exactly_what_the_walk_refuses(value, depth):
    value = _nest(value, depth)
    try:
        text = encode(value)
    except (NotStrictJSON, ValueError):
        assert not _oracle(value)
    else:
        assert _oracle(value) and loads(text) == json.loads(text)


@pytest.mark.parametrize("text", ['"\\ud800"', '{"\\udfff": 1}', "NaN", "[-Infinity]", "1e999", "-1E+400",
                                  "9" * 5000, str(2**64), str(-(2**63) - 1), "[" * 100_000 + "]" * 100_000,
                                  "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_refused(text):
    with pytest.raises(NotStrictJSON):
        loads(text)


@pytest.mark.parametrize("text", ['"\\ud83d\\ude00"', str(2**64 - 1), str(-(2**63)), "1e308", '"[[[["',
                                  "[" * MAX_DEPTH + "]" * MAX_DEPTH, '{"t": "caf\\u00e9"}'])
def test_accepted(text):
    assert loads(text) == json.loads(text)


def test_printable_replaces_lone_surrogates_only():
    assert printable("a\ud800b\U0001f600") == "a\ufffdb\U0001f600"


def test_the_registry_files_leave_room_for_the_documents_they_wrap():
    """A document as deep as a descriptor may be, wrapped in registry-index.json's levels, still reads back."""
    document = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    snapshot = '{"generation": 1, "artifacts": [{"id": "run_x", "metadata": ' + document + "}]}"
    loads(document)  # within the limit on its own
    assert loads(snapshot, max_depth=OWN_FILE_DEPTH)["generation"] == 1
    with pytest.raises(NotStrictJSON):
        loads(snapshot)
    with pytest.raises(NotStrictJSON):
        loads("[" * (OWN_FILE_DEPTH + 1) + "]" * (OWN_FILE_DEPTH + 1), max_depth=OWN_FILE_DEPTH)
