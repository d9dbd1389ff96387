"""The start-up check of registry-index.json reads its first and last bytes, and still finds every cut."""

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from app.registry.mirror import INDEX_NAME, index_is_whole, write_index
from tests.conftest import make_app
from tests.helpers import write_run


def _exported(data_dir, runs: int) -> tuple:
    for n in range(runs):
        write_run(data_dir, f"run_20250101T00000{n}Z_0000000{n}", title=f"Run ü \\u{n} ]\n}}\n")
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    ctx.mirror.close()
    write_index(ctx.db, ctx.storage)
    return ctx, ctx.storage.read_bytes(INDEX_NAME)


def test_a_written_snapshot_is_whole_with_and_without_artifacts(data_dir):
    ctx, _ = _exported(data_dir, 0)
    assert index_is_whole(ctx.storage)
    ctx.close()


def _parses(text: bytes) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def test_a_prefix_of_a_snapshot_is_whole_exactly_when_it_parses(data_dir):
    ctx, whole = _exported(data_dir, 3)

    @settings(max_examples=150, deadline=None)
    @given(cut=st.integers(min_value=0, max_value=len(whole) - 1))
    def prefix_is_whole_when_it_parses(cut):
        ctx.storage.write_bytes(INDEX_NAME, whole[:cut])
        assert index_is_whole(ctx.storage) == _parses(whole[:cut])  # only the last newline may go

    prefix_is_whole_when_it_parses()
    ctx.storage.write_bytes(INDEX_NAME, whole)
    assert index_is_whole(ctx.storage)
    ctx.close()


def test_garbage_and_other_shapes_are_not_whole_and_a_dotnet_index_is(sample_data_dir):
    ctx = make_app(sample_data_dir).extensions["flowtime"]
    assert index_is_whole(ctx.storage)  # the .NET engine's own index, parsed in full
    for damaged in (os.urandom(4096), b"", b"[1, 2, 3]", b'{"version": "1.0.0", "generation": 3, "artifacts": ['):
        ctx.storage.write_bytes(INDEX_NAME, damaged)
        assert not index_is_whole(ctx.storage)
    ctx.close()
