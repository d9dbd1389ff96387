"""FlowTime's search finds substrings: part of a word, of a run id or of a tag, after the word matches."""

from __future__ import annotations

import json

import pytest

from tests.helpers import write_run

CLAMP = "run_20250921T161133Z_0bcdbb6f"
LAMP = "run_20250922T090000Z_1a2b3c4d"
BASELINE = "run_20250923T120000Z_0000aaaa"
DESCRIBED = "run_20250924T000000Z_5e5e5e5e"


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, CLAMP, title="Capacity clamp check", tags=["what-if"])
    write_run(data_dir, LAMP, title="Lamp demand study")
    write_run(data_dir, BASELINE, title="Quarterly 100% load", tags=["baseline"])
    folder = write_run(data_dir, DESCRIBED, title="Plain run")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["metadata"] = {"description": "This artifact contains unique_keyword for testing", "category": "sim"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return data_dir


def found(client, text: str, parameter: str = "search") -> list[str]:
    response = client.get("/v1/artifacts", query_string={parameter: text})
    assert response.status_code == 200, response.json
    return [a["id"] for a in response.json["artifacts"]]


def test_part_of_a_word_finds_the_artifact_after_the_word_match(client):
    body = client.get("/v1/artifacts", query_string={"search": "lamp"}).json
    assert [a["id"] for a in body["artifacts"]] == [LAMP, CLAMP]  # the word first, then "c-lamp"
    assert body["total"] == 2
    word, infix = body["artifacts"]
    assert word["score"] > 0 > infix["score"]
    assert "<mark>" in infix["snippet"] and "lamp" in infix["snippet"].lower()


@pytest.mark.parametrize("fragment", ["0bcdbb6", "161133z_0bc", "T161133Z", "dbb6f"])
def test_part_of_a_run_id_finds_the_run(client, fragment):
    assert found(client, fragment) == [CLAMP]


def test_part_of_a_tag_and_any_case(client):
    assert found(client, "aselin") == [BASELINE]
    assert found(client, "HAT-I") == [CLAMP]


def test_every_term_must_be_found_and_short_terms_stay_word_searches(client):
    assert found(client, "apac lamp") == [CLAMP]
    assert found(client, "lamp study") == [LAMP]
    assert found(client, "la") == [LAMP]  # prefix of a word only: two letters are no substring search


def test_like_wildcards_are_text(client):
    assert found(client, "100%") == [BASELINE]
    assert found(client, "0%_l") == []


def test_a_word_of_a_manifests_metadata_is_found(client):
    assert found(client, "unique_keyword") == [DESCRIBED]
    assert found(client, "unique_keyword", parameter="fullText") == [DESCRIBED]  # FlowTime M2.8's name


def test_infix_index_follows_edits(client):
    assert client.put(f"/v1/artifacts/{LAMP}", json={"title": "Torch demand study"}).status_code == 200
    assert found(client, "orch") == [LAMP]
    assert found(client, "lamp") == [CLAMP]
    assert client.delete(f"/v1/artifacts/{CLAMP}").status_code == 200
    assert found(client, "lamp") == []


def test_infix_matches_page_by_cursor_without_repeats(client):
    first = client.get("/v1/artifacts", query_string={"search": "run_2025092", "limit": 2}).json
    assert first["total"] == 4
    rest = client.get("/v1/artifacts", query_string={"search": "run_2025092", "limit": 2,
                                                      "cursor": first["next_cursor"]}).json
    ids = [a["id"] for a in first["artifacts"] + rest["artifacts"]]
    assert sorted(ids) == sorted([CLAMP, LAMP, BASELINE, DESCRIBED])
