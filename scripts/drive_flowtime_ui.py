#!/usr/bin/env python3
"""Drive FlowTime's own SvelteKit UI against this registry in headless Chromium and check what it shows.

This script does NOT fetch or build FlowTime. It drives a FlowTime UI (the SvelteKit app in FlowTime's
`ui/` folder) that you built yourself, outside this repository, and that talks to a registry on
127.0.0.1:8081 (FlowTime's Vite config proxies `/v1` and `/healthz` to `localhost:8081`):

    FLOWTIME_DATA_DIR=/tmp/ui-drive-data make run PORT=8081 &          # the registry, seeded with demo runs
    .venv/bin/python scripts/drive_flowtime_ui.py --ui-url http://127.0.0.1:4173
    .venv/bin/python scripts/drive_flowtime_ui.py --ui-dir /path/to/FlowTime/ui   # already built

With `--ui-url` the UI must already be served (by `vite preview` or `vite dev`). With `--ui-dir` the folder
must hold an already built UI (`.svelte-kit/output` and `node_modules`); the script serves it with
`node_modules/.bin/vite preview --host 127.0.0.1` for the run and stops it afterwards. Only loopback
addresses are used. `FLOWTIME_UI_URL` / `FLOWTIME_UI_DIR` may stand in for the options.

Checks: the home page's API dot is green and /v1/runs answers a count; the health page shows the FlowTime
API healthy; the artifacts page shows one card per artifact with its size and file count; an artifact's
detail page lists its real file names and opening a file (a top-level one and a nested one) shows its text.
Console errors and failed requests (4xx/5xx, network errors) are collected; those of FlowTime's Simulation
API (`/api/v1/...`, a separate service on port 8090 that the registry does not provide) are listed but
ignored. Screenshots go to --shots (default /tmp/ui-drive-shots).

Exit status: 0 when every check passes or when skipped (no UI given, or --ui-dir holds no built UI);
1 when a check fails. Uses Playwright from the project's venv with the system Chromium (never downloads one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SIM_PREFIX = "/api/v1/"  # FlowTime-Sim's API, proxied to :8090 by FlowTime's Vite config; not ours
NOT_OURS = {  # request paths whose failures are FlowTime's side, not the registry's
    SIM_PREFIX: "FlowTime's Simulation API (:8090), not the registry",
    "/favicon.png": "FlowTime's app.html links a favicon.png that its ui/static does not ship",
}
SKIPPED = "skipped: no FlowTime UI given/found"


def format_size(n: int) -> str:
    """FlowTime's formatSize() from routes/time-travel/artifacts."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def get(url: str, as_json: bool = True):
    with urllib.request.urlopen(url, timeout=10) as res:
        body = res.read().decode("utf-8", "replace")
    return json.loads(body) if as_json else body


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


