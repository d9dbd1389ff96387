"""If-Match on every state change of one artifact: PUT/PATCH, DELETE and restore; lists match element-wise."""

import pytest

from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"
OTHER_TAG = '"00000000000000000000"'


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, RUN, title="Guarded")
    return data_dir


def etag(client, deleted=False):
    suffix = "?include_deleted=true" if deleted else ""
    return client.get(f"/v1/artifacts/{RUN}{suffix}").headers["ETag"]


def test_stale_etag_on_delete_is_a_412_and_deletes_nothing(client):
    stale = etag(client)
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "Changed"})
    response = client.delete(f"/v1/artifacts/{RUN}", headers={"If-Match": stale})
    assert response.status_code == 412 and response.json["code"] == "precondition_failed"
    assert set(response.json) == ERROR_KEYS
    assert client.get(f"/v1/artifacts/{RUN}").status_code == 200
    deleted = client.delete(f"/v1/artifacts/{RUN}", headers={"If-Match": etag(client)})
    assert deleted.status_code == 200 and deleted.json["deleted_at"]
    assert deleted.headers["ETag"] == etag(client, deleted=True)


def test_stale_etag_on_restore_is_a_412(client):
    client.delete(f"/v1/artifacts/{RUN}")
    stale = etag(client, deleted=True)
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "x"})  # deleted: a 404, changes nothing
    client.post("/v1/artifacts/bulk-delete", json=[RUN])
    assert client.post(f"/v1/artifacts/{RUN}/restore", headers={"If-Match": OTHER_TAG}).status_code == 412
    assert client.get(f"/v1/artifacts/{RUN}").status_code == 404
    restored = client.post(f"/v1/artifacts/{RUN}/restore", headers={"If-Match": stale})
    assert restored.status_code == 200 and restored.json["deleted_at"] is None


@pytest.mark.parametrize("template", ['{other}, {current}', '{current},{other}', '  {current} ', '*',
                                      '{other} , W/"x", {current}'])
def test_if_match_lists_match_element_wise(client, template):
    header = template.format(current=etag(client), other=OTHER_TAG)
    response = client.put(f"/v1/artifacts/{RUN}", json={"tags": ["seen"]}, headers={"If-Match": header})
    assert response.status_code == 200, (header, response.json)
    header = template.format(current=response.headers["ETag"], other=OTHER_TAG)
    assert client.delete(f"/v1/artifacts/{RUN}", headers={"If-Match": header}).status_code == 200


@pytest.mark.parametrize("header", [OTHER_TAG, f'{OTHER_TAG}, "abc"', "W/{current}", "garbage"])
def test_lists_without_the_current_strong_etag_fail(client, header):
    header = header.format(current=etag(client))
    assert client.patch(f"/v1/artifacts/{RUN}", json={"title": "x"}, headers={"If-Match": header}).status_code == 412
    assert client.delete(f"/v1/artifacts/{RUN}", headers={"If-Match": header}).status_code == 412
    assert client.get(f"/v1/artifacts/{RUN}").json["title"] == "Guarded"
