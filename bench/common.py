"""Shared helpers of the registry benchmark suite: percentiles, gunicorn process groups, timed requests."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def summarize(samples: list[float]) -> dict:
    """p50/p95/p99/mean/max of millisecond samples."""
    if not samples:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {"n": len(samples), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "p99": round(cuts[98], 2),
            "mean": round(statistics.fmean(samples), 2), "max": round(max(samples), 2)}


def git_commit() -> str:
    """`git rev-parse --short HEAD` of the repository (read-only)."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(data_dir: Path, **extra: str) -> dict:
    """Environment for flask/gunicorn subprocesses pointed at data_dir."""
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir), "FLOWTIME_LOG_LEVEL": "WARNING"}
    env.pop("FLOWTIME_DATABASE_URL", None)
    return {**env, **extra}


class Server:
    """gunicorn (gunicorn.conf.py, as `make run`) on a free loopback port in its own process group."""

    def __init__(self, data_dir: Path, startup_timeout: float = 600, **extra: str):
        self.data_dir, self.startup_timeout, self.extra = data_dir, startup_timeout, extra
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.log = None

    def start(self) -> str:
        """Start gunicorn and wait for GET /healthz; returns the base URL."""
        port = free_port()
        self.log = open(Path(tempfile.gettempdir()) / f"flowtime-bench-gunicorn-{port}.log", "wb")
        env = app_env(self.data_dir, HOST="127.0.0.1", PORT=str(port), **self.extra)
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile",
                                      "/dev/null"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline, start = time.monotonic() + self.startup_timeout, time.perf_counter()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not healthy after {self.startup_timeout} s; see {self.log.name}")
            time.sleep(0.1)
        self.startup_s = round(time.perf_counter() - start, 2)
        print(f"gunicorn {self.base} {self.extra or ''} healthy after {self.startup_s} s", flush=True)
        return self.base

    def workers(self) -> list[int]:
        """Pids of the worker processes (children of the master)."""
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None
        if self.log:
            self.log.close()


@contextmanager
def running(server: Server):
    """Start a server and always stop it (even when start-up fails half-way)."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


def timed(session: requests.Session, method: str, url: str, timeout: float = 30, **kwargs) -> tuple[float, dict]:
    """One request; returns (milliseconds, JSON body); raises on an error status or a timeout."""
    start = time.perf_counter()
    response = session.request(method, url, timeout=timeout, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def repeat(fn, count: int, warmup: int, budget_s: float) -> dict:
    """Call fn() (which returns milliseconds) warmup+count times within a time budget; percentiles."""
    samples, start = [], time.perf_counter()
    for i in range(warmup + count):
        ms = fn()
        if i >= warmup:
            samples.append(ms)
        if time.perf_counter() - start > budget_s and len(samples) >= 3:
            break
    return summarize(samples)


def rss_kb(pid: int) -> dict:
    """VmRSS and VmHWM of a process in kB (0 when it is gone)."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in values:
                values[key] = int(line.split()[1])
    except OSError:
        pass
    return values
