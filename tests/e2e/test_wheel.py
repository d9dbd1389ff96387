"""The built wheel, installed non-editable into a fresh venv, migrates, serves and runs its CLI from any directory.

The fresh venv borrows the test venv's third-party packages through a .pth file (installed dependencies, not
the project: the editable install's finder is a .pth of the test venv's own, which a borrowed path does not
run), so the test is quick and needs no index; the project itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
import requests

from tests.conftest import EXAMPLES
from tests.live import ROOT, free_port

pytestmark = pytest.mark.slow
SOURCE_IGNORE = shutil.ignore_patterns(".venv", ".git", "data", "build", "dist", "*.egg-info", "__pycache__",
                                       ".pytest_cache", ".hypothesis", ".ruff_cache", "tests", "bench")


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel` of a copy of the checkout (so the build leaves nothing in the work tree)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORE)
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", str(base / "dist"), str(source)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower().replace("is ignored", ""), done.stderr
    (built,) = (base / "dist").glob("flowtime_registry-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel (non-editable); returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    done = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                 str(wheel)])
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


@pytest.fixture
def workdir(tmp_path) -> tuple[Path, dict]:
    """An empty directory outside the checkout and an environment whose data directory does not exist yet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWTIME_", "PYTHON"))}
    env["FLOWTIME_DATA_DIR"] = str(tmp_path / "fresh" / "data")
    return tmp_path, env


def test_wheel_ships_every_package_migrations_and_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in sorted(p for p in (ROOT / "app").rglob("__init__.py") if "__pycache__" not in p.parts):
        assert str(package.relative_to(ROOT)) in names
    shipped_revisions = {n.rsplit("/", 1)[1] for n in names if n.startswith("app/migrations/versions/0")}
    assert shipped_revisions == {p.name for p in (ROOT / "migrations" / "versions").glob("0*.py")}
    assert {"app/migrations/alembic.ini", "app/migrations/env.py", "app/gunicorn_settings.py", "app/wsgi.py",
            "app/ui/static/css/app.css", "app/ui/templates/ui/page.html"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_installed_copy_is_the_wheel_not_the_checkout(installed, workdir):
    cwd, env = workdir
    done = _run([str(installed / "python"), "-c", "import app, importlib.metadata as m; print(app.__file__); "
                 "print(m.version('flowtime-registry'))"], cwd=cwd, env=env)
    location, version = done.stdout.split()
    assert Path(location).is_relative_to(installed.parent), location
    assert version == "0.1.0"


def test_cli_from_any_directory(installed, workdir):
    cwd, env = workdir
    script = str(installed / "flowtime-registry")
    upgraded = _run([script, "db", "upgrade"], cwd=cwd, env=env)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    ran = _run([script, "engine", "run", str(EXAMPLES / "hello.yaml"), "--seed", "1"], cwd=cwd, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for command in (["registry", "rescan"], ["registry", "check"], ["registry", "stats"], ["db", "current"]):
        done = _run([script, *command], cwd=cwd, env=env)
        assert done.returncode == 0, (command, done.stdout + done.stderr)
    assert '"total": 1' in _run([script, "registry", "stats"], cwd=cwd, env=env).stdout
    assert _run([script, "--version"], cwd=cwd, env=env).stdout.strip() == "flowtime-registry, version 0.1.0"
    assert "engine" in _run([script, "--help"], cwd=cwd, env=env).stdout


def test_configuration_mistake_is_one_line_and_exit_1(installed, workdir):
    cwd, env = workdir
    for command in (["registry", "stats"], ["serve", "--port", str(free_port())]):
        done = _run([str(installed / "flowtime-registry"), *command], cwd=cwd,
                    env={**env, "FLOWTIME_AUTO_DISCOVER": "maybe"})
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert "FLOWTIME_AUTO_DISCOVER" in lines[-1] and "'maybe'" in lines[-1], done.stderr
        assert "Traceback" not in done.stderr


def test_serve_answers_api_and_ui_assets(installed, workdir):
    cwd, env = workdir
    port = free_port()
    log = (cwd / "serve.log").open("wb")
    process = subprocess.Popen([str(installed / "flowtime-registry"), "serve", "--port", str(port), "--workers", "1"],
                               cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base, cwd / "serve.log")
        listed = requests.get(f"{base}/v1/artifacts", timeout=10)
        assert listed.status_code == 200 and listed.json()["total"] == 0
        page = requests.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        asset = requests.get(f"{base}/ui/static/css/app.css", timeout=10)
        assert asset.status_code == 200 and "text/css" in asset.headers["Content-Type"] and asset.content
        assert Path(env["FLOWTIME_DATA_DIR"], "registry.db").is_file()  # the missing data directory was created
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    assert process.returncode == 0, (cwd / "serve.log").read_text()


def _wait_healthy(process: subprocess.Popen, base: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError("flowtime-registry serve did not answer: " + log.read_text()[-4000:])
