"""POST /v1/run of the hello model through gunicorn (as `make run` serves it): p50/p95 latency."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HELLO = (ROOT / "app" / "demo" / "hello.yaml").read_bytes()


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(data_dir: str, port: int) -> subprocess.Popen:
    """gunicorn over a fresh data directory, healthy before returning."""
    env = {**os.environ, "FLOWTIME_DATA_DIR": data_dir, "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                "--access-logfile", "/dev/null"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("gunicorn did not start")


def main() -> int:
    """Time N runs of the hello model and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        process = start(data_dir, port)
        try:
            session = requests.Session()
            url = f"http://127.0.0.1:{port}/v1/run"
            headers = {"Content-Type": "text/plain"}
            for _ in range(20):
                session.post(url, data=HELLO, headers=headers, timeout=30).raise_for_status()
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                session.post(url, data=HELLO, headers=headers, timeout=30).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"POST /v1/run (hello), {args.requests} requests through gunicorn\n")
    print("| measure | ms | target |\n|---|---|---|")
    print(f"| p50 | {statistics.median(times):.1f} | < 30 |")
    print(f"| p95 | {p95:.1f} | - |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
