"""Walking every page, with every page size and sort, yields each matching artifact exactly once,
in the order a plain sort of the records gives (live, archived and deleted ones mixed)."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.registry.records import ArtifactRecord
from tests.conftest import make_app

COUNT = 40
SORTS = ["created", "modified", "title", "size", "id", "relevance"]
SORT_FIELDS = {"created": "created", "modified": "modified", "title": "title", "size": "size_bytes", "id": "id"}
RECORDS: list[ArtifactRecord] = []


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
            record = ArtifactRecord(
                id=f"run_{i:04d}", type=rng.choice(["run", "model"]), path=f"run_{i:04d}",
                title=rng.choice(["alpha flow", "beta flow", "Gamma flow"]), created=created, modified=created,
                size_bytes=rng.choice([0, 10, 10, 500]),
                tags=rng.sample(["a", "b", "c"], rng.randint(0, 2)) + (["archived"] if i % 5 == 1 else []),
                deleted_at=created if i % 7 == 2 else None,
            )
            registry.add(record)
            RECORDS.append(record)
    yield app.test_client()
    app.extensions["flowtime"].close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sort=st.sampled_from(SORTS),
    order=st.sampled_from(["asc", "desc"]),
    limit=st.integers(1, 17),
    use_cursor=st.booleans(),
    type_filter=st.sampled_from([None, "run", "model"]),
    include_archived=st.booleans(),
    include_deleted=st.booleans(),
)
def test_every_page_walk_sees_each_match_once(client, sort, order, limit, use_cursor, type_filter,
                                              include_archived, include_deleted):
    base = {"sort": sort, "order": order, "limit": limit, "search": "flow",
            "include_archived": str(include_archived).lower(), "include_deleted": str(include_deleted).lower()}
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
    matching = [r for r in RECORDS if (not type_filter or r.type == type_filter)
                and (include_archived or not r.archived) and (include_deleted or r.deleted_at is None)]
    if sort == "relevance":
        assert set(seen) == {r.id for r in matching}
    else:
        field = SORT_FIELDS[sort]
        oracle = sorted(matching, key=lambda r: (getattr(r, field), r.id), reverse=order == "desc")
        assert seen == [r.id for r in oracle]
