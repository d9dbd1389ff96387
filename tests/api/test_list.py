"""GET /v1/artifacts: filters, search, sorting, paging, facets, aliases and bad parameters."""

import re
from datetime import datetime

import pytest

from app.timefmt import parse_iso
from tests.api.conftest import ON_EACH_DATABASE
from tests.helpers import ERROR_KEYS, write_described, write_run

CATALOGUE = [
    # id, title, tags, created, nodes, size padding
    ("run_20250101T000000Z_00000001", "Checkout capacity baseline", ["baseline", "prod"], datetime(2025, 1, 1), ("arrivals", "served"), 0),
    ("run_20250201T000000Z_00000002", "Checkout capacity surge", ["prod", "surge"], datetime(2025, 2, 1), ("arrivals",), 100),
    ("run_20250301T000000Z_00000003", "Warehouse backlog study", ["warehouse"], datetime(2025, 3, 1), ("backlog",), 5000),
    ("run_20250401T000000Z_00000004", "Payments retry storm", ["prod", "incident"], datetime(2025, 4, 1), ("retries", "errors"), 50),
    ("run_20250501T000000Z_00000005", "Harbour cranes", [], datetime(2025, 5, 1), ("cranes",), 10),
    ("run_20250601T000000Z_00000006", "Search <b>markup</b> & friends", ["ui"], datetime(2025, 6, 1), ("queries",), 10),
]


@pytest.fixture
def data_dir(data_dir):
    for run_id, title, tags, created, nodes, pad in CATALOGUE:
        write_run(data_dir, run_id, title=title, tags=tags, created=created, nodes=nodes, extra_bytes=pad,
                  description=f"{title} description")
    write_described(data_dir, "model", "model_20250115T000000Z_0000000a", title="Checkout model",
                    created="2025-01-15T00:00:00Z", source="sim", tags=["baseline"],
                    provenance={"template_id": "it-system"})
    write_described(data_dir, "telemetry", "telemetry_20250116T000000Z_0000000b", title="Checkout telemetry",
                    created="2025-01-16T00:00:00Z", source="import", tags=["prod"])
    return data_dir


ALL = 8


def ids(response):
    assert response.status_code == 200, response.json
    return [a["id"] for a in response.json["artifacts"]]


def test_first_page_newest_first_with_total(client):
    body = client.get("/v1/artifacts").json
    assert body["total"] == ALL and body["count"] == ALL and body["limit"] == 50 and body["offset"] == 0
    created = [a["created"] for a in body["artifacts"]]
    assert created == sorted(created, reverse=True)
    assert body["next_cursor"] is None
    assert all(a["created"].endswith("Z") and not a["path"].startswith("/") for a in body["artifacts"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=model", {"model_20250115T000000Z_0000000a"}),
        ("type=model,telemetry", {"model_20250115T000000Z_0000000a", "telemetry_20250116T000000Z_0000000b"}),
        ("type=model|telemetry", {"model_20250115T000000Z_0000000a", "telemetry_20250116T000000Z_0000000b"}),
        ("tags=prod,surge", {"run_20250201T000000Z_00000002"}),
        ("tags=surge,incident&tag_mode=any", {"run_20250201T000000Z_00000002", "run_20250401T000000Z_00000004"}),
        ("source=sim", {"model_20250115T000000Z_0000000a"}),
        ("capabilities=export", {r for r in [
            "run_20250101T000000Z_00000001", "run_20250201T000000Z_00000002", "run_20250301T000000Z_00000003",
            "run_20250401T000000Z_00000004", "run_20250501T000000Z_00000005", "run_20250601T000000Z_00000006"]}),
        ("capabilities=run,compare", {"model_20250115T000000Z_0000000a"}),
        ("created_after=2025-04-01&created_before=2025-05-01",
         {"run_20250401T000000Z_00000004", "run_20250501T000000Z_00000005"}),
        ("createdAfter=2025-05-15T00:00:00Z", {"run_20250601T000000Z_00000006"}),
        ("min_size=5000", {"run_20250301T000000Z_00000003"}),
        ("template_id=it-system", {"model_20250115T000000Z_0000000a"}),
    ],
)
@ON_EACH_DATABASE
def test_filters(client, query, expected):
    assert set(ids(client.get(f"/v1/artifacts?{query}"))) == expected


def test_search_words_are_anded_last_word_is_prefix(client):
    assert set(ids(client.get("/v1/artifacts?search=checkout capac"))) == {
        "run_20250101T000000Z_00000001", "run_20250201T000000Z_00000002"}
    assert ids(client.get('/v1/artifacts?search="capacity surge"')) == ["run_20250201T000000Z_00000002"]
    assert ids(client.get("/v1/artifacts?search=retries")) == ["run_20250401T000000Z_00000004"]  # node ids
    assert ids(client.get("/v1/artifacts?search=00000003")) == ["run_20250301T000000Z_00000003"]  # id suffix
    assert ids(client.get("/v1/artifacts?search=run_20250301T000000Z_00000003")) == [
        "run_20250301T000000Z_00000003"]


