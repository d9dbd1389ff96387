"""Serving files: every listed name downloads, RFC 6266 names, multi and suffix ranges, 416s and preconditions."""

import io
import zipfile
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import quote, unquote

import pytest

from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"
DATA = bytes(range(256)) * 4  # 1,024 bytes
ODD_NAMES = ["a;b.csv", "what?.txt", "issue#13.txt", 'say "hi".txt', "star*.csv", "a<b>|c.txt", "系列.csv",
             "sub dir/100% done.txt", "plus+and&eq=.txt", "mid~tilde.txt", "semi;colon/ünï.json", "emoji 📈.csv"]


@pytest.fixture
def data_dir(data_dir):
    folder = write_run(data_dir, RUN, title="Serving")
    (folder / "data.bin").write_bytes(DATA)
    for name in ODD_NAMES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(name.encode())
    (folder / "ctrl\x01name.txt").write_bytes(b"unservable")
    (folder / "back\\slash.txt").write_bytes(b"unservable")
    return data_dir


def url(name, suffix=""):
    return f"/v1/artifacts/{RUN}/files/{quote(name)}{suffix}"


def test_every_listed_name_downloads_and_the_zip_agrees(client):
    listed = [f["name"] for f in client.get(f"/v1/artifacts/{RUN}/files").json["files"]]
    assert set(ODD_NAMES) <= set(listed)
    assert not any("\x01" in n or "\\" in n for n in listed)  # unservable names are not listed either
    for name in listed:
        response = client.get(url(name))
        assert response.status_code == 200, (name, response.status_code, response.get_data()[:200])
    zipped = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/artifacts/{RUN}/download").data)).namelist()
    assert sorted(n.split("/", 1)[1] for n in zipped) == sorted(listed)
    for name in ODD_NAMES:
        assert client.get(url(name)).data == name.encode()


@pytest.mark.parametrize("path", ["..%2f..%2fregistry.db", "a%5cb", "x%00y", "x%0d%0ay", "%2fetc%2fpasswd", "..",
                                  "a/../../b", ".hidden", "ctrl%01name.txt", "back%5cslash.txt"])
def test_traversal_and_control_characters_stay_refused(client, path):
    assert client.get(f"/v1/artifacts/{RUN}/files/{path}").status_code in (400, 404)


def disposition(response) -> dict:
    message = EmailMessage()
    message["Content-Disposition"] = response.headers["Content-Disposition"]
    return dict(message["Content-Disposition"].params)


@pytest.mark.parametrize("name", ["系列.csv", "emoji 📈.csv", 'say "hi".txt', "semi;colon/ünï.json", "a;b.csv"])
def test_download_names_follow_rfc_6266(client, name):
    response = client.get(url(name, "?download=1"))
    assert response.status_code == 200 and response.data == name.encode()
    raw = response.headers["Content-Disposition"]
    assert raw.isascii() and raw.startswith("attachment;")
    params = disposition(response)
    assert params["filename"].isascii() and params["filename"]
    leaf = name.rsplit("/", 1)[-1]
    if "filename*" in raw:
        assert raw.split("filename*=UTF-8''", 1)[1] == quote(leaf, safe="!#$&+-.^_`|~")
        assert unquote(raw.split("filename*=UTF-8''", 1)[1]) == leaf
    else:
        assert params["filename"] == leaf
    assert params["filename"].endswith(leaf.rsplit(".", 1)[-1])


def test_zip_download_disposition(client):
    response = client.get(f"/v1/artifacts/{RUN}/download")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert disposition(response) == {"filename": f"{RUN}.zip"}


def parts_of(response):
    """The parts of a multipart/byteranges body as (Content-Range, bytes)."""
    head = f"Content-Type: {response.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + response.data)
    return [(part["Content-Range"], part.get_payload(decode=True)) for part in message.iter_parts()]


def test_multi_range_is_206_multipart_byteranges(client):
    response = client.get(url("data.bin"), headers={"Range": "bytes=0-9,100-109,-5"})
    assert response.status_code == 206 and response.mimetype == "multipart/byteranges"
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert parts_of(response) == [("bytes 0-9/1024", DATA[0:10]), ("bytes 100-109/1024", DATA[100:110]),
                                  ("bytes 1019-1023/1024", DATA[-5:])]


def test_suffix_longer_than_the_file_is_the_whole_file(client):
    response = client.get(url("data.bin"), headers={"Range": "bytes=-5000"})
    assert response.status_code == 206 and response.data == DATA
    assert response.headers["Content-Range"] == "bytes 0-1023/1024"
    tail = client.get(url("data.bin"), headers={"Range": "bytes=1000-99999"})
    assert tail.status_code == 206 and tail.data == DATA[1000:] and tail.headers["Content-Range"] == "bytes 1000-1023/1024"


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=2000-2001,3000-"])
def test_every_416_names_the_length(client, header):
    response = client.get(url("data.bin"), headers={"Range": header})
    assert response.status_code == 416 and response.headers["Content-Range"] == "bytes */1024"
    assert set(response.json) == ERROR_KEYS


def test_a_partly_satisfiable_multi_range_serves_the_part_inside(client):
    response = client.get(url("data.bin"), headers={"Range": "bytes=1000-1001,5000-6000"})
    assert response.status_code == 206 and response.data == DATA[1000:1002]


def test_invalid_range_syntax_is_ignored(client):
    for header in ("bytes=abc", "bytes=5-2", "items=0-1"):
        response = client.get(url("data.bin"), headers={"Range": header})
        assert response.status_code == 200 and response.data == DATA, header


def test_preconditions(client):
    full = client.get(url("data.bin"))
    etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    past = "Mon, 01 Jan 2001 00:00:00 GMT"
    stale = client.get(url("data.bin"), headers={"If-Unmodified-Since": past})
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
    assert client.get(url("data.bin"), headers={"If-Unmodified-Since": modified}).status_code == 200
    assert client.get(url("data.bin"), headers={"If-Match": '"nope"'}).status_code == 412
    assert client.get(url("data.bin"), headers={"If-Match": f'"nope", {etag}'}).status_code == 200
    assert client.get(url("data.bin"), headers={"If-Match": f"{etag}", "If-Unmodified-Since": past}).status_code == 200
    assert client.get(url("data.bin"), headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(url("data.bin"), headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url("data.bin"), headers={"If-Modified-Since": past}).status_code == 200


def test_if_range(client):
    etag = client.get(url("data.bin")).headers["ETag"]
    assert client.get(url("data.bin"), headers={"Range": "bytes=0-1", "If-Range": etag}).status_code == 206
    changed = client.get(url("data.bin"), headers={"Range": "bytes=0-1", "If-Range": '"other"'})
    assert changed.status_code == 200 and changed.data == DATA
