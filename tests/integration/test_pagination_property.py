"""Walking every page, with every page size and sort, yields each matching artifact exactly once."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.registry.records import ArtifactRecord
from tests.conftest import make_app

COUNT = 40
SORTS = ["created", "modified", "title", "size", "id", "relevance"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("paging")
    app = make_app(data_dir, auto_discover=False)
    rng = random.Random(3)
    base = datetime(2025, 1, 1)
    with app.extensions["flowtime"].writing() as registry:
        for i in range(COUNT):
            # Few distinct values on purpose: ties must be broken by id without skipping or repeating.
            created = base + timedelta(days=rng.randint(0, 3))
            registry.add(ArtifactRecord(
                id=f"run_{i:04d}", type=rng.choice(["run", "model"]), path=f"run_{i:04d}",
                title=rng.choice(["alpha flow", "beta flow", "Gamma flow"]), created=created, modified=created,
                size_bytes=rng.choice([0, 10, 10, 500]), tags=rng.sample(["a", "b", "c"], rng.randint(0, 2)),
            ))
    yield app.test_client()
    app.extensions["flowtime"].close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sort=st.sampled_from(SORTS),
    order=st.sampled_from(["asc", "desc"]),
    limit=st.integers(1, 17),
    use_cursor=st.booleans(),
    type_filter=st.sampled_from([None, "run", "model"]),
)
def test_every_page_walk_sees_each_match_once(client, sort, order, limit, use_cursor, type_filter):
    base = {"sort": sort, "order": order, "limit": limit, "search": "flow"}
    if type_filter:
        base["type"] = type_filter
    expected = client.get("/v1/artifacts", query_string={**base, "limit": 1000}).json
    seen: list[str] = []
    cursor, offset = None, 0
    for _ in range(COUNT + 2):
        query = dict(base)
        if use_cursor and cursor:
            query["cursor"] = cursor
        elif not use_cursor:
            query["offset"] = offset
        body = client.get("/v1/artifacts", query_string=query).json
        assert body["total"] == expected["total"]
        seen += [a["id"] for a in body["artifacts"]]
        offset += body["count"]
        cursor = body["next_cursor"]
        if not body["artifacts"] or (use_cursor and not cursor) or offset >= body["total"]:
            break
    assert seen == [a["id"] for a in expected["artifacts"]]
    assert len(seen) == len(set(seen)) == expected["total"]
