"""Readers of the workload: the same reads, in the same order, against our API, Datasette's, or in-process.

A target turns a `Read` into a URL and query parameters and finds the next-page token in a response.
`run_reads` shares the read list between reader threads (each takes the next read in order), each
with its own keep-alive session, until the reads or the duration run out. Latencies of failed
requests (a timeout, Datasette's SQL time limit) count in the percentiles too, and are counted.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict

import requests
from workload_queries import Read

from app.registry import service
from app.registry.files import list_artifact_files
from app.registry.store.cache import SnapshotCache
from app.registry.store.listing import ListQuery, list_artifacts
from app.registry.store.series import parse_filter

FACETS = "type,tags,source"
PARENT_WAIT_S = 30


class OurApi:
    """GET /v1/artifacts?search=&type=&tags=&source=&facets=&sort=&order=&limit=&cursor= as FlowTime clients call it."""

    name = "ours"

    def __init__(self, base: str):
        self.base = base

    def list_request(self, read: Read, token: str | None = None) -> tuple[str, list]:
        """(url, params) of a list read, or of its next page given the token."""
        params = [(k, v) for k, v in (("search", read.search), ("type", read.type), ("source", read.source),
                                      ("sort", read.sort), ("order", read.order)) if v]
        if read.tags:
            params.append(("tags", ",".join(read.tags)))
        if read.series:
            params.append(("series", read.series))
        if read.facets:
            params.append(("facets", FACETS))
        params.append(("limit", read.limit))
        if token:
            params.append(("cursor", token))
        return self.base + "/v1/artifacts", params

    def get_url(self, artifact_id: str) -> str:
        """URL of one artifact."""
        return f"{self.base}/v1/artifacts/{artifact_id}"

    @staticmethod
    def token(body: dict) -> str | None:
        """The next-page cursor of a list response."""
        return body.get("next_cursor")


class DatasetteApi:
    """/bench/artifacts.json?_search=&type=&tags__arraycontains=&_facet=&_size=&_next= (Datasette's JSON API)."""

    name = "datasette"

    def __init__(self, base: str, database: str = "bench"):
        self.base, self.table = base, f"{base}/{database}/artifacts"

    def list_request(self, read: Read, token: str | None = None) -> tuple[str, list]:
        """(url, params): Datasette sorts searches by primary key (it has no relevance order)."""
        params = [(k, v) for k, v in (("_search", read.search), ("type", read.type), ("source", read.source)) if v]
        params += [("tags__arraycontains", tag) for tag in read.tags]
        if read.series:  # no index of its own: Datasette filters the JSON column row by row
            node_stat, op, number = re.match(r"^([\w.]+?)(>=|<=|>|<|=)(.+)$", read.series).groups()
            node, stat = node_stat.rsplit(".", 1)
            params.append(("_where", f"json_extract(series_summary, '$.{node}.{stat}') {op} {float(number)}"))
        if read.facets:
            params += [("_facet", "type"), ("_facet", "source"), ("_facet_array", "tags")]
        if read.sort:
            column = "size_bytes" if read.sort == "size" else read.sort
            params.append(("_sort_desc" if read.order == "desc" else "_sort", column))
        elif not read.search:
            params.append(("_sort_desc", "created"))
        params.append(("_size", read.limit))
        if token:
            params.append(("_next", token))
        return self.table + ".json", params

    def get_url(self, artifact_id: str) -> str:
        """URL of one row (Datasette's row page as JSON)."""
        return f"{self.table}/{artifact_id}.json"

    @staticmethod
    def token(body: dict) -> str | None:
        """Datasette's next-page token of a table response."""
        return body.get("next")


class _Tokens:
    """Next-page tokens of finished reads, for the cursor reads that page on from them."""

    def __init__(self):
        self.tokens: dict[int, str | None] = {}
        self.changed = threading.Condition()

    def put(self, index: int, token: str | None) -> None:
        with self.changed:
            self.tokens[index] = token
            self.changed.notify_all()

    def wait(self, index: int, timeout: float) -> str | None:
        with self.changed:
            self.changed.wait_for(lambda: index in self.tokens, timeout)
            return self.tokens.get(index)


def _request(session, url, params, timeout) -> tuple[float, dict | None]:
    start = time.perf_counter()
    try:
        response = session.get(url, params=params, timeout=timeout)
        body = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        body = None
    return (time.perf_counter() - start) * 1000, body


def run_reads(target, reads: list[Read], threads: int, duration_s: float, timeout: float = 30) -> dict:
    """Run the reads on `threads` threads until done or duration_s; samples and errors per class."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    skipped, tokens, lock, position = [0], _Tokens(), threading.Lock(), [0]
    deadline = time.monotonic() + duration_s

    def record(cls: str, ms: float, body: dict | None) -> None:
        with lock:
            samples[cls].append(ms)
            if body is None:
                errors[cls] += 1

    def one(session: requests.Session, read: Read) -> None:
        if read.cls == "get_by_id":
            ms, body = _request(session, target.get_url(read.artifact_id), None, timeout)
            return record(read.cls, ms, body)
        if read.cls != "cursor_page":
            url, params = target.list_request(read)
            ms, body = _request(session, url, params, timeout)
            record(read.cls, ms, body)
            return tokens.put(read.index, body and target.token(body))
        token = tokens.wait(read.parent, PARENT_WAIT_S)
        parent = reads[read.parent]
        for _ in range(read.pages):
            if not token:
                with lock:
                    skipped[0] += 1
                return
            url, params = target.list_request(parent, token)
            ms, body = _request(session, url, params, timeout)
            record(read.cls, ms, body)
            token = body and target.token(body)

    def worker() -> None:
        with requests.Session() as session:
            while time.monotonic() < deadline:
                with lock:
                    if position[0] >= len(reads):
                        return
                    read = reads[position[0]]
                    position[0] += 1
                one(session, read)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(duration_s + timeout * 4)
    return {"samples": dict(samples), "errors": dict(errors), "reads_done": position[0],
            "cursor_skipped": skipped[0], "wall_s": round(time.perf_counter() - started, 1)}


def _list_query(read: Read, cursor: str | None = None) -> ListQuery:
    return ListQuery(search=read.search, types=[read.type] if read.type else [], tags=list(read.tags),
                     series=[parse_filter(read.series)] if read.series else [],
                     sources=[read.source] if read.source else [], sort=read.sort, order=read.order,
                     limit=read.limit, cursor=cursor, facets=FACETS.split(",") if read.facets else [])


def run_floor(ctx, reads: list[Read], duration_s: float) -> dict:
    """The reads in-process, one at a time, cold: the totals/facets cache is cleared before each call."""
    samples: dict[str, list[float]] = defaultdict(list)
    cursors: dict[int, str | None] = {}
    deadline, done, skipped = time.monotonic() + duration_s, 0, 0

    def listing(read: Read, cursor: str | None) -> str | None:
        ctx.cache = SnapshotCache()
        start = time.perf_counter()
        with ctx.db.read() as connection:
            result = list_artifacts(connection, ctx.search, ctx.cache, _list_query(read, cursor), ctx.cursor_key)
        samples["cursor_page" if cursor else read.cls].append((time.perf_counter() - start) * 1000)
        return result.next_cursor

    for read in reads:
        if time.monotonic() > deadline:
            break
        done += 1
        if read.cls == "get_by_id":
            start = time.perf_counter()
            record = service.get_artifact(ctx, read.artifact_id)
            list_artifact_files(ctx, record.id)
            samples[read.cls].append((time.perf_counter() - start) * 1000)
        elif read.cls == "cursor_page":
            cursor = cursors.get(read.parent)
            for _ in range(read.pages):
                if not cursor:
                    skipped += 1
                    break
                cursor = listing(reads[read.parent], cursor)
        else:
            cursors[read.index] = listing(read, None)
    return {"samples": dict(samples), "errors": {}, "reads_done": done, "cursor_skipped": skipped}
