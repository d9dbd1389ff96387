"""The event-stream loader builds exactly what PyYAML's SafeLoader builds (for alias-free documents)."""

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.yamlsafe import safe_load

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["010", "0x1f", "1_000", "1:20", "yes", "off", "~", "2025-01-01", "1e3", ".5", "+4", "-0"]),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=25)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_equivalent_to_safe_loader(document, flow):
    text = yaml.safe_dump(document, default_flow_style=flow)
    assert same(safe_load(text), yaml.safe_load(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["010", "0x1f", "1_000", "1:20", "yes", "~", "2025-01-01", "1e3", ".5", "+4",
                                 "-0", "007", "12.50", "0.0", "-3", "x y", "'q'", '"5"']), max_size=8))
def test_plain_scalars_resolve_like_pyyaml(values):
    text = "[" + ", ".join(values) + "]"
    assert same(safe_load(text), yaml.safe_load(text))
