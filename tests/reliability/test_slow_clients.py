"""The documented one-machine deployment (scripts/serve-proxied.sh: nginx in front of gunicorn) under slow clients.

64 connections trickle one header byte per second while /healthz is polled through the same front end;
nginx's own errors (400/413/414/431/502) come in the registry's JSON error shape. Loopback only.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.backends import unavailable
from tests.live import ROOT, free_port
from tests.reliability.conftest import assert_error_shape

pytestmark = pytest.mark.slow
SLOW_CLIENTS = 64
TRICKLE_SECONDS = 8
FIGURES: dict[str, object] = {}


def nginx_binary() -> str:
    """The nginx binary, or a skip (a failure when FLOWTIME_BACKENDS_REQUIRED=1)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found is None:
        unavailable("nginx", "nginx is not installed (scripts/install-nginx.sh)")
    return found


def wait_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve-proxied.sh exited ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("the proxied server did not start: " + log.read_text()[-3000:])


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """scripts/serve-proxied.sh on free loopback ports (one for the module); yields (base URL, port)."""
    nginx_binary()
    tmp_path = tmp_path_factory.mktemp("proxied")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port, upstream = free_port(), free_port()
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir), "HOST": "127.0.0.1", "PORT": str(port),
           "UPSTREAM_PORT": str(upstream), "NGINX_RUN_DIR": str(tmp_path / "nginx"),
           "BIN": str(Path(sys.executable).parent)}
    log = tmp_path / "serve-proxied.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "serve-proxied.sh")], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log)
        yield base, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def raw_request(port: int, data: bytes, timeout: float = 10) -> tuple[int, bytes, bytes]:
    """Send raw bytes; return (status, head, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:  # nginx may reset after answering a request it refuses
            if not received:
                raise
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def test_64_slow_clients_do_not_delay_healthz(proxied):
    base, port = proxied
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sock.setblocking(False)
        slow.append(sock)
    latencies, statuses = [], []
    started = time.monotonic()
    next_byte = started
    try:
        while time.monotonic() - started < TRICKLE_SECONDS:
            if time.monotonic() >= next_byte:  # one more header byte per connection per second
                for sock in slow:
                    try:
                        sock.send(b"a")
                    except OSError:
                        pass
                next_byte += 1
            begun = time.monotonic()
            try:
                statuses.append(requests.get(f"{base}/healthz", timeout=5).status_code)
            except requests.RequestException:
                statuses.append(0)
            latencies.append(time.monotonic() - begun)
            time.sleep(0.1)
    finally:
        for sock in slow:
            sock.close()
    FIGURES.update(polls=len(latencies), worst_ms=round(max(latencies) * 1000, 1))
    assert len(latencies) >= TRICKLE_SECONDS * 3
    assert set(statuses) == {200}, statuses
    assert max(latencies) < 1.0, f"slowest /healthz took {max(latencies):.2f} s"


def test_nginx_errors_use_the_json_shape(proxied):
    _, port = proxied
    cases = {
        400: b"GARBAGE\r\n\r\n",
        414: b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        431: b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\nConnection: close\r\n\r\n",
        413: b"POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 999999999\r\n"
             b"Connection: close\r\n\r\n",
    }
    for expected, data in cases.items():
        status, head, body = raw_request(port, data)
        assert status == expected, (expected, head)
        assert b"application/json" in head.lower()
        assert_error_shape(expected, body, f"nginx {expected}")


def test_heads_gunicorn_alone_would_answer_in_html_reach_the_registry(proxied):
    base, port = proxied
    many = {f"X-Extra-{i}": "a" for i in range(150)}  # gunicorn's default limit is 100 header fields
    assert requests.get(f"{base}/healthz", headers=many, timeout=10).status_code == 200
    long_id = requests.get(f"{base}/v1/artifacts/{'a' * 6000}", timeout=10)  # over gunicorn's 4094-byte line
    assert long_id.status_code == 400 and long_id.json()["code"] == "bad_request"
    status, head, body = raw_request(port, b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 404
    assert_error_shape(404, body, "registry 404 through nginx")


def test_same_origin_writes_work_through_the_front_end(proxied):
    base, port = proxied
    model = "grid:\n  bins: 2\n  binSize: 1\n  binUnit: hours\nnodes:\n  - id: a\n    kind: const\n    values: [1, 2]\n"
    ok = requests.post(f"{base}/v1/run", data=model, timeout=30,
                       headers={"Content-Type": "text/plain", "Origin": f"http://127.0.0.1:{port}"})
    assert ok.status_code == 200, ok.text
    foreign = requests.post(f"{base}/v1/run", data=model, timeout=30,
                            headers={"Content-Type": "text/plain", "Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["code"] == "forbidden"


def test_a_dead_upstream_is_a_json_502(tmp_path):
    nginx = nginx_binary()
    port = free_port()
    run_dir = tmp_path / "nginx"
    conf = subprocess.run([sys.executable, str(ROOT / "scripts" / "nginx_conf.py"), "--listen", f"127.0.0.1:{port}",
                           "--upstream", f"127.0.0.1:{free_port()}", "--run-dir", str(run_dir)],
                          check=True, capture_output=True, text=True).stdout.strip()
    process = subprocess.Popen([nginx, "-e", "stderr", "-p", str(run_dir), "-c", conf, "-g", "daemon off;"],
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
                time.sleep(0.1)
        assert response.status_code == 502 and response.headers["Retry-After"] == "5"
        assert_error_shape(502, response.content, "nginx 502")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_zz_report_figures():
    """Print the measured figures (`-s`) for RELIABILITY.md."""
    if FIGURES:
        print(f"\nslow clients: {SLOW_CLIENTS} for {TRICKLE_SECONDS} s, /healthz polls {FIGURES['polls']}, "
              f"worst {FIGURES['worst_ms']} ms")
