"""A live gunicorn (as `make run` starts it) for end-to-end and reliability tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A gunicorn process tree serving one data directory."""

    data_dir: Path
    env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    port: int = 0
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        self.port = free_port()
        env = {**os.environ, "FLOWTIME_DATA_DIR": str(self.data_dir), "HOST": "127.0.0.1",
               "PORT": str(self.port), **self.env}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log_path = self.data_dir.parent / f"gunicorn-{self.port}.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): {self.log()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.log())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""

    def worker_pids(self) -> list[int]:
        """The worker processes: children of the master."""
        if self.process is None:
            return []
        try:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True,
                                 text=True, check=False).stdout
        except FileNotFoundError:  # no procps: read /proc
            out = "\n".join(p for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == self.process.pid)
        return [int(p) for p in out.split()]

    def kill_tree(self) -> None:
        """SIGKILL the whole gunicorn tree (a power cut, as far as the processes can tell)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


@contextmanager
def gunicorn(environment: dict[str, str], timeout: float = 60.0) -> Iterator[str]:
    """Run gunicorn with FLOWTIME_* settings (FLOWTIME_DATA_DIR included) on a free port; yield its URL."""
    data_dir = Path(environment["FLOWTIME_DATA_DIR"])
    server = LiveServer(data_dir, {k: v for k, v in environment.items() if k != "FLOWTIME_DATA_DIR"})
    server.start(timeout)
    try:
        yield server.base
    finally:
        server.stop()
