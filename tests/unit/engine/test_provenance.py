"""Provenance as FlowTime accepts it: header forms and the embedded block."""

import pytest

from app.engine.provenance import from_header, split_embedded
from app.errors import BadRequest

MODEL = "grid:\n  bins: 2\n  binMinutes: 60\nnodes:\n  - id: a\n    kind: const\n    values: [1, 2]\n"
BLOCK = "provenance:\n  source: flowtime-sim\n  templateId: it-system\n  modelId: model_1\n  generatedAt: 2025-10-01T00:00:00Z\n"


@pytest.mark.parametrize(("raw", "expected"), [
    ('{"templateId": "t", "modelId": "m"}', {"templateId": "t", "modelId": "m"}),
    ("  model_20251001T000000Z_abc  ", {"modelId": "model_20251001T000000Z_abc"}),
    ("", None), ("   ", None), (None, None), ("{}", None),
    ("first_id, second_id", {"modelId": "first_id"}),  # two headers, joined by the server: the first wins
    ('{"modelId": "one"}, {"modelId": "two"}', {"modelId": "one"}),
])
def test_header_forms(raw, expected):
    assert from_header(raw) == expected


@pytest.mark.parametrize("raw", ["{not json", "[1]", '"x"', "x" * 201, "has space", '{"modelId": 5}',
                                 '{"templateId": {"$gt": 1}}', '{"modelId": "a"} trailing'])
def test_bad_headers_are_400(raw):
    with pytest.raises(BadRequest):
        from_header(raw)


@pytest.mark.parametrize("where", ["top", "bottom", "middle"])
def test_embedded_block_is_cut_out_byte_for_byte(where):
    head, tail = MODEL.split("nodes:")
    text = {"top": BLOCK + MODEL, "bottom": MODEL + BLOCK, "middle": head + BLOCK + "nodes:" + tail}[where]
    clean, block = split_embedded(text)
    assert clean == MODEL
    assert block == {"source": "flowtime-sim", "templateId": "it-system", "modelId": "model_1",
                     "generatedAt": "2025-10-01T00:00:00+00:00"}


def test_flow_style_documents_are_re_emitted_without_the_block():
    clean, block = split_embedded('{"grid": {"bins": 1, "binMinutes": 60}, "nodes": [], "provenance": {"modelId": "m"}}')
    assert "provenance" not in clean and block == {"modelId": "m"}


def test_empty_or_absent_block_means_none():
    assert split_embedded(MODEL) == (MODEL, None)
    assert split_embedded(MODEL + "provenance: {}\n") == (MODEL, None)
    assert split_embedded(MODEL + "# provenance is in the header\n") == (MODEL + "# provenance is in the header\n", None)


@pytest.mark.parametrize("value", ["a string", "[1, 2]", "42"])
def test_non_mapping_block_is_a_400_naming_provenance(value):
    with pytest.raises(BadRequest, match="provenance"):
        split_embedded(MODEL + f"provenance: {value}\n")
