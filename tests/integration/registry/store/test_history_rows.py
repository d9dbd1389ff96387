"""Edit-history entries read back from a snapshot or journal: whatever they hold, only well-formed ones are kept."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.registry.store.history import all_history, restore_history
from tests.conftest import make_app

ARTIFACT = "run_20250101T000000Z_00000001"
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
                    | st.text(max_size=20), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=10)
TEXT_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
                         | st.text(st.characters(blacklist_categories=["Cs"]), max_size=20),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                         max_leaves=10)
WELL_FORMED = st.fixed_dictionaries({
    "generation": st.integers(1, 2**40), "at": st.sampled_from(["2026-01-01T00:00:00Z", "2026-02-03T04:05:06.789Z"]),
    "actor": st.text(max_size=30).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)),
    "changes": st.dictionaries(st.sampled_from(["title", "tags"]), st.fixed_dictionaries({"from": TEXT_JSON, "to": TEXT_JSON}),
                               max_size=2)})
HOSTILE = st.one_of(JSON, st.fixed_dictionaries({"generation": JSON, "at": JSON, "actor": JSON, "changes": JSON}),
                    st.fixed_dictionaries({"generation": st.just(3), "at": st.just("9999-99-99T00:00:00Z"),
                                           "actor": st.just("\ud800"), "changes": st.just({})}))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("data"), auto_discover=False)
    yield app.extensions["flowtime"]
    app.extensions["flowtime"].close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.lists(WELL_FORMED, max_size=4, unique_by=lambda e: (e["generation"], e["at"])),
       bad=st.lists(HOSTILE, max_size=4))
def test_only_well_formed_entries_are_restored_once(ctx, good, bad):
    entries = [*bad, *good]
    with ctx.db.write() as connection:
        assert restore_history(connection, ARTIFACT, entries) == len(good)
        assert restore_history(connection, ARTIFACT, entries) == 0  # already held: nothing twice
        kept = all_history(connection, [ARTIFACT]).get(ARTIFACT, [])
        assert sorted(json.dumps([e["generation"], e["actor"], e["changes"]]) for e in kept) == sorted(
            json.dumps([e["generation"], e["actor"][:200], e["changes"]]) for e in good)
        connection.exec_driver_sql("DELETE FROM artifact_history")


@pytest.mark.parametrize("value", [None, "text", 5, {"generation": 1}, [[]]])
def test_a_history_that_is_not_a_list_of_entries_restores_nothing(ctx, value):
    with ctx.db.write() as connection:
        assert restore_history(connection, ARTIFACT, value) == 0
