"""The binding helpers fail where FlowTime's clients fail (so the contract tests can)."""

import pytest

from tests.api.contract.binding import BindError, bind_blazor, check_ts

DETAIL = {"Id": "string", "Files": ["string"], "TotalSize": "long", "LastModified": "DateTime", "Metadata": "dict?"}


def test_blazor_binds_case_insensitively_and_ignores_unknown_names():
    bound = bind_blazor({"id": "a", "files": ["x"], "totalSize": 3, "lastModified": "2025-01-01T00:00:00Z",
                         "size_bytes": 3, "metadata": {}}, DETAIL)
    assert bound["TotalSize"] == 3 and bound["Files"] == ["x"] and "size_bytes" not in bound


@pytest.mark.parametrize("doc", [
    {"files": [{"name": "run.json"}]},          # an object where a string is declared
    {"totalSize": None}, {"totalSize": "3"}, {"totalSize": 1.5},
    {"lastModified": None}, {"lastModified": "yesterday"},
    {"metadata": []},
])
def test_blazor_throws_on_values_of_the_wrong_kind(doc):
    with pytest.raises(BindError):
        bind_blazor(doc, DETAIL)


def test_typescript_names_are_exact():
    interface = {"files": "string[]", "totalSize": "number", "relationshipType?": "string"}
    check_ts({"files": [], "totalSize": 0}, interface)
    for doc in ({"Files": [], "totalSize": 0}, {"files": [{"name": "x"}], "totalSize": 0},
                {"files": [], "total_size": 0}, {"files": [], "totalSize": 0, "relationshipType": 1}):
        with pytest.raises(BindError):
            check_ts(doc, interface)