def test_search_results_carry_score_and_escaped_snippet(client):
    body = client.get("/v1/artifacts?search=markup").json
    item = body["artifacts"][0]
    assert item["score"] > 0
    assert "<mark>markup</mark>" in item["snippet"]
    assert "<b>" not in item["snippet"]  # user markup is escaped (FTS5) or dropped (PostgreSQL), never live


@ON_EACH_DATABASE
@pytest.mark.parametrize(("text", "marked"), [
    ("capac", "capacity"),  # the last word a prefix: marked through the words of each row it starts
    ("checkout capac", "capacity"),
    ("Warehouse backl", "backlog"),
    ("apacit", "apacit"),  # inside a word only: the substring is marked
])
def test_prefix_and_substring_matches_get_marked_snippets(client, text, marked):
    items = client.get("/v1/artifacts", query_string={"search": text}).json["artifacts"]
    marks = [" ".join(re.findall(r"<mark>(.*?)</mark>", a["snippet"])).lower() for a in items]
    assert items and all(marked in found for found in marks), [a["snippet"] for a in items]


@pytest.mark.parametrize("text", ['"', "AND", "-x", "*", ":", "NEAR(a b)", "a OR", "'; DROP TABLE artifacts;--",
                                  "\\", "(", "^", "title:foo", "x" * 1000, "%", "\u00e9t\u00e9"])
@ON_EACH_DATABASE
def test_any_search_text_is_safe(client, text):
    response = client.get("/v1/artifacts", query_string={"search": text})
    assert response.status_code == 200


@pytest.mark.parametrize(("sort", "key"), [("title", "title"), ("size", "size_bytes"), ("id", "id"),
                                           ("created", "created"), ("modified", "modified")])
@ON_EACH_DATABASE
def test_sorting(client, sort, key):
    for order in ("asc", "desc"):
        items = client.get(f"/v1/artifacts?sort={sort}&order={order}").json["artifacts"]
        if key in ("created", "modified"):  # shown to the millisecond, ordered by the microsecond: ties unseen
            values = [parse_iso(a[key]) for a in items]
        else:
            values = [(a[key], a["id"]) for a in items]
        assert values == sorted(values, reverse=order == "desc")


def test_default_order_is_asc_for_title(client):
    titles = [a["title"] for a in client.get("/v1/artifacts?sortBy=title").json["artifacts"]]
    assert titles == sorted(titles)


def test_relevance_is_default_with_search(client):
    items = client.get("/v1/artifacts?search=checkout").json["artifacts"]
    scores = [a["score"] for a in items]
    assert scores == sorted(scores, reverse=True) and len(items) == 4


def test_offset_and_aliases(client):
    first = ids(client.get("/v1/artifacts?limit=3"))
    assert ids(client.get("/v1/artifacts?limit=3&skip=3")) == ids(client.get("/v1/artifacts?limit=3&offset=3"))
    assert first[0] not in ids(client.get("/v1/artifacts?limit=3&offset=3"))


def test_limit_is_clamped_and_echoed(client):
    assert client.get("/v1/artifacts?limit=5000").json["limit"] == 1000


def test_cursor_walks_every_item_once(client):
    seen, cursor = [], None
    while True:
        query = {"limit": 3, "sort": "title"} | ({"cursor": cursor} if cursor else {})
        body = client.get("/v1/artifacts", query_string=query).json
        seen += [a["id"] for a in body["artifacts"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == ALL


def test_cursor_bound_to_its_query(client):
    cursor = client.get("/v1/artifacts?limit=2").json["next_cursor"]
    response = client.get(f"/v1/artifacts?limit=2&type=run&cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json["details"]
    assert client.get(f"/v1/artifacts?limit=5&cursor={cursor}").status_code == 200  # page size may change


def test_facets_under_current_filters(client):
    body = client.get("/v1/artifacts?facets=type,tags,source&tags=prod").json
    assert body["facets"]["type"] == [{"value": "run", "count": 3}, {"value": "telemetry", "count": 1}]
    assert {"value": "prod", "count": 4} in body["facets"]["tags"]
    assert body["facets"]["source"] == [{"value": "engine", "count": 3}, {"value": "import", "count": 1}]


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ("limit=-1", "limit"), ("limit=abc", "limit"), (f"limit={2**63}", "limit"), ("offset=-5", "offset"),
        (f"offset={2**63}", "offset"), ("type=bogus", "type"), ("sort=nope", "sort"), ("order=up", "order"),
        ("created_after=yesterday", "created_after"), ("created_before=2025-13-45", "created_before"),
        ("min_size=-1", "min_size"), ("cursor=!!!", "cursor"), ("unknown=1", "unknown"),
        ("include_deleted=maybe", "include_deleted"), ("facets=color", "facets"), ("limit=1&limit=2", "limit"),
        ("sort=relevance", "sort"), ("tags=bad tag!", "tags"), ("skip=1&offset=2", "offset"),
    ],
)
@ON_EACH_DATABASE
def test_bad_parameters_are_400_naming_them(client, query, bad):
    response = client.get(f"/v1/artifacts?{query}")
    assert response.status_code == 400, response.json
    body = response.json
    assert set(body) == ERROR_KEYS and body["status"] == 400
    assert bad in body["details"] or bad in body["error"]
