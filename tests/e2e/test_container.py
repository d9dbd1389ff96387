"""The container image, built from the Dockerfile: non-root, a fresh /data volume migrated, API and UI served,
healthy by its own HEALTHCHECK, data kept across a new container on the same volume.

Needs podman with runc and a Debian bookworm base image (scripts/install-containers.sh makes one with
debootstrap when no image registry is reachable); skipped without them unless FLOWTIME_BACKENDS_REQUIRED=1.
A TLS-inspecting proxy's CA bundle (FLOWTIME_CONTAINER_CA, default the system bundle) is handed to the build
as the `pip-ca` secret.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.backends import required
from tests.conftest import EXAMPLES
from tests.live import ROOT, free_port

pytestmark = pytest.mark.slow
BASE = os.environ.get("FLOWTIME_CONTAINER_BASE", "localhost/flowtime-debian-base:bookworm")
CA_BUNDLE = Path(os.environ.get("FLOWTIME_CONTAINER_CA", "/etc/ssl/certs/ca-certificates.crt"))
TOKEN = "container-test-token-0123456789"
PODMAN = ["podman", "--runtime", "runc"]


def _podman(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)


def _logs(container: str) -> str:
    said = _podman("logs", container)
    return said.stdout + said.stderr


@pytest.fixture(scope="module")
def image() -> str:
    """The image built from the checkout's Dockerfile on BASE."""
    missing = [tool for tool in ("podman", "runc") if shutil.which(tool) is None]
    if missing or _podman("image", "exists", BASE).returncode != 0:
        reason = f"{', '.join(missing)} missing" if missing else f"no base image {BASE}"
        if required():
            pytest.fail(f"container test required (FLOWTIME_BACKENDS_REQUIRED=1) but {reason}")
        pytest.skip(f"container test skipped: {reason} (run scripts/install-containers.sh)")
    tag = f"localhost/flowtime-registry:e2e-{uuid.uuid4().hex[:8]}"
    secret = ["--secret", f"id=pip-ca,src={CA_BUNDLE}"] if CA_BUNDLE.is_file() else []
    # docker format: the OCI image format has no HEALTHCHECK
    built = _podman("build", "--format", "docker", *secret, "--build-arg", f"BASE={BASE}", "-t", tag, str(ROOT),
                    timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    yield tag
    _podman("rmi", "-f", tag)


@pytest.fixture
def volume() -> str:
    name = f"flowtime-e2e-{uuid.uuid4().hex[:8]}"
    yield name
    _podman("volume", "rm", "-f", name)


def _start(image: str, volume: str, port: int) -> str:
    started = _podman("run", "-d", "--network", "host", "-e", f"PORT={port}", "-e", f"FLOWTIME_API_TOKENS={TOKEN}:admin",
                      "-v", f"{volume}:/data", image)
    assert started.returncode == 0, started.stderr
    container = started.stdout.strip()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return container
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    logs = _logs(container)
    _podman("rm", "-f", container)
    pytest.fail(f"the container never became healthy:\n{logs[-3000:]}")


def test_image_runs_as_non_root_serves_and_keeps_its_data(image, volume):
    port = free_port()
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {TOKEN}"}
    container = _start(image, volume, port)
    try:
        assert _podman("exec", container, "id", "-u").stdout.strip() == "10001"
        assert requests.get(f"{base}/v1/artifacts", timeout=10).status_code == 401  # tokens are enforced
        run = requests.post(f"{base}/v1/run?seed=7", data=(EXAMPLES / "hello.yaml").read_bytes(),
                            headers={**auth, "Content-Type": "text/plain"}, timeout=60)
        assert run.status_code == 200, run.text
        listed = requests.get(f"{base}/v1/artifacts", headers=auth, timeout=10).json()
        assert [a["id"] for a in listed["artifacts"]] == [run.json()["runId"]]
        assert requests.get(f"{base}/", timeout=10).status_code == 200
        assert requests.get(f"{base}/ui/static/css/app.css", timeout=10).status_code == 200
        assert _podman("healthcheck", "run", container).returncode == 0
    finally:
        _podman("rm", "-f", "-t", "10", container)
    again = _start(image, volume, port)
    try:
        kept = requests.get(f"{base}/v1/artifacts", headers=auth, timeout=10).json()
        assert [a["id"] for a in kept["artifacts"]] == [run.json()["runId"]]
    finally:
        _podman("rm", "-f", again)


def test_without_tokens_the_server_stays_on_loopback_and_says_so(image, volume):
    port = free_port()
    started = _podman("run", "-d", "--network", "host", "-e", f"PORT={port}", "-v", f"{volume}:/data", image)
    container = started.stdout.strip()
    try:
        deadline = time.monotonic() + 60
        while "instead of 0.0.0.0" not in (said := _logs(container)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "no FLOWTIME_API_TOKENS set, so binding 127.0.0.1 instead of 0.0.0.0" in said
    finally:
        _podman("rm", "-f", container)
