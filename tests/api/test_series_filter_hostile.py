"""Hostile `series=` and `sort=series:` values: always a 400 in the error shape naming the parameter, nothing written."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.registry.store.series import OPERATORS, STATS
from tests.helpers import ERROR_KEYS, field_names, write_run

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Near misses of a valid expression: a wrong stat, a non-number, a non-finite one, a missing part.
NEAR_MISSES = st.one_of(
    st.builds(lambda n, s, o: f"{n}.{s}{o}1", st.just("served"), st.text(min_size=1, max_size=8).filter(
        lambda s: s not in STATS), st.sampled_from(OPERATORS)),
    st.builds(lambda o, v: f"served.max{o}{v}", st.sampled_from(OPERATORS), st.sampled_from(
        ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "0x1", "1_0", " 1", "1 ", "", "--1", "1e", "."])),
    st.text(max_size=60).filter(lambda t: not any(op in t for op in "<>=")),
)


@pytest.fixture
def backend():
    return "sqlite-local"  # the parser is the same on every backend; hypothesis runs it many times on one


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, "run_20250101T000000Z_00000001")
    return data_dir


def generation(client) -> int:
    return client.get("/v1/artifacts/stats").json["index"]["database_generation"]


@SETTINGS
@given(value=NEAR_MISSES)
def test_hostile_series_expressions_are_400_naming_series(client, value):
    before = generation(client)
    response = client.get(f"/v1/artifacts?series={quote(value, safe='')}&series=served.max%3E0")
    assert response.status_code == 400, (value, response.json)
    assert set(response.json) == ERROR_KEYS and response.json["status"] == 400
    assert "series" in field_names(response.json["details"])
    assert generation(client) == before


@SETTINGS
@given(value=st.text(max_size=60))
def test_hostile_series_sorts_are_400_naming_sort(client, value):
    response = client.get(f"/v1/artifacts?sort={quote('series:' + value, safe='')}")
    if response.status_code == 200:  # a well-formed sort key by chance
        assert value.rpartition(".")[2] in STATS
        return
    assert response.status_code == 400 and set(response.json) == ERROR_KEYS and "sort" in response.json["details"]


def test_too_many_filters_is_a_400(client):
    response = client.get("/v1/artifacts?" + "&".join(["series=served.max%3E0"] * 11))
    assert response.status_code == 400 and "series" in field_names(response.json["details"])
