"""Browser tests of the UI: a live threaded server over a seeded data directory, driven by Playwright + Chromium.

Chromium comes from the system (Debian's `chromium`, see scripts/install-browser.sh); Playwright never downloads
a browser. Without Chromium or Playwright the tests are skipped, unless FLOWTIME_E2E_REQUIRED=1 (then they fail).
Screenshots go to tests/e2e/ui/output/ (FLOWTIME_E2E_OUTPUT overrides), with the console log on failure.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import EXAMPLES, make_app
from tests.e2e.ui.ui_helpers import BULK, TELEMETRY_CSV, safe_name

CHROMIUM = os.environ.get("FLOWTIME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
OUTPUT = Path(os.environ.get("FLOWTIME_E2E_OUTPUT", Path(__file__).parent / "output"))
REQUIRED = os.environ.get("FLOWTIME_E2E_REQUIRED") == "1"


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"browser tests required (FLOWTIME_E2E_REQUIRED=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (run scripts/install-browser.sh and pip install playwright)")


@pytest.fixture(scope="session")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


class Seeded(dict):
    """Ids of the seeded artifacts by role."""


def _seed(client) -> Seeded:
    seeded = Seeded(bulk=[])

    def run_yaml(path: Path, seed: int, title: str | None = None, tags: list[str] | None = None) -> str:
        response = client.post(f"/v1/run?seed={seed}", data=path.read_bytes(), headers={"Content-Type": "text/plain"})
        assert response.status_code == 200, response.get_json()
        run_id = response.get_json()["runId"]
        changes = {k: v for k, v in (("title", title), ("tags", tags)) if v is not None}
        if changes:
            assert client.patch(f"/v1/artifacts/{run_id}", json=changes).status_code == 200
        return run_id

    seeded["hello"] = run_yaml(EXAMPLES / "hello.yaml", 1, "Hello capacity baseline", ["example", "baseline"])
    seeded["hello2"] = run_yaml(EXAMPLES / "hello.yaml", 2, "Hello capacity variant", ["example"])
    seeded["it"] = run_yaml(EXAMPLES / "it-system.yaml", 3, "IT system example", ["example", "it"])
    seeded["transport"] = run_yaml(EXAMPLES / "transportation.yaml", 4, "Transportation network", ["example"])
    model = client.post("/v1/templates/baseline/instantiate",
                        json={"parameters": {"bins": 12, "demand": 40}, "title": "Baseline template model",
                              "tags": ["templated"]})
    assert model.status_code == 201, model.get_json()
    seeded["model"] = model.get_json()["modelId"]
    model2 = client.post("/v1/templates/baseline/instantiate",
                         json={"parameters": {"bins": 10, "demand": 50}, "title": "Baseline template model two"})
    seeded["model2"] = model2.get_json()["modelId"]
    run = client.post(f"/v1/models/{seeded['model']}/run?seed=5")
    assert run.status_code == 200, run.get_json()
    seeded["model_run"] = run.get_json()["runId"]
    telemetry = client.post("/v1/telemetry", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(TELEMETRY_CSV.encode()), "arrivals.csv"),
                                  "title": "Imported arrivals telemetry", "tags": "imported"})
    assert telemetry.status_code == 201, telemetry.get_json()
    seeded["telemetry"] = telemetry.get_json()["id"]
    shifted = TELEMETRY_CSV.replace(",1", ",2")  # same series, other values: non-zero deltas
    telemetry2 = client.post("/v1/telemetry", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(shifted.encode()), "arrivals-2.csv"),
                                   "title": "Imported arrivals telemetry week two", "tags": "imported"})
    assert telemetry2.status_code == 201, telemetry2.get_json()
    seeded["telemetry2"] = telemetry2.get_json()["id"]
    for i in range(BULK):
        seeded["bulk"].append(run_yaml(EXAMPLES / "hello.yaml", 100 + i, f"Bulk sweep {i:02d}", ["bulk"]))
    return seeded


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """(base_url, seeded ids): the app served by a threaded werkzeug server on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("ui") / "data"
    data_dir.mkdir()
    app = make_app(data_dir)
    if "ui" not in app.blueprints:  # until create_app wires it
        from app.ui import register_ui

        register_ui(app)
    seeded = _seed(app.test_client())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ui-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seeded
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["flowtime"].close()


@pytest.fixture(scope="session")
def output_dir():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for stale in OUTPUT.glob("FAILED-*"):  # failures of an earlier session
        stale.unlink()
    return OUTPUT


class Console:
    """Console errors, page errors and failed requests of one page."""

    def __init__(self):
        self.entries: list[str] = []
        self.errors: list[str] = []

    def attach(self, page):
        def on_console(message):
            self.entries.append(f"[{message.type}] {message.text}")
            if message.type == "error":
                self.errors.append(message.text)

        def on_page_error(error):
            self.entries.append(f"[pageerror] {error}")
            self.errors.append(f"pageerror: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def unexpected(self, allow_http: tuple[int, ...] = ()) -> list[str]:
        """Errors other than the browser's own note about an expected HTTP error status."""
        out = []
        for text in self.errors:
            status = re.search(r"Failed to load resource: the server responded with a status of (\d+)", text)
            if status and int(status.group(1)) in allow_http:
                continue
            out.append(text)
        return out

    def assert_clean(self, allow_http: tuple[int, ...] = ()):
        errors = self.unexpected(allow_http)
        assert not errors, "console errors:\n" + "\n".join(errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, live_server, output_dir, request):
    """A fresh page (1280x900) whose console is checked after the test; screenshot + log saved on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server[0])
    context.set_default_timeout(10_000)
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.console = console
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        stem = output_dir / f"FAILED-{safe_name(request.node.name)}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
        except Exception as exc:  # the page may be gone; the log still matters
            console.entries.append(f"[screenshot failed] {exc}")
        Path(f"{stem}.console.log").write_text("\n".join(console.entries) + "\n", encoding="utf-8")
        print(f"\nscreenshot and console log: {stem}.png / .console.log")
    context.close()


@pytest.fixture
def fresh_run(live_server):
    """A new run of hello.yaml (for tests that change or delete an artifact), made via the live API."""
    import requests

    base, _ = live_server
    response = requests.post(f"{base}/v1/run?seed=77", data=(EXAMPLES / "hello.yaml").read_bytes(),
                             headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["runId"]

