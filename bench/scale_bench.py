"""Writes and scale: mirror export, folder scans, auto-discovery cost and worker memory on big transfers."""

from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
from pathlib import Path

import requests
from common import Server, rss_kb, running, summarize, timed

from app.migrate import upgrade
from app.registry.mirror import INDEX_NAME, write_index
from app.registry.sync.rescan import rescan

GIB = 1024**3


def mirror_regeneration(ctx, repeats: int = 3) -> dict:
    """Time app.registry.mirror.write_index at N (median of `repeats`) and the file size."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        write_index(ctx.db, ctx.storage)
        times.append(time.perf_counter() - start)
    ctx.mirror.sync_here()  # record mirror_generation so the server does not export again at start
    size = (ctx.config.data_dir / INDEX_NAME).stat().st_size
    return {"seconds": round(statistics.median(times), 3), "all_s": [round(t, 3) for t in times],
            "bytes": size, "mb": round(size / 1e6, 1)}


def clean_folders(data_dir: Path) -> None:
    """Drop the registry, mirror and everything earlier benchmark steps added to the folder data dir."""
    for path in data_dir.glob("registry*"):
        path.unlink()
    shutil.rmtree(data_dir / "telemetry", ignore_errors=True)
    for big in data_dir.glob("run_*/bench-1g.bin"):
        big.unlink()


def scans(data_dir: Path, make_context) -> dict:
    """Initial rescan of the run folders into a fresh SQLite database, then a no-change rescan."""
    clean_folders(data_dir)
    ctx = make_context(data_dir)
    try:
        upgrade(ctx.config.database_url)
        start = time.perf_counter()
        first = rescan(ctx)
        initial = time.perf_counter() - start
        start = time.perf_counter()
        second = rescan(ctx)
        again = time.perf_counter() - start
        ctx.mirror.sync_here()
    finally:
        ctx.close()
    print(f"  scan: initial {initial:.1f} s ({first.added} added), no-change {again:.2f} s", flush=True)
    return {"initial_s": round(initial, 2), "added": first.added, "skipped": len(first.skipped),
            "per_s": round(first.added / initial, 1), "no_change_s": round(again, 3), "unchanged": second.unchanged}


def discovery_cost(data_dir: Path, count: int, warmup: int) -> dict:
    """Q1 interleaved on two servers over the folder data dir, FLOWTIME_AUTO_DISCOVER=1 vs 0."""
    with running(Server(data_dir, FLOWTIME_AUTO_DISCOVER="1")) as on_srv, \
            running(Server(data_dir, FLOWTIME_AUTO_DISCOVER="0")) as off_srv, \
            requests.Session() as on, requests.Session() as off:
        samples: dict[str, list[float]] = {"on": [], "off": []}
        for i in range(warmup + count):
            for key, session, base in (("on", on, on_srv.base), ("off", off, off_srv.base)):
                ms = timed(session, "GET", base + "/v1/artifacts")[0]
                if i >= warmup:
                    samples[key].append(ms)
    on_s, off_s = summarize(samples["on"]), summarize(samples["off"])
    diff = statistics.median(a - b for a, b in zip(samples["on"], samples["off"], strict=True))
    return {"on": on_s, "off": off_s, "added_p50_ms": round(on_s["p50"] - off_s["p50"], 3),
            "added_paired_median_ms": round(diff, 3)}


def discovery_inprocess(data_dir: Path, make_context, calls: int = 2000) -> dict:
    """app.registry.sync.discovery.discover() per call when nothing changed (after its first full listing)."""
    from app.registry.sync.discovery import discover

    ctx = make_context(data_dir, auto_discover=True)
    try:
        start = time.perf_counter()
        discover(ctx)
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(calls):
            discover(ctx)
        per_call = (time.perf_counter() - start) / calls
    finally:
        ctx.close()
    return {"first_listing_ms": round(first * 1000, 1), "per_call_ms": round(per_call * 1000, 4)}


class RssSampler:
    """Samples VmRSS of every gunicorn worker every 20 ms in a thread."""

    def __init__(self, server: Server):
        self.server, self.peak, self._stop = server, {}, threading.Event()
        self.before = {pid: rss_kb(pid) for pid in server.workers()}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.before:
                rss = rss_kb(pid)["VmRSS"]
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.after = {pid: rss_kb(pid) for pid in self.before}

    def result(self) -> dict:
        """Per worker: RSS before, sampled peak, VmHWM before/after; growth = the largest of the workers."""
        workers = {str(pid): {"rss_before_kb": b["VmRSS"], "rss_peak_kb": self.peak.get(pid, 0),
                              "hwm_before_kb": b["VmHWM"], "hwm_after_kb": self.after[pid]["VmHWM"]}
                   for pid, b in self.before.items()}
        growth = max((w["rss_peak_kb"] - w["rss_before_kb"] for w in workers.values()), default=0)
        hwm = max((w["hwm_after_kb"] - w["hwm_before_kb"] for w in workers.values()), default=0)
        return {"workers": workers, "rss_growth_mb": round(growth / 1024, 1), "hwm_growth_mb": round(hwm / 1024, 1)}


class MultipartFile:
    """A multipart/form-data body streamed from a file (file-like with a length, so no chunking)."""

    def __init__(self, path: Path, boundary: str = "flowtimebenchboundary7e3f"):
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._parts = [
            (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nbench upload\r\n"
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
             "Content-Type: text/csv\r\n\r\n").encode(),
            path, f"\r\n--{boundary}--\r\n".encode()]
        self.len = len(self._parts[0]) + path.stat().st_size + len(self._parts[2])
        self._handle = open(path, "rb")
        self._stage = 0

    def read(self, size: int = -1) -> bytes:
        """Next bytes of preamble, file and epilogue."""
        size = 1 << 20 if size is None or size < 0 else size
        while self._stage < 3:
            if self._stage == 1:
                data = self._handle.read(size)
                if data:
                    return data
                self._handle.close()
            elif self._parts[self._stage]:
                data, self._parts[self._stage] = self._parts[self._stage], b""
                return data
            self._stage += 1
        return b""


def memory(data_dir: Path, csv_path: Path) -> dict:
    """Worker RSS growth while downloading a 1 GB file and while uploading a ~100 MB CSV."""
    run = next(p for p in sorted(data_dir.glob("run_*")) if p.is_dir())
    big = run / "bench-1g.bin"
    with open(big, "wb") as handle:  # real bytes (not sparse), written once per run
        block = os.urandom(1 << 20)
        for _ in range(GIB >> 20):
            handle.write(block)
    out: dict = {}
    try:
        with running(Server(data_dir, FLOWTIME_AUTO_DISCOVER="0")) as srv, requests.Session() as session:
            timed(session, "GET", srv.base + "/v1/artifacts")
            time.sleep(0.5)
            with RssSampler(srv) as sampler:
                start, received = time.perf_counter(), 0
                with session.get(f"{srv.base}/v1/artifacts/{run.name}/files/{big.name}", stream=True,
                                 timeout=300) as response:
                    response.raise_for_status()
                    for chunk in response.iter_content(1 << 20):
                        received += len(chunk)
                seconds = time.perf_counter() - start
            out["download_1g"] = {**sampler.result(), "bytes": received, "seconds": round(seconds, 2),
                                  "mb_per_s": round(received / 1e6 / seconds, 1)}
            print(f"  1 GB download: {out['download_1g']['rss_growth_mb']} MB growth, {seconds:.1f} s", flush=True)
            body = MultipartFile(csv_path)
            with RssSampler(srv) as sampler:
                start = time.perf_counter()
                response = session.post(srv.base + "/v1/telemetry", data=body, timeout=600,
                                        headers={"Content-Type": body.content_type})
                seconds = time.perf_counter() - start
            out["upload_csv"] = {**sampler.result(), "status": response.status_code, "bytes": body.len,
                                 "seconds": round(seconds, 2)}
            if response.status_code >= 300:
                out["upload_csv"]["error"] = response.text[:500]
            print(f"  CSV upload: {out['upload_csv']['rss_growth_mb']} MB growth, status {response.status_code}, "
                  f"{seconds:.1f} s", flush=True)
    finally:
        big.unlink(missing_ok=True)
        shutil.rmtree(data_dir / "telemetry", ignore_errors=True)
    return out
