"""The cache's byte accounting sizes long containers from their first items, close to a full walk."""

import sys

import pytest

from app.registry.store.cache import SIZED_ITEMS, approx_size


def _walked(value) -> int:
    """Every item, as approx_size measured before it sampled."""
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        return size + sum(_walked(k) + _walked(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return size + sum(_walked(item) for item in value)
    return size


@pytest.mark.parametrize("value", [
    [(seq, -float(seq) / 7, None) for seq in range(4096)],  # a ranked window
    {f"tag-{i}": [{"value": f"v{i}", "count": i}] for i in range(500)},  # facets
    [(1, "a"), (2, "b")],
    [],
])
def test_sampled_size_is_close_to_the_walked_size(value):
    assert abs(approx_size(value) - _walked(value)) <= 0.1 * _walked(value)


def test_long_containers_are_not_walked_item_by_item():
    sized = []

    class Spy(tuple):
        def __sizeof__(self):
            sized.append(1)
            return super().__sizeof__()

    approx_size([Spy((i,)) for i in range(10_000)])
    assert len(sized) == SIZED_ITEMS