class Driver:
    def __init__(self, page, base: str, shots: Path):
        self.page, self.base, self.shots = page, base.rstrip("/"), shots
        self.results: list[tuple[bool, str]] = []
        self.items: list[dict] = []  # the artifact listing, as the artifacts page loads it
        self.console: list[str] = []
        self.ignored: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        page.on("response", self._on_response)
        page.on("requestfailed", lambda req: self._record(req.url, f"{req.method} {req.url} -> {req.failure}"))

    @staticmethod
    def not_ours(url: str) -> str | None:
        path = urlsplit(url).path
        return next((why for prefix, why in NOT_OURS.items() if path.startswith(prefix)), None)

    def _record(self, url: str, line: str, into: list[str] | None = None):
        why = self.not_ours(url)
        if why:
            self.ignored.append(f"{line} [{why}]")
        else:
            (self.failed if into is None else into).append(line)

    def _on_response(self, res):
        if res.status >= 400:
            self._record(res.url, f"{res.request.method} {res.url} -> {res.status}")

    def _on_console(self, msg):
        if msg.type == "error":
            where = (msg.location or {}).get("url", "")
            self._record(where, f"console: {msg.text} ({where})" if where else f"console: {msg.text}", self.console)

    def check(self, ok: bool, what: str):
        self.results.append((bool(ok), what))
        print(f"{'PASS' if ok else 'FAIL'}  {what}")

    def shot(self, name: str):
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def goto(self, path: str):
        self.page.goto(self.base + path, wait_until="networkidle")

    def settle(self):
        """Wait for the page's loading skeletons (`.animate-pulse`) to go; a page that crashed keeps them."""
        try:
            self.page.wait_for_function("() => !document.querySelector('.animate-pulse')", timeout=10_000)
        except Exception:
            print("note  page still shows loading placeholders after 10 s")

    def api(self, path: str, as_json: bool = True):
        return get(self.base + path, as_json)  # through the UI's own proxy, as the browser calls it

    # --- pages ---------------------------------------------------------------------------------------

    def home(self):
        with self.page.expect_response(lambda r: "/v1/runs?" in r.url and SIM_PREFIX not in r.url) as info:
            self.goto("/")
        res = info.value
        body = res.json() if res.ok else {}
        count = body.get("totalCount")
        self.check(res.ok and isinstance(count, int), f"home: GET /v1/runs -> {res.status}, totalCount={count!r}")
        self.page.wait_for_function(
            "() => ![...document.querySelectorAll('span.size-2.rounded-full')].some(e => e.className.includes('animate-pulse'))",
            timeout=10_000)
        dot = self.page.locator("xpath=//span[normalize-space(.)='API']/span[contains(@class,'rounded-full')]")
        self.check("bg-emerald-500" in (dot.get_attribute("class") or ""), "home: API status dot is green")
        badge = self.page.locator("a[href='/time-travel/artifacts'] span.bg-primary")
        shown = badge.inner_text().strip() if badge.count() else None
        # FlowTime's routes/+page.svelte builds its cards once, before the count arrives, so the badge
        # stays empty whatever /v1/runs returns; reported, not checked.
        print(f"note  home: Artifacts card badge = {shown!r}")
        self.shot("home")

    def health(self):
        self.goto("/health")
        card = self.page.locator("[data-slot='card']", has_text="FlowTime API").first
        self.page.wait_for_function("() => !document.body.innerText.includes('Checking...')", timeout=10_000)
        text = " ".join(card.inner_text().split())
        green = card.locator(".bg-emerald-500").count() > 0
        self.check(green and "Healthy" in text, f"health: FlowTime API card green and Healthy ({text!r})")
        self.shot("health")

    def artifacts(self):
        listing = self.api("/v1/artifacts?limit=100&sortBy=created&sortOrder=desc")
        items = self.items = listing.get("artifacts", [])
        self.goto("/time-travel/artifacts")
        self.page.wait_for_selector("h1:has-text('Run Artifacts')")
        self.settle()
        self.shot("artifacts")
        cards = self.page.locator("a[href^='/time-travel/artifacts/']")
        self.check(cards.count() == len(items) > 0,
                   f"artifacts: {cards.count()} cards for {len(items)} artifacts (API total={listing.get('total')})")
        for i, item in enumerate(items[: cards.count()]):
            text = " ".join(cards.nth(i).inner_text().split())
            files = item.get("files")
            size = item.get("totalSize")
            want_files = f"{len(files)} file{'s' if len(files) != 1 else ''}" if isinstance(files, list) else None
            want_size = format_size(size) if isinstance(size, int) else None
            ok = bool(want_files and want_size) and want_files in text and want_size in text
            self.check(ok and item.get("title", "") in text,
                       f"artifacts: card {item.get('id')} shows size {want_size!r} and {want_files!r}: {text!r}")

    def detail(self):
        if not self.items:
            self.check(False, "detail: no artifact to open")
            return
        art_id = self.items[0]["id"]
        card = self.page.locator("a[href^='/time-travel/artifacts/']").first
        if card.count():  # the way a user gets there; else straight to the URL
            card.click()
            self.page.wait_for_url(f"**/time-travel/artifacts/{quote(art_id, safe='')}")
            self.page.wait_for_load_state("networkidle")
        else:
            self.goto(f"/time-travel/artifacts/{quote(art_id, safe='')}")
        self.settle()
        detail = self.api(f"/v1/artifacts/{quote(art_id, safe='')}")
        files = detail.get("files")
        shown = [" ".join(t.split()) for t in self.page.locator("button:has(svg) span.truncate").all_inner_texts()]
        self.shot("artifact-detail")
        self.check(isinstance(files, list) and all(isinstance(f, str) for f in files) and shown == files and files,
                   f"detail: {art_id} lists {len(shown)} file names {shown[:4]}... (API files: {str(files)[:120]})")
        if not shown:
            return
        top = next((f for f in shown if "/" not in f and f.endswith((".yaml", ".json"))), shown[0])
        nested = next((f for f in shown if "/" in f), None)
        for name, shot in ((top, "artifact-file"), (nested, "artifact-file-nested")):
            if name is None:
                continue
            with self.page.expect_response(lambda r: "/files/" in r.url) as info:
                self.page.locator("button", has_text=name).first.click()
            res = info.value
            self.page.wait_for_selector("pre code")
            code = self.page.locator("pre code").inner_text()
            want = self.api(f"/v1/artifacts/{quote(art_id, safe='')}/files/{quote(name, safe='')}", as_json=False)
            self.check(res.ok and code.strip() == want.strip() and code.strip() != "",
                       f"detail: open {name} -> GET {urlsplit(res.url).path} {res.status}, "
                       f"{len(code)} chars shown: {code.strip()[:60]!r}")
            self.shot(shot)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ui-url", default=os.environ.get("FLOWTIME_UI_URL"), help="an already served FlowTime UI")
    ap.add_argument("--ui-dir", default=os.environ.get("FLOWTIME_UI_DIR"), help="an already built FlowTime ui/")
    ap.add_argument("--port", type=int, default=4173, help="port for `vite preview` with --ui-dir (4173)")
    ap.add_argument("--shots", type=Path, default=Path("/tmp/ui-drive-shots"), help="screenshot folder")
    ap.add_argument("--chromium", default=os.environ.get("FLOWTIME_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()

    preview = None
    if args.ui_url:
        base = args.ui_url
    elif args.ui_dir:
        ui = Path(args.ui_dir)
        vite = ui / "node_modules" / ".bin" / "vite"
        if not (vite.exists() and (ui / ".svelte-kit" / "output").is_dir()):
            print(f"{SKIPPED} ({ui} holds no built UI: needs node_modules/.bin/vite and .svelte-kit/output)")
            return 0
        base = f"http://127.0.0.1:{args.port}"
        args.shots.mkdir(parents=True, exist_ok=True)
        log = open(args.shots / "vite-preview.log", "w")  # kept open while the server runs
        print(f"serving {ui} with `vite preview` at {base} (log: {log.name})")
        preview = subprocess.Popen([str(vite), "preview", "--host", "127.0.0.1", "--port", str(args.port),
                                    "--strictPort"], cwd=ui, stdout=log, stderr=subprocess.STDOUT)
    else:
        print(SKIPPED)
        return 0
    if urlsplit(base).hostname not in LOOPBACK:
        print(f"FAIL  {base} is not a loopback address; this script only drives a local UI")
        return 1
    try:
        if not wait_for(base, 30) or (preview is not None and preview.poll() is not None):
            print(f"FAIL  no FlowTime UI answers at {base}" + (" (vite preview exited; port busy?)" if preview else ""))
            return 1
        return drive(base, args)
    finally:
        if preview is not None:
            preview.terminate()
            preview.wait(timeout=10)
            log.close()


def drive(base: str, args) -> int:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("FAIL  playwright is not installed in this Python (use the project's .venv/bin/python)")
        return 1
    args.shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        d = Driver(page, base, args.shots)
        for name, step in (("home", d.home), ("health", d.health), ("artifacts", d.artifacts),
                           ("detail", d.detail)):
            try:
                step()
            except Exception as exc:  # one page failing must not hide the others' results
                d.check(False, f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        browser.close()
    d.check(not d.console, f"no console errors ({len(d.console)})")
    d.check(not d.failed, f"no failed requests ({len(d.failed)})")
    for line in d.console + d.failed:
        print(f"      {line}")
    for line in d.ignored:
        print(f"ignored  {line}")
    failed = sum(1 for ok, _ in d.results if not ok)
    print(f"{len(d.results) - failed} passed, {failed} failed; screenshots in {args.shots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
