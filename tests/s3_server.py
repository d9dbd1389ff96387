"""A throw-away S3 endpoint for tests: moto's standalone server on a free loopback port.

    with aws_test_environment(), moto_server() as endpoint:
        boto3.client("s3", endpoint_url=endpoint)...

Nothing here talks to real AWS: dummy credentials are set, the instance-metadata lookup is disabled and
the shared config/credential files are pointed at nothing, so the default boto3 chain only finds the
dummy keys.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def moto_available() -> str | None:
    """None when boto3 and moto's server can be imported, else the reason they cannot."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        return f"boto3/moto[server] not installed ({exc.name})"
    return None


@contextmanager
def aws_test_environment() -> Iterator[None]:
    """Set dummy AWS credentials and region for the block (restored afterwards)."""
    saved = {name: os.environ.get(name) for name in TEST_ENVIRONMENT}
    os.environ.update(TEST_ENVIRONMENT)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ready(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def reset(endpoint: str) -> None:
    """Drop every bucket and object the server holds."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


@contextmanager
def moto_server(timeout: float = 30.0) -> Iterator[str]:
    """Run `python -m moto.server` on 127.0.0.1 and yield its endpoint URL; stop it afterwards."""
    env = {**os.environ, **TEST_ENVIRONMENT}
    for attempt in range(3):  # the free port could be taken between probing and binding: retry
        port = _free_port()
        endpoint = f"http://127.0.0.1:{port}"
        log = tempfile.TemporaryFile()
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline and not _ready(endpoint):
            time.sleep(0.1)
        if process.poll() is None and _ready(endpoint):
            break
        _stop(process)
        log.seek(0)
        output = log.read().decode(errors="replace")[-2000:]
        log.close()
        if attempt == 2:
            raise RuntimeError(f"moto server did not start on {endpoint}:\n{output}")
    try:
        yield endpoint
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
